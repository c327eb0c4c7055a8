import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';

/** A column of a DataTable: a key, a header, how to show a cell and how to sort by it. */
export interface Column<T> {
  key: string;
  label: string;
  render?: (row: T) => ComponentChildren;
  sortValue?: (row: T) => string | number;
  /** Right-align numbers. */
  numeric?: boolean;
}

export interface DataTableProps<T> {
  testId: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  onRowClick?: (row: T) => void;
  rowAttrs?: (row: T) => Record<string, string>;
  /** Accessible name of the table. */
  caption?: string;
}

function cellText(row: unknown, key: string): ComponentChildren {
  const v = (row as Record<string, unknown>)[key];
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v as string | number | boolean);
}

function sortKey(row: unknown, key: string): string | number {
  const v = (row as Record<string, unknown>)[key];
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v as string | boolean);
}

/**
 * A table whose headers sort it (click or keyboard; again to reverse) and whose rows, when
 * `onRowClick` is given, open with a click, Enter or Space. Rows carry `data-row-key`.
 *
 * @example
 * <DataTable testId="reviews-table" rows={reviews} rowKey={(r) => r.id}
 *   columns={[{ key: 'task_id', label: 'Task' }, { key: 'cs', label: 'CS', numeric: true }]} />
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { columns, rows, rowKey, onRowClick, rowAttrs } = props;
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const sorted = useMemo(() => {
    if (sort === null) return rows;
    const col = columns.find((c) => c.key === sort.key);
    const value = (row: T) => (col?.sortValue ? col.sortValue(row) : sortKey(row, sort.key));
    return [...rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y), undefined, { numeric: true });
      return c * sort.dir;
    });
  }, [rows, columns, sort]);

  const toggle = (key: string) =>
    setSort((s) => (s?.key === key ? (s.dir === 1 ? { key, dir: -1 } : null) : { key, dir: 1 }));

  return (
    <div class="table-wrap">
      <table class="data-table" data-testid={props.testId}>
        {props.caption && <caption class="visually-hidden">{props.caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = sort?.key === c.key ? sort.dir : 0;
              return (
                <th
                  key={c.key}
                  scope="col"
                  class={c.numeric ? 'num' : undefined}
                  aria-sort={dir === 1 ? 'ascending' : dir === -1 ? 'descending' : 'none'}
                >
                  <button
                    type="button"
                    class="sort-button"
                    data-sort={c.key}
                    onClick={() => toggle(c.key)}
                  >
                    {c.label}
                    <span aria-hidden="true" class="sort-mark">
                      {dir === 1 ? '▲' : dir === -1 ? '▼' : ''}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const key = rowKey(row);
            const open = onRowClick ? () => onRowClick(row) : undefined;
            return (
              <tr
                key={key}
                data-row-key={key}
                {...(rowAttrs ? rowAttrs(row) : {})}
                class={open ? 'clickable' : undefined}
                tabIndex={open ? 0 : undefined}
                onClick={open}
                onKeyDown={
                  open
                    ? (e) => {
                        if (e.target !== e.currentTarget) return;
                        if (e.key === 'Enter' || e.key === ' ') {
                          e.preventDefault();
                          open();
                        }
                      }
                    : undefined
                }
              >
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : undefined}>
                    {c.render ? c.render(row) : cellText(row, c.key)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
