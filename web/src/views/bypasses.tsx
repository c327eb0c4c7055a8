import { useEffect, useMemo, useRef } from 'preact/hooks';

import { useApi } from '../lib/api';
import { Chart, type ChartConfiguration } from '../lib/chart';
import { formatDurationMs, formatNumber, formatTime } from '../lib/format';
import { DataTable, Kpi, ViewFrame, viewStateOf, type Column, type ViewProps } from '../lib/view';
import { Countdown, useClockSkew, useNow } from './bypasses-countdown';
import { clip, StatusBadge } from './explorer-detail';

/** A bypass as `/api/bypasses` answers it. */
interface Bypass {
  id: string;
  bypass_id: string | null;
  task_id: string | null;
  status: 'active' | 'expired' | 'revoked';
  reason: string | null;
  bypassed_by: string | null;
  tier: string | null;
  cs_at_bypass: number | null;
  created_at: string;
  expires_at: string | null;
  expires_in_seconds: number | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

interface BypassesResponse {
  generated_at: string;
  counts: { active: number; expired: number; revoked: number; total: number };
  bypasses: Bypass[];
}

/** A bypass with the key its row carries: its bypass id, else its task id, made unique. */
type KeyedBypass = Bypass & { key: string };

function keyed(bypasses: readonly Bypass[]): KeyedBypass[] {
  const seen = new Map<string, number>();
  return bypasses.map((b) => {
    const base = b.bypass_id ?? b.task_id ?? b.id;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { ...b, key: n === 0 ? base : `${base}#${n + 1}` };
  });
}

/** When a bypass stopped applying: its revocation, else its expiry. */
function endedAt(b: Bypass): string | null {
  return b.status === 'revoked' ? b.revoked_at : b.expires_at;
}

function TierBadge({ tier }: { tier: string | null }) {
  if (tier === null) return <span class="muted">—</span>;
  const tone = tier === 'critical' ? 'bad' : tier === 'important' ? 'warn' : '';
  return <span class={tone ? `badge ${tone}` : 'badge'}>{tier}</span>;
}

const common = {
  task: { key: 'task_id', label: 'Task' },
  id: {
    key: 'bypass_id',
    label: 'Bypass',
    render: (b: KeyedBypass) => <span class="mono">{b.bypass_id ?? b.id}</span>,
  },
  tier: { key: 'tier', label: 'Tier', render: (b: KeyedBypass) => <TierBadge tier={b.tier} /> },
  cs: {
    key: 'cs_at_bypass',
    label: 'Score at bypass',
    numeric: true,
    render: (b: KeyedBypass) => (
      <span data-cs={b.cs_at_bypass ?? ''}>
        {b.cs_at_bypass === null ? '—' : b.cs_at_bypass.toFixed(1)}
      </span>
    ),
  },
  by: { key: 'bypassed_by', label: 'By' },
  reason: {
    key: 'reason',
    label: 'Reason',
    render: (b: KeyedBypass) => (
      <span title={b.reason ?? undefined}>{clip(b.reason, 160) || '—'}</span>
    ),
  },
  created: {
    key: 'created_at',
    label: 'Bypassed at',
    render: (b: KeyedBypass) => formatTime(b.created_at),
  },
} satisfies Record<string, Column<KeyedBypass>>;

function activeColumns(now: number): Column<KeyedBypass>[] {
  return [
    {
      key: 'countdown',
      label: 'Expires in',
      render: (b) => <Countdown expiresAt={b.expires_at} createdAt={b.created_at} now={now} />,
      sortValue: (b) =>
        b.expires_at === null ? Number.MAX_SAFE_INTEGER : Date.parse(b.expires_at),
    },
    common.task,
    common.id,
    common.tier,
    common.cs,
    common.by,
    common.reason,
    common.created,
    { key: 'expires_at', label: 'Expires at', render: (b) => formatTime(b.expires_at) },
  ];
}

const HISTORY_COLUMNS: Column<KeyedBypass>[] = [
  { key: 'status', label: 'Status', render: (b) => <StatusBadge status={b.status} /> },
  common.task,
  common.id,
  common.tier,
  common.cs,
  common.by,
  common.reason,
  common.created,
  {
    key: 'ended_at',
    label: 'Ended',
    render: (b) => formatTime(endedAt(b)),
    sortValue: (b) => endedAt(b) ?? '',
  },
  {
    key: 'lasted',
    label: 'Lasted',
    numeric: true,
    render: (b) => {
      const end = endedAt(b);
      return end === null ? '—' : formatDurationMs(Date.parse(end) - Date.parse(b.created_at));
    },
    sortValue: (b) => {
      const end = endedAt(b);
      return end === null ? 0 : Date.parse(end) - Date.parse(b.created_at);
    },
  },
  { key: 'revoked_by', label: 'Revoked by' },
];

const STATUS_COLOR: Record<Bypass['status'], string> = {
  active: 'var(--bad)',
  expired: 'var(--series-8)',
  revoked: 'var(--warn)',
};

/** Consensus score at bypass time, oldest bypass first, coloured by status. */
function scoreChart(bypasses: readonly KeyedBypass[]): ChartConfiguration {
  const ordered = [...bypasses].reverse();
  return {
    type: 'bar',
    data: {
      labels: ordered.map((b) => b.task_id ?? b.key),
      datasets: [
        {
          label: 'Consensus score at bypass',
          data: ordered.map((b) => b.cs_at_bypass),
          backgroundColor: ordered.map((b) => STATUS_COLOR[b.status]),
        },
      ],
    },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            afterLabel: (item) => {
              const b = ordered[item.dataIndex];
              return b ? `${b.status}, ${b.tier ?? 'no tier'}, ${formatTime(b.created_at)}` : '';
            },
          },
        },
      },
      scales: {
        y: { beginAtZero: true, suggestedMax: 10, title: { display: true, text: 'CS (0-10)' } },
      },
    },
  };
}

