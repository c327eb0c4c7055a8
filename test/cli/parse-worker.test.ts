import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { REPO, runVigil } from './helpers.js';

const FIXTURES = join(REPO, 'test', 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'vigil-worker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every line-format fixture, good and bad: each is read by its own adapter's module. */
const LINE_FILES = [
  'kpi/kpis.jsonl',
  'token-usage/.droid_token_usage.jsonl',
  'token-usage/bad-lines.jsonl',
  'vibeforge/workspaces/sess_20260216_a1/events.jsonl',
  'vibeforge/bad-lines.jsonl',
  'wfc/telemetry/session-20260216-143012.jsonl',
  'wfc/telemetry/session-bad.jsonl',
  'wfc/telemetry/events.jsonl',
  'wfc/telemetry/events-bad.jsonl',
  'wfc/memory/workflow_metrics.jsonl',
  'wfc/memory/workflow_metrics-bad.jsonl',
  'wvo/state/telemetry/operations.jsonl',
  'wvo/state/analytics/task_events.jsonl',
  'wvo/state/analytics/quality_gate_decisions.jsonl',
  'wvo/bad/operations.jsonl',
];

/** Ingests in a fresh data dir with the parsing worker on or off; what the CLI reports. */
async function ingestWith(worker: 'always' | 'never', args: string[], cwd: string) {
  const dataDir = join(work, `${worker}-${Math.random().toString(36).slice(2)}`);
  const env = { VIGIL_INGEST_WORKER: worker };
  const ingest = await runVigil(['--data-dir', dataDir, 'ingest', ...args, '--json'], {
    cwd,
    env,
  });
  const {
    seconds: _s,
    peak_rss_bytes: _r,
    ...result
  } = JSON.parse(ingest.stdout) as Record<string, unknown>;
  const events = await runVigil(
    ['--data-dir', dataDir, 'events', '--format', 'json', '--limit', '10000'],
    { cwd, env },
  );
  return { code: ingest.code, stderr: ingest.stderr, result, events: events.stdout };
}

describe('ingest in the parsing worker', () => {
  it.each(LINE_FILES)('stores and rejects exactly what one thread does: %s', async (file) => {
    const path = join(FIXTURES, file);
    const inThread = await ingestWith('never', [path], work);
    const inWorker = await ingestWith('always', [path], work);
    expect(inWorker).toEqual(inThread);
    expect(JSON.parse(inWorker.events)).not.toEqual([]);
  });
});
