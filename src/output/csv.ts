import { stringify } from 'csv-stringify/sync';

/**
 * A CSV cell: text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at
 * its start) is prefixed with `'`; numbers are written as they are.
 */
export function csvCell(value: unknown): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** CSV (RFC 4180, CRLF-free: `\n` line ends) of a header and rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header as string[], ...rows.map((r) => r.map(csvCell))]);
}

export function csvLine(values: readonly unknown[]): string {
  return stringify([values.map(csvCell)]);
}
