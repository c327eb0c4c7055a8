/**
 * Assertions on what the dashboard's KPI tiles show: `data-raw` against an API number, and
 * the visible text against `data-raw` (to the display's rounding).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** A KPI's data-raw as a number (null when empty). */
export const num = (raw: string | null | undefined): number | null =>
  raw === null || raw === undefined || raw === '' ? null : Number(raw);

/** Expects a KPI tile to show this number (to 9 significant digits; null = empty). */
export function expectKpi(
  shown: Record<string, string | null>,
  name: string,
  want: number | null,
): void {
  expect(Object.keys(shown), `KPI tiles`).toContain(name);
  const got = num(shown[name]);
  if (want === null) expect(got, `KPI ${name}`).toBeNull();
  else expect(got, `KPI ${name} (data-raw ${shown[name]})`).toBeCloseTo(want, 9);
}

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001 };
const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9 };

/**
 * The number a KPI's visible text stands for, in the unit of its data-raw: `1,234`, `1.6M`,
 * `$2.31`, `74.2%` (a ratio), `5m 38s` (seconds).
 */
export function shownNumber(text: string): number {
  const t = text.trim().replaceAll(',', '');
  const plain = /^\$?(-?\d+(?:\.\d+)?)([KMB])?$/.exec(t);
  if (plain) return Number(plain[1]) * (SUFFIX[plain[2] ?? ''] ?? 1);
  const percent = /^(-?\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) return Number(percent[1]) / 100;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?) ?(ms|d|h|m|s)\b/g)];
  if (parts.length > 0) {
    return parts.reduce((n, p) => n + Number(p[1]) * (UNIT_SECONDS[p[2] ?? ''] ?? Number.NaN), 0);
  }
  return Number.NaN;
}

/** Expects each KPI's visible text in a view to show its data-raw, to the display's rounding. */
export async function expectTextsMatchRaw(page: Page, view: string): Promise<void> {
  const tiles = await page
    .locator(`section[data-view="${view}"] [data-kpi] [data-value]`)
    .evaluateAll((els) =>
      els.map((e) => ({
        name: e.closest('[data-kpi]')?.getAttribute('data-kpi') ?? '',
        text: e.textContent ?? '',
        raw: e.getAttribute('data-raw') ?? '',
      })),
    );
  expect(tiles.length).toBeGreaterThan(0);
  for (const { name, text, raw } of tiles) {
    if (raw === '') {
      expect(text.trim(), `${name}: no value`).toBe('—');
      continue;
    }
    const want = Number(raw);
    const got = shownNumber(text);
    const tolerance = Math.max(Math.abs(want) * 0.05, 0.01);
    expect(Math.abs(got - want), `${name}: shows "${text}" for ${raw}`).toBeLessThanOrEqual(
      tolerance,
    );
  }
}
