import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface PanelProps {
  title: string;
  onClose(): void;
  /** `data-testid` of the panel (e.g. `review-detail`). */
  testId?: string;
  children?: ComponentChildren;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * A detail drawer over the view's right side (full width on a phone): focus moves into it when
 * it opens, Tab stays inside, Escape or the close button closes it, and focus returns to
 * where it was. Render it only while open.
 *
 * @example
 * {open && <Panel title="Review" testId="review-detail" onClose={() => setOpen(null)}>...</Panel>}
 */
export function Panel({ title, onClose, testId, children }: PanelProps) {
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('.panel-close')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        closeRef.current();
        return;
      }
      if (e.key !== 'Tab' || !ref.current) return;
      const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = items[0];
      const last = items[items.length - 1];
      if (!first || !last) return;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      } else if (!ref.current.contains(document.activeElement)) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  return (
    <div class="panel-layer">
      <div class="panel-backdrop" onClick={() => closeRef.current()} aria-hidden="true" />
      <div
        ref={ref}
        class="panel"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
      >
        <header class="panel-head">
          <h2>{title}</h2>
          <button
            type="button"
            class="panel-close"
            aria-label="Close"
            data-testid="panel-close"
            onClick={() => closeRef.current()}
          >
            ✕
          </button>
        </header>
        <div class="panel-body">{children}</div>
      </div>
    </div>
  );
}
