import { useEffect, useMemo, useState } from 'preact/hooks';

/**
 * The current time, updated every `intervalMs` (default a second) while the component is
 * shown.
 */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/**
 * How far the hub's clock is ahead of this browser's, from an answer's `generated_at` and the
 * moment it arrived; countdowns use the hub's time so that they agree with its statuses.
 */
export function useClockSkew(generatedAt: string | undefined): number {
  return useMemo(() => {
    if (generatedAt === undefined) return 0;
    const t = Date.parse(generatedAt);
    return Number.isNaN(t) ? 0 : t - Date.now();
  }, [generatedAt]);
}

/**
 * Time left as `1d 02:03:04` (or `02:03:04` under a day); `expired` at or below zero.
 *
 * @example
 * formatCountdown(90_061_000) // '1d 01:01:01'
 */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return 'expired';
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((total % 86_400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days.toLocaleString('en')}d ${clock}` : clock;
}

interface CountdownProps {
  expiresAt: string | null;
  /** The hub's time now, epoch ms. */
  now: number;
  /** When the bypass was made, for the share of its window already used. */
  createdAt?: string | null;
}

/** A live countdown to an expiry (`[data-testid=countdown]`, `data-remaining-seconds`). */
export function Countdown({ expiresAt, now, createdAt }: CountdownProps) {
  if (expiresAt === null) {
    return (
      <span data-testid="countdown" data-remaining-seconds="">
        no expiry
      </span>
    );
  }
  const end = Date.parse(expiresAt);
  const left = end - now;
  const start = createdAt ? Date.parse(createdAt) : NaN;
  const span = end - start;
  const urgency =
    left <= 0 ? 'expired' : left < 3_600_000 ? 'soon' : left < 86_400_000 ? 'today' : 'later';
  return (
    <span class="countdown" data-urgency={urgency}>
      <time
        dateTime={expiresAt}
        data-testid="countdown"
        data-remaining-seconds={String(Math.max(0, Math.floor(left / 1000)))}
        class={
          urgency === 'soon' || urgency === 'expired'
            ? 'badge bad'
            : urgency === 'today'
              ? 'badge warn'
              : 'badge'
        }
        title={`Expires ${new Date(end).toISOString()}`}
      >
        {formatCountdown(left)}
      </time>
      {Number.isFinite(span) && span > 0 && (
        <progress
          class="countdown-used"
          max={span}
          value={Math.min(span, Math.max(0, now - start))}
          aria-label="Share of the bypass window used"
        />
      )}
    </span>
  );
}
