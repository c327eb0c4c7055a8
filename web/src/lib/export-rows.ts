/** Client-side CSV and JSON exports of a view's rows, downloaded as files. */

/** A cell a spreadsheet would run as a formula gets a leading `'` (as the API's CSV does). */
const FORMULA = /^[=+\-@\t\r]/;

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'object'
      ? JSON.stringify(value)
      : typeof value === 'string'
        ? value
        : String(value as number | boolean);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV of rows: a header of every key (in first-seen order), `\n` line ends, nested
 * values as JSON.
 *
 * @example
 * toCsv([{ a: 1, b: 'x,y' }]) // 'a,b\n1,"x,y"\n'
 */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const lines = [columns.map(cellOf).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cellOf(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Saves text as a file through a temporary Blob URL. */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name such as `cost-2026-02-16.csv` (local date). */
export function exportFileName(base: string, ext: 'csv' | 'json'): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const safe = base.replace(/[^\w.-]+/g, '-');
  return `${safe}-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.${ext}`;
}

/** Downloads rows as CSV or JSON. */
export function exportRows(
  base: string,
  ext: 'csv' | 'json',
  rows: readonly Record<string, unknown>[],
): void {
  if (ext === 'csv')
    downloadText(exportFileName(base, 'csv'), toCsv(rows), 'text/csv;charset=utf-8');
  else
    downloadText(
      exportFileName(base, 'json'),
      `${JSON.stringify(rows, null, 2)}\n`,
      'application/json',
    );
}