/**
 * 7. Bypass monitor (`/api/bypasses`): active bypasses with a live countdown to expiry and
 * the consensus score they overrode; the history of expired and revoked ones.
 */
export default function BypassesView(_props: ViewProps) {
  const result = useApi<BypassesResponse>('/api/bypasses');
  const { data, reload } = result;
  const skew = useClockSkew(data?.generated_at);
  const now = useNow() + skew;

  const all = useMemo(() => keyed(data?.bypasses ?? []), [data]);
  const active = all.filter((b) => b.status === 'active');
  const history = all.filter((b) => b.status !== 'active');

  // A countdown reaching zero: ask the hub again, which then lists the bypass as expired.
  const reloadedFor = useRef<string | undefined>(undefined);
  const due = active.some((b) => b.expires_at !== null && Date.parse(b.expires_at) <= now);
  useEffect(() => {
    if (!due || data === undefined || reloadedFor.current === data.generated_at) return;
    reloadedFor.current = data.generated_at;
    reload();
  }, [due, data, reload]);

  const next = active
    .map((b) => (b.expires_at === null ? Infinity : Date.parse(b.expires_at) - now))
    .reduce((a, b) => Math.min(a, b), Infinity);
  const scored = all.filter((b) => b.cs_at_bypass !== null);
  const avgCs =
    scored.length === 0
      ? null
      : scored.reduce((s, b) => s + (b.cs_at_bypass ?? 0), 0) / scored.length;
  const chart = useMemo(() => scoreChart(all), [all]);
  const counts = data?.counts;

  return (
    <ViewFrame
      id="bypasses"
      title="Bypass monitor"
      state={viewStateOf(result, (d) => d.counts.total === 0)}
      error={result.error}
      onRetry={reload}
      emptyText="No emergency bypass recorded (BYPASS-AUDIT.json)."
      exportName="bypasses"
      exportRows={() =>
        all.map(({ key: _key, ...b }) => ({
          ...b,
          remaining_seconds:
            b.status === 'active' && b.expires_at !== null
              ? Math.max(0, Math.floor((Date.parse(b.expires_at) - (Date.now() + skew)) / 1000))
              : null,
        }))
      }
    >
      <div class="kpis">
        <Kpi
          name="active"
          label="Active"
          value={formatNumber(counts?.active)}
          raw={counts?.active ?? null}
        />
        <Kpi
          name="expired"
          label="Expired"
          value={formatNumber(counts?.expired)}
          raw={counts?.expired ?? null}
        />
        <Kpi
          name="revoked"
          label="Revoked"
          value={formatNumber(counts?.revoked)}
          raw={counts?.revoked ?? null}
        />
        <Kpi
          name="total"
          label="All bypasses"
          value={formatNumber(counts?.total)}
          raw={counts?.total ?? null}
        />
        <Kpi
          name="next-expiry"
          label="Next expiry in"
          value={Number.isFinite(next) ? (next <= 0 ? 'now' : formatDurationMs(next)) : '—'}
          raw={Number.isFinite(next) ? Math.max(0, Math.floor(next / 1000)) : null}
        />
        <Kpi
          name="avg-cs"
          label="Mean score at bypass"
          value={avgCs === null ? '—' : avgCs.toFixed(1)}
          raw={avgCs}
        />
      </div>
      <div class="grid">
        <div class="card">
          <h2>Active bypasses</h2>
          {active.length === 0 ? (
            <p class="muted" data-testid="no-active-bypass">
              No bypass is active: every gate applies.
            </p>
          ) : (
            <DataTable
              testId="bypasses-table"
              caption="Active bypasses"
              columns={activeColumns(now)}
              rows={active}
              rowKey={(b) => b.key}
              rowAttrs={(b) => ({ 'data-bypass-id': b.id, 'data-status': b.status })}
            />
          )}
        </div>
      </div>
      <div class="grid">
        <div class="card">
          <h2>Score at bypass</h2>
          <Chart
            name="bypass-scores"
            config={chart}
            label="Consensus score each bypass overrode, oldest first; colour by status"
          />
        </div>
      </div>
      <div class="grid">
        <div class="card">
          <h2>History: expired and revoked</h2>
          {history.length === 0 ? (
            <p class="muted">No bypass has expired or been revoked yet.</p>
          ) : (
            <DataTable
              testId="bypasses-history-table"
              caption="Expired and revoked bypasses"
              columns={HISTORY_COLUMNS}
              rows={history}
              rowKey={(b) => b.key}
              rowAttrs={(b) => ({ 'data-bypass-id': b.id, 'data-status': b.status })}
            />
          )}
        </div>
      </div>
    </ViewFrame>
  );
}
