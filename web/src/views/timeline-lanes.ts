import {
  Chart as ChartJs,
  ScatterController,
  type ChartConfiguration,
  type TooltipItem,
} from 'chart.js';

import { formatDurationMs, formatTime } from '../lib/format';
import type { EventRecord } from './explorer-detail';

// Gate decisions are points on the time axis; chart.tsx registers the rest (bars, points, scales).
ChartJs.register(ScatterController);

/** What a lane shows: the session's phases, its tasks, its LLM calls or its gate decisions. */
export type LaneGroup = 'phase' | 'task' | 'llm' | 'gate';

/** Something with a duration: a phase, a task, an LLM call. */
export interface Span {
  lane: string;
  group: LaneGroup;
  start: number;
  end: number;
  label: string;
  status: string | null;
  event: EventRecord | null;
}

/** Something at an instant: a gate decision, a review, an LLM call without a duration. */
export interface Mark {
  lane: string;
  group: LaneGroup;
  at: number;
  label: string;
  status: string | null;
  event: EventRecord;
}

export interface Timeline {
  lanes: string[];
  spans: Span[];
  marks: Mark[];
  start: number;
  end: number;
  /** Tasks left out beyond MAX_TASK_LANES. */
  hiddenTasks: number;
}

/** Lanes for tasks beyond this many are left out (the table below lists every event). */
export const MAX_TASK_LANES = 40;

const TASK_KINDS = new Set(['task', 'board']);
/** These repeat a `gate_evaluated` at the same instant. */
const GATE_REPEATS = new Set(['gate_blocked', 'gate_warned']);

/**
 * Lays a session's events (oldest first) out in lanes: one per phase (from the phase each
 * event reports, until the next one); one per task (first to last event, stretched to the
 * longest reported duration and back to its first LLM request); one per agent role or model
 * for LLM calls (a bar ending at the response when it reports a duration, else a point); one
 * for gate decisions and one for reviews.
 */
