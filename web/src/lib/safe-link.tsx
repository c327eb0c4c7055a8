import type { ComponentChildren } from 'preact';

/**
 * An http(s) URL from event data, or null: anything else (`javascript:`, `data:`, relative
 * paths) is never made a link.
 *
 * @example
 * safeHref('https://example.com/pr/1') // 'https://example.com/pr/1'
 * safeHref('javascript:alert(1)') // null
 */
export function safeHref(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A link to an http(s) URL from event data (opened in a new tab), else the text itself. */
export function SafeLink({ href, children }: { href: unknown; children?: ComponentChildren }) {
  const safe = safeHref(href);
  const text = children ?? (typeof href === 'string' ? href : '');
  if (safe === null) return <span>{text}</span>;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer nofollow">
      {text}
    </a>
  );
}
