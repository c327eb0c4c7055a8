/**
 * The dashboard tests' fixture workspace: a temp folder holding every fixture format in its
 * well-known layout (KPI tracker, token log, VibeForge workspaces, WFC telemetry, reviews,
 * knowledge and workflow metrics, WVO state, the task board), plus generated KPI tasks and a
 * bypass audit dated from now, and the KPI lines the live tests append.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { REPO } from '../cli/helpers.js';

const FIXTURES = join(REPO, 'test', 'fixtures');

export interface DashboardWorkspace {
  /** The temp folder: cwd and HOME of the hub. */
  dir: string;
  /** The watched folder, holding every fixture in its well-known layout. */
  watch: string;
  /** The hub's data dir. */
  data: string;
  /** The KPI tracker file inside `watch` (append to it to make live events). */
  kpiFile: string;
  /** `work/collaboration` inside `watch`. */
  board: string;
  cleanup(): void;
}

const MODELS = ['claude-sonnet-4-5', 'gpt-5', 'gemini-2.5-flash', 'claude-haiku-4-5'] as const;
const DAY_MS = 86_400_000;

/** A KPI task_start/task_end pair (task_end carries the outcome and the tokens). */
function kpiTask(
  n: number,
  at: number,
  extra: { status?: string; model?: string; session?: string } = {},
): object[] {
  const task = `kpi-task-${String(n).padStart(3, '0')}`;
  const model = extra.model ?? (MODELS[n % MODELS.length] as string);
  const duration = 30 + ((n * 37) % 400);
  return [
    {
      event_id: randomUUID(),
      event_type: 'task_start',
      timestamp: new Date(at).toISOString(),
      task_id: task,
      session_id: extra.session ?? `kpi-session-${Math.floor(n / 8)}`,
      model,
    },
    {
      event_id: randomUUID(),
      event_type: 'task_end',
      timestamp: new Date(at + duration * 1000).toISOString(),
      task_id: task,
      session_id: extra.session ?? `kpi-session-${Math.floor(n / 8)}`,
      tokens_input: 2_000 + ((n * 7919) % 30_000),
      tokens_output: 300 + ((n * 104_729) % 6_000),
      duration_seconds: duration,
      status: extra.status ?? (n % 7 === 3 ? 'failure' : n % 11 === 5 ? 'timeout' : 'success'),
    },
  ];
}

/** One KPI line, as a live writer appends it; `id` is its event id (the feed's data-event-id). */
export function kpiLine(task: string, at = Date.now()): { id: string; task: string; line: string } {
  const id = randomUUID();
  const line = JSON.stringify({
    event_id: id,
    event_type: 'task_start',
    timestamp: new Date(at).toISOString(),
    task_id: task,
    session_id: 'live-session',
    model: 'claude-sonnet-4-5',
  });
  return { id, task, line: `${line}\n` };
}

const toJsonl = (records: readonly object[]): string =>
  records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * A temp workspace with every fixture format in its well-known layout (KPI tracker, token log,
 * VibeForge workspaces, WFC telemetry, reviews, knowledge, bypasses and workflow metrics, WVO
 * state, the task board), plus 48 generated KPI tasks over February 2026 in four priced models,
 * token-log lines, and a bypass audit dated from now so one bypass is active with a countdown.
 */
export function createDashboardWorkspace(prefix = 'vigil-web-'): DashboardWorkspace {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const watch = join(dir, 'watch');
  const data = join(dir, 'data');
  mkdirSync(watch, { recursive: true });
  const copy = (from: string, to: string) =>
    cpSync(join(FIXTURES, from), join(watch, to), { recursive: true });

  const start = Date.parse('2026-02-03T08:00:00Z');
  const kpi: object[] = [];
  for (let n = 0; n < 48; n++) kpi.push(...kpiTask(n, start + n * 0.45 * DAY_MS));
  const kpiFile = join(watch, '.droid', 'kpis.jsonl');
  writeFile(kpiFile, toJsonl(kpi));

  const usage: object[] = [];
  for (let n = 0; n < 12; n++) {
    usage.push({
      timestamp: new Date(start + n * 1.7 * DAY_MS).toISOString().replace('Z', ''),
      model: MODELS[n % MODELS.length],
      input_tokens: 1_000 + n * 311,
      output_tokens: 200 + n * 97,
      task_id: `kpi-task-${String(n).padStart(3, '0')}`,
      request_id: `req_${n}`,
      operation: n % 2 === 0 ? 'implement' : 'review',
      duration_ms: 4_000 + n * 150,
    });
  }
  writeFile(join(watch, 'scripts', '.droid_token_usage.jsonl'), toJsonl(usage));

  copy('vibeforge/workspaces', 'workspaces');
  for (const f of [
    'telemetry/events.jsonl',
    'telemetry/aggregate.json',
    'telemetry/session-20260216-143012.jsonl',
    'memory/workflow_metrics.jsonl',
    'reviews',
    'reviewers',
  ]) {
    copy(`wfc/${f}`, `wfc/${f}`);
  }
  copy('wvo/state', 'state');
  copy('board/work', 'work');
  // Not a task file the board accepts as written (no id); the board tests use their own.
  rmSync(join(watch, 'work/collaboration/inbox/task-no-id.yml'), { force: true });

  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  writeFile(
    join(watch, 'wfc', 'BYPASS-AUDIT.json'),
    JSON.stringify(
      {
        schema_version: '1.0',
        bypasses: [
          {
            bypass_id: 'BP-2026-0101',
            task_id: 'TASK-003',
            reason: 'Hotfix for search outage; SQL parameterisation follows in TASK-005.',
            bypassed_by: 'alice@example.com',
            created_at: iso(now - 3 * DAY_MS),
            expires_at: iso(now - 2 * DAY_MS),
            cs_at_bypass: 7.8,
            tier: 'important',
            revoked_at: null,
          },
          {
            bypass_id: 'BP-2026-0102',
            task_id: 'TASK-004',
            reason: 'Release freeze exception approved by CTO; key rotation in progress.',
            bypassed_by: 'bob@example.com',
            created_at: iso(now - 2 * 3_600_000),
            expires_at: iso(now + 22 * 3_600_000),
            cs_at_bypass: 9.3,
            tier: 'critical',
            revoked_at: iso(now - 3_600_000),
            revoked_by: 'carol@example.com',
          },
          {
            bypass_id: 'BP-2026-0103',
            task_id: 'TASK-006',
            reason: 'Reviewer outage (model provider 503s); manual review done by two humans.',
            bypassed_by: 'carol@example.com',
            created_at: iso(now - 30 * 60_000),
            expires_at: iso(now + 90 * 60_000),
            cs_at_bypass: 4.6,
            tier: 'moderate',
          },
        ],
      },
      null,
      2,
    ),
  );

  return {
    dir,
    watch,
    data,
    kpiFile,
    board: join(watch, 'work', 'collaboration'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