export function buildTimeline(events: readonly EventRecord[]): Timeline {
  const ts = (e: EventRecord) => Date.parse(e.timestamp);
  const sorted = [...events].filter((e) => !Number.isNaN(ts(e))).sort((a, b) => ts(a) - ts(b));
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) return { lanes: [], spans: [], marks: [], start: 0, end: 0, hiddenTasks: 0 };
  let start = ts(first);
  let end = ts(last);

  const phaseSpans: Span[] = [];
  let phase = null as { name: string; start: number; event: EventRecord } | null;
  for (const e of sorted) {
    if (e.phase === null || e.phase === phase?.name) continue;
    if (phase)
      phaseSpans.push({
        lane: `phase · ${phase.name}`,
        group: 'phase',
        start: phase.start,
        end: ts(e),
        label: phase.name,
        status: null,
        event: phase.event,
      });
    phase = { name: e.phase, start: ts(e), event: e };
  }
  if (phase)
    phaseSpans.push({
      lane: `phase · ${phase.name}`,
      group: 'phase',
      start: phase.start,
      end,
      label: phase.name,
      status: null,
      event: phase.event,
    });

  const tasks = new Map<
    string,
    { start: number; end: number; longestMs: number; status: string | null; event: EventRecord }
  >();
  for (const e of sorted) {
    if (e.task_id === null) continue;
    const t = ts(e);
    const task = tasks.get(e.task_id) ?? { start: t, end: t, longestMs: 0, status: null, event: e };
    task.end = Math.max(task.end, t);
    // An LLM call is stamped when it answered: the task was running since it was sent.
    if (e.kind === 'llm_call' && e.duration_seconds !== null) {
      task.start = Math.min(task.start, t - e.duration_seconds * 1000);
    }
    if (TASK_KINDS.has(e.kind)) {
      if (e.duration_seconds !== null)
        task.longestMs = Math.max(task.longestMs, e.duration_seconds * 1000);
      if (e.status !== null) task.status = e.status;
    }
    tasks.set(e.task_id, task);
  }
  const taskSpans: Span[] = [...tasks].map(([id, t]) => ({
    lane: `task · ${id}`,
    group: 'task',
    start: t.start,
    end: Math.max(t.end, t.start + t.longestMs),
    label: id,
    status: t.status,
    event: t.event,
  }));
  const shownTasks = taskSpans.slice(0, MAX_TASK_LANES);

  const llmSpans: Span[] = [];
  const marks: Mark[] = [];
  for (const e of sorted) {
    const t = ts(e);
    if (e.kind === 'llm_call') {
      const lane = `llm · ${e.agent_role ?? e.model ?? 'calls'}`;
      const label = [e.event_type, e.model].filter((x) => x !== null).join(' · ');
      if (e.duration_seconds !== null && e.duration_seconds > 0) {
        llmSpans.push({
          lane,
          group: 'llm',
          start: t - e.duration_seconds * 1000,
          end: t,
          label,
          status: e.status,
          event: e,
        });
      } else {
        marks.push({ lane, group: 'llm', at: t, label, status: e.status, event: e });
      }
    } else if ((e.kind === 'gate' && !GATE_REPEATS.has(e.event_type)) || e.kind === 'review') {
      const lane = e.kind === 'gate' ? 'gates' : 'reviews';
      marks.push({
        lane,
        group: 'gate',
        at: t,
        label: e.error_message ?? e.event_type,
        status: e.status,
        event: e,
      });
    }
  }
  // A request whose response is drawn as a bar needs no point of its own.
  const shownMarks = marks.filter(
    (m) =>
      m.group !== 'llm' ||
      !llmSpans.some((s) => s.lane === m.lane && m.at >= s.start - 1000 && m.at <= s.end),
  );

  const spans = [...phaseSpans, ...shownTasks, ...llmSpans];
  for (const s of spans) {
    start = Math.min(start, s.start);
    end = Math.max(end, s.end);
  }
  const lanes: string[] = [];
  const addLane = (lane: string) => {
    if (!lanes.includes(lane)) lanes.push(lane);
  };
  for (const s of phaseSpans) addLane(s.lane);
  for (const s of shownTasks) addLane(s.lane);
  for (const l of [
    ...llmSpans.map((s) => s.lane),
    ...shownMarks.filter((m) => m.group === 'llm').map((m) => m.lane),
  ].sort())
    addLane(l);
  for (const m of shownMarks) if (m.group === 'gate') addLane(m.lane);
  return {
    lanes,
    spans,
    marks: shownMarks,
    start,
    end,
    hiddenTasks: taskSpans.length - shownTasks.length,
  };
}

/** Phase colours: series that do not read as a status (green, red and orange do). */
const PHASE_COLORS = [
  'var(--series-1)',
  'var(--series-5)',
  'var(--series-6)',
  'var(--series-7)',
  'var(--series-8)',
];

/** The colour of a status on the timeline. */
function statusColor(status: string | null): string {
  switch (status) {
    case 'success':
      return 'var(--ok)';
    case 'failure':
    case 'timeout':
    case 'blocked':
      return 'var(--bad)';
    case 'warned':
    case 'retrying':
    case 'skipped':
    case 'cancelled':
      return 'var(--warn)';
    case 'started':
      return 'var(--series-1)';
    default:
      return 'var(--series-8)';
  }
}

/** Tick labels: seconds for a short session, minutes within two days, else dates. */
function tickLabel(spanMs: number) {
  return (value: number | string) => {
    const text = formatTime(Number(value));
    if (spanMs < 3_600_000) return text.slice(11);
    if (spanMs < 2 * 86_400_000) return text.slice(11, 16);
    return text.slice(0, 10);
  };
}

const GROUP_NAME: Record<LaneGroup, string> = {
  phase: 'phases',
  task: 'tasks',
  llm: 'LLM calls',
  gate: 'gate decisions',
};

