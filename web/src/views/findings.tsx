import { useMemo } from 'preact/hooks';

import type { ScriptableContext } from 'chart.js';

import type { ChartConfiguration } from '../lib/chart';
import { Chart, cssVar } from '../lib/chart';
import { formatNumber } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { DataTable, Panel, ViewFrame, viewStateOf, type Column, type ViewProps } from '../lib/view';
import { SEVERITY_TIERS } from '../types/reviews';
import { buildHeatmap, cellKey, heatLevel, loadFindings, MAX_FINDINGS } from './findings-data';
import { FINDING_COLUMNS } from './review-detail';

/** Files drawn in the heatmap (the table lists more). */
const CHART_FILES = 40;
const TABLE_FILES = 300;
const SEVERITY_COLOR: Record<string, string> = {
  informational: 'var(--series-8)',
  moderate: 'var(--series-1)',
  important: 'var(--warn)',
  critical: 'var(--bad)',
  unknown: 'var(--series-5)',
};

/**
 * Findings heatmap: files × reviewers, coloured by how many findings each reviewer raised on
 * each file, with an accessible table of the same cells (`data-file`, `data-reviewer`,
 * `data-count`), findings per reviewer by severity, and the findings of a cell on demand.
 */
export default function FindingsView({ filters, params, setParams }: ViewProps) {
  const { since, until } = filters;
  const severity = params['severity'];
  const file = params['file'];
  const query = { since, until, severity_tier: severity, file };
  const result = useAsync((signal) => loadFindings(query, signal), JSON.stringify(query), {
    liveIntervalMs: 5_000,
  });
  const heat = useMemo(() => buildHeatmap(result.data?.findings ?? []), [result.data]);
  const state = viewStateOf(result, (d) => d.findings.length === 0);
  const open = (f: string, r: string) => setParams({ cell_file: f, cell_reviewer: r });

  const chartFiles = heat.files.slice(0, CHART_FILES);
  const matrix = useMemo((): ChartConfiguration => {
    const data = chartFiles.flatMap((f) =>
      heat.reviewers.map((r) => ({ x: r, y: f, v: heat.cells.get(cellKey(f, r))?.count ?? 0 })),
    );
    const cols = Math.max(1, heat.reviewers.length);
    const rows = Math.max(1, chartFiles.length);
    return {
      type: 'matrix',
      data: {
        datasets: [
          {
            label: 'Findings',
            data,
            backgroundColor: (ctx: ScriptableContext<'matrix'>) =>
              cssVar(
                `--heat-${heatLevel((ctx.raw as { v?: number } | undefined)?.v ?? 0, heat.max)}`,
              ),
            borderColor: 'var(--border)',
            borderWidth: 1,
            width: ({ chart }) => (chart.chartArea?.width ?? 0) / cols - 2,
            height: ({ chart }) => (chart.chartArea?.height ?? 0) / rows - 2,
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => String((items[0]?.raw as { y?: string } | undefined)?.y ?? ''),
              label: (item) => {
                const p = item.raw as { x: string; v: number };
                return `${p.x}: ${p.v} finding${p.v === 1 ? '' : 's'}`;
              },
            },
          },
        },
        scales: {
          x: {
            type: 'category',
            labels: heat.reviewers,
            offset: true,
            grid: { display: false },
            position: 'top',
          },
          y: {
            type: 'category',
            labels: chartFiles,
            offset: true,
            grid: { display: false },
            ticks: {
              callback: (_v, i) => {
                const f = chartFiles[i] ?? '';
                return f.length > 40 ? `…${f.slice(-39)}` : f;
              },
            },
          },
        },
        onClick: (_e, elements) => {
          const el = elements[0];
          const point = el ? (data[el.index] as { x: string; y: string } | undefined) : undefined;
          if (point) open(point.y, point.x);
        },
      },
    } as ChartConfiguration;
  }, [heat]);

  const bySeverity = useMemo(
    (): ChartConfiguration => ({
      type: 'bar',
      data: {
        labels: heat.reviewers,
        datasets: [...SEVERITY_TIERS, 'unknown' as const].map((t) => ({
          label: t,
          data: heat.reviewers.map((r) => heat.bySeverity.get(r)?.[t] ?? 0),
          backgroundColor: SEVERITY_COLOR[t] ?? 'var(--series-8)',
          stack: 's',
        })),
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    }),
    [heat],
  );

  const columns: Column<string>[] = [
    {
      key: 'file',
      label: 'File',
      render: (f) => <span class="mono">{f}</span>,
      sortValue: (f) => f,
    },
    {
      key: 'total',
      label: 'Findings',
      numeric: true,
      render: (f) => heat.totals.get(f) ?? 0,
      sortValue: (f) => heat.totals.get(f) ?? 0,
    },
    ...heat.reviewers.map((r): Column<string> => ({
      key: `r:${r}`,
      label: r,
      numeric: true,
      sortValue: (f) => heat.cells.get(cellKey(f, r))?.count ?? 0,
      render: (f) => {
        const c = heat.cells.get(cellKey(f, r))?.count ?? 0;
        return (
          <button
            type="button"
            class={`heat-cell heat-${heatLevel(c, heat.max)}`}
            data-file={f}
            data-reviewer={r}
            data-count={String(c)}
            disabled={c === 0}
            aria-label={`${f}, ${r}: ${c} findings`}
            onClick={() => open(f, r)}
          >
            {c}
          </button>
        );
      },
    })),
  ];

  const cellFile = params['cell_file'];
  const cellReviewer = params['cell_reviewer'];
  const cellFindings =
    cellFile && cellReviewer
      ? (result.data?.findings ?? []).filter(
          (f) =>
            (f.file ?? '(no file)') === cellFile &&
            (f.reviewers.length ? f.reviewers : ['(unattributed)']).includes(cellReviewer),
        )
      : [];

  const tools = (
    <>
      <label class="filter-field inline">
        <span>Severity</span>
        <select
          class="select"
          data-param="severity"
          value={severity ?? ''}
          onChange={(e) => setParams({ severity: e.currentTarget.value || undefined })}
        >
          <option value="">any</option>
          {SEVERITY_TIERS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label class="filter-field inline">
        <span>File or folder/</span>
        <input
          type="text"
          data-param="file"
          value={file ?? ''}
          placeholder="src/api/"
          onChange={(e) => setParams({ file: e.currentTarget.value.trim() || undefined })}
        />
      </label>
    </>
  );

  return (
    <>
      <ViewFrame
        id="findings"
        title="Findings heatmap"
        state={state}
        error={result.error}
        onRetry={result.reload}
        filters={['time']}
        actions={tools}
        exportRows={() =>
          [...heat.cells.values()].map((c) => ({
            file: c.file,
            reviewer: c.reviewer,
            count: c.count,
            max_severity: c.maxSeverity,
          }))
        }
        emptyText="No review findings for these filters."
      >
        <p class="muted">
          {formatNumber(result.data?.findings.length)} findings on {formatNumber(heat.files.length)}{' '}
          files from {formatNumber(heat.reviewers.length)} reviewers
          {result.data?.truncated
            ? ` (the newest ${formatNumber(MAX_FINDINGS)}; narrow the range for the rest)`
            : ''}
          .
          {heat.files.length > CHART_FILES
            ? ` The heatmap shows the ${CHART_FILES} files with the most findings.`
            : ''}
        </p>
        <div class="card">
          <h2>Files × reviewers</h2>
          <Chart
            name="findings-heatmap"
            config={matrix}
            height={Math.max(160, chartFiles.length * 26 + 70)}
            label="Findings per file and reviewer"
          />
          <div class="heat-legend" aria-hidden="true">
            fewer{' '}
            {[1, 2, 3, 4].map((l) => (
              <span key={l} class={`heat-swatch heat-${l}`} />
            ))}{' '}
            more
          </div>
        </div>
        <div class="card">
          <h2>By reviewer and severity</h2>
          <Chart
            name="findings-by-severity"
            config={bySeverity}
            height={220}
            label="Findings per reviewer by severity tier"
          />
        </div>
        <h2>Cells</h2>
        <DataTable
          testId="findings-table"
          columns={columns}
          rows={heat.files.slice(0, TABLE_FILES)}
          rowKey={(f) => f}
          caption="Findings per file and reviewer"
        />
      </ViewFrame>
      {cellFile && cellReviewer && (
        <Panel
          title={`${cellFile} · ${cellReviewer}`}
          testId="findings-detail"
          onClose={() => setParams({ cell_file: undefined, cell_reviewer: undefined })}
        >
          {cellFindings.length === 0 ? (
            <p class="muted">No findings in this cell for these filters.</p>
          ) : (
            <DataTable
              testId="findings-detail-table"
              columns={FINDING_COLUMNS}
              rows={cellFindings}
              rowKey={(f) => f.id}
            />
          )}
        </Panel>
      )}
    </>
  );
}