/**
 * A floating-bar timeline of a session (`canvas[data-chart=session-timeline]`): lanes on the y
 * axis, time on the x axis; bars coloured by status (phases by order), gate decisions and
 * reviews as diamonds. `onPick` receives the event behind a clicked bar or point.
 */
export function timelineChart(t: Timeline, onPick: (e: EventRecord) => void): ChartConfiguration {
  const span = Math.max(1000, t.end - t.start);
  const pad = span * 0.02;
  // A bar of no length would not show: give it a sliver of the axis.
  const minWidth = span * 0.004;
  const groups: LaneGroup[] = ['phase', 'task', 'llm'];
  const phaseOrder = [...new Set(t.spans.filter((s) => s.group === 'phase').map((s) => s.label))];
  const spanSets = groups.map((g) => t.spans.filter((s) => s.group === g));
  const markSets = [
    t.marks.filter((m) => m.group === 'gate'),
    t.marks.filter((m) => m.group === 'llm'),
  ];

  const describe = (item: TooltipItem<'bar' | 'scatter'>): string[] => {
    const i = item.datasetIndex;
    if (i < spanSets.length) {
      const s = spanSets[i]?.[item.dataIndex];
      if (!s) return [];
      return [
        `${s.label}${s.status ? ` (${s.status})` : ''}`,
        `${formatTime(s.start)} → ${formatTime(s.end)}, ${formatDurationMs(s.end - s.start)}`,
      ];
    }
    const m = markSets[i - spanSets.length]?.[item.dataIndex];
    if (!m) return [];
    return [`${m.label}${m.status ? ` (${m.status})` : ''}`, formatTime(m.at)];
  };

  return {
    type: 'bar',
    data: {
      datasets: [
        ...spanSets.map((spans, i) => ({
          type: 'bar' as const,
          label: GROUP_NAME[groups[i] ?? 'task'],
          data: spans.map((s) => ({
            x: [s.start, Math.max(s.end, s.start + minWidth)],
            y: s.lane,
          })),
          backgroundColor: spans.map((s) =>
            s.group === 'phase'
              ? (PHASE_COLORS[phaseOrder.indexOf(s.label) % PHASE_COLORS.length] ??
                'var(--series-1)')
              : statusColor(s.status),
          ),
          borderSkipped: false,
          borderRadius: 3,
          grouped: false,
          barPercentage: 0.8,
          categoryPercentage: 0.9,
        })),
        ...markSets.map((marks, i) => ({
          type: 'scatter' as const,
          label: i === 0 ? 'gate decisions' : 'LLM calls (instant)',
          data: marks.map((m) => ({ x: m.at, y: m.lane })),
          pointStyle: i === 0 ? ('rectRot' as const) : ('circle' as const),
          pointRadius: i === 0 ? 7 : 4,
          pointHoverRadius: i === 0 ? 9 : 6,
          pointBackgroundColor: marks.map((m) => statusColor(m.status)),
          pointBorderColor: marks.map((m) => statusColor(m.status)),
        })),
      ],
    } as ChartConfiguration['data'],
    options: {
      indexAxis: 'y',
      interaction: { mode: 'nearest', intersect: true },
      onClick: (_evt, elements) => {
        const el = elements[0];
        if (!el) return;
        const i = el.datasetIndex;
        const picked =
          i < spanSets.length
            ? spanSets[i]?.[el.index]?.event
            : markSets[i - spanSets.length]?.[el.index]?.event;
        if (picked) onPick(picked);
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (item) => describe(item as TooltipItem<'bar' | 'scatter'>),
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: t.start - pad,
          max: t.end + pad,
          ticks: { maxTicksLimit: 8, maxRotation: 0, callback: tickLabel(span) },
        },
        y: { type: 'category', labels: t.lanes, offset: true, grid: { display: false } },
      },
    },
  } as ChartConfiguration;
}
