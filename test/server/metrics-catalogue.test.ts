/**
 * /metrics over the real fixtures: every figure is recomputed here from the fixture files
 * themselves (raw JSON, not Vigil's adapters), the text scrape passes `promtool check metrics`,
 * OpenMetrics is negotiated, `wfc` reproduces seed 000's names, and hostile label values (S8)
 * still make a valid exposition.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../src/core/event.js';
import { metricsReady } from '../../src/server/metrics/index.js';
import { startTestHub, type TestHub } from './harness.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

// ---------------------------------------------------------------------------------------------
// Reading an exposition

interface Scrape {
  body: string;
  types: Map<string, string>;
  /** `name{label="value",...}` with label names sorted and values unescaped → value. */
  samples: Map<string, number>;
}

function unescapeLabel(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function key(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

function parseExposition(body: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('# HELP') || line === '# EOF') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = unescapeLabel(l[2]!);
    }
    samples.set(key(m[1]!, labels), Number(m[3]));
  }
  return { body, types, samples };
}

async function scrape(h: TestHub, accept?: string): Promise<Scrape & { contentType: string }> {
  // Everything stored at start is in, the usage breakdown of tokens_used_total included.
  await metricsReady(h.app);
  const res = await h.fetch('/metrics', accept ? { headers: { accept } } : undefined);
  expect(res.status).toBe(200);
  const body = await res.text();
  return { ...parseExposition(body), contentType: res.headers.get('content-type') ?? '' };
}

function value(s: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  return s.samples.get(key(name, labels));
}

/** Samples of one metric as `labels → value`, labels joined in the given order. */
function series(s: Scrape, name: string, labelNames: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of s.samples) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    const labels: Record<string, string> = {};
    for (const l of k.slice(name.length).matchAll(/([a-z_]+)=("(?:[^"\\]|\\.)*")/g)) {
      labels[l[1]!] = JSON.parse(l[2]!) as string;
    }
    out[labelNames.map((n) => labels[n]).join('|')] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// promtool

/** `promtool check metrics` lint findings allowed, by metric suffix (see docs/metrics.md). */
const SEED_LINT = ['knowledge_entries_total non-counter metrics should not have "_total" suffix'];

function promtool(args: string[], input?: string): { status: number; output: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (r.error) {
    throw new Error(
      `promtool could not run (${r.error.message}): run scripts/test.sh, which installs the Debian package prometheus`,
    );
  }
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Runs `promtool check metrics`; returns its findings other than the allowed seed-name lint. */
function checkMetrics(body: string, namespace: string): string[] {
  const { status, output } = promtool(['check', 'metrics'], body);
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const problems = lines.filter((l) => !SEED_LINT.some((lint) => l === `${namespace}_${lint}`));
  if (status !== 0 && lines.length === 0) problems.push(`promtool exited with ${status}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The fixtures, and what they say when read by hand

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const isBad = (p: string) => /\/bad\/|-bad\.|bad-lines/.test(p);

/** The good fixture files of wfc, kpi, token-usage, board and wvo, plus one file of bad lines. */
function fixtureFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const sub of ['wfc', 'kpi', 'token-usage', 'board', 'wvo']) {
    for (const path of walk(join(FIXTURES, sub))) {
      if (!isBad(path)) files[relative(FIXTURES, path)] = readFileSync(path, 'utf8');
    }
  }
  // Every line of this file is bad on purpose; named so it is read as a token-usage log.
  files['rejects/.droid_token_usage.jsonl'] = readFileSync(
    join(FIXTURES, 'token-usage', 'bad-lines.jsonl'),
    'utf8',
  );
  return files;
}

type Json = Record<string, unknown>;
const jsonLines = (rel: string): Json[] =>
  readFileSync(join(FIXTURES, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
const jsonFile = (rel: string): Json =>
  JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8')) as Json;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
/** WFC writes naive timestamps, which are UTC. */
const utc = (ts: unknown): number =>
  Date.parse(/Z|[+-]\d\d:\d\d$/.test(String(ts)) ? String(ts) : `${String(ts)}Z`);
const add = (m: Record<string, number>, k: string, n: number) => (m[k] = (m[k] ?? 0) + n);
/** Seed 000: 0 = healthy, 1 = needs_review; pruning is half-way. */
const DRIFT_BY_RECOMMENDATION: Record<string, number> = {
  healthy: 0,
  needs_pruning: 0.5,
  needs_review: 1,
};
const tierOf = (cs: number) =>
  cs < 4 ? 'informational' : cs < 7 ? 'moderate' : cs < 9 ? 'important' : 'critical';

interface Expected {
  reviewsByTier: Record<string, number>;
  mpr: number;
  latestScore: Record<string, number>;
  findings: Record<string, number>;
  drift: Record<string, number>;
  activeBypasses: number;
  usage: Record<string, number>;
  tokens: Record<string, number>;
  reportedCost: Record<string, number>;
  tasks: Record<string, number>;
  rejects: Record<string, number>;
}

function expectedFromFixtures(now: number): Expected {
  const e: Expected = {
    reviewsByTier: {},
    mpr: 0,
    latestScore: {},
    findings: {},
    drift: {},
    activeBypasses: 0,
    usage: {},
    tokens: {},
    reportedCost: {},
    tasks: {},
    rejects: {},
  };
  // Reviews: review_complete lines of events.jsonl (flat or nested under data) and REVIEW files.
  const reviews: { task: string; ts: number; cs: number; tier: string; mpr: boolean }[] = [];
  const wfcEvents = jsonLines('wfc/telemetry/events.jsonl');
  for (const line of wfcEvents) {
    const p = (typeof line['data'] === 'object' ? line['data'] : line) as Json;
    if (line['event'] === 'review_complete') {
      const cs = num(p['cs']);
      reviews.push({
        task: String(p['task_id']),
        ts: utc(line['timestamp']),
        cs,
        tier: typeof p['tier'] === 'string' ? p['tier'] : tierOf(cs),
        mpr: p['mpr_applied'] === true,
      });
    }
    if (line['event'] === 'drift_detected') {
      const byRecommendation = DRIFT_BY_RECOMMENDATION[String(p['recommendation'])];
      e.drift[String(p['reviewer_id'])] =
        typeof p['drift_score'] === 'number' ? p['drift_score'] : (byRecommendation ?? 1);
    }
    if (line['event'] === 'knowledge_updated') e.drift[String(p['reviewer_id'])] ??= 0;
  }
  for (const name of readdirSync(join(FIXTURES, 'wfc/reviews'))) {
    const doc = jsonFile(`wfc/reviews/${name}`);
    const c = doc['consensus'] as Json;
    reviews.push({
      task: String(doc['task_id']),
      ts: utc(doc['completed_at']),
      cs: num(c['cs']),
      tier: String(c['tier']),
      mpr: c['minority_protection_applied'] === true,
    });
    for (const f of doc['findings'] as Json[]) {
      // `reviewer_ids` is the export's alias of `reviewers`.
      for (const r of (f['reviewers'] ?? f['reviewer_ids']) as string[]) {
        add(e.findings, `${r}|${String(f['severity_tier'])}`, 1);
      }
    }
  }
  reviews.sort((a, b) => a.ts - b.ts);
  for (const r of reviews) {
    add(e.reviewsByTier, r.tier, 1);
    if (r.mpr) e.mpr += 1;
    e.latestScore[`${r.task}|${r.tier}`] = r.cs;
    for (const k of Object.keys(e.latestScore)) {
      if (k.startsWith(`${r.task}|`) && k !== `${r.task}|${r.tier}`) delete e.latestScore[k];
    }
  }
  // KNOWLEDGE.md reviewers (security, correctness) have no other drift event: score 0.
  for (const r of readdirSync(join(FIXTURES, 'wfc/reviewers'))) e.drift[r] ??= 0;
  // Bypasses: not revoked and not yet expired.
  for (const b of jsonFile('wfc/BYPASS-AUDIT.json')['bypasses'] as Json[]) {
    if (b['revoked_at'] == null && utc(b['expires_at']) > now) e.activeBypasses += 1;
  }

  // Usage, by model (tokens and reported cost) and by operation / complexity.
  const usage = (
    model: unknown,
    r: Json,
    names: [string, string, string, string],
    op: string | null,
  ) => {
    const m = typeof model === 'string' && model !== '' ? model : 'unknown';
    const [i, o, cr, cw] = names.map((n) => num(r[n]));
    add(e.tokens, `${m}|input`, i!);
    add(e.tokens, `${m}|output`, o!);
    add(e.tokens, `${m}|cache_read`, cr!);
    add(e.tokens, `${m}|cache_write`, cw!);
    if (typeof r['cost_usd'] === 'number') add(e.reportedCost, m, r['cost_usd']);
    add(e.usage, op ?? 'other|unknown', i! + o!);
  };
  const tokenUsageNames: [string, string, string, string] = [
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
  ];
  // One line per model call; a call logged twice (same request_id) is one call.
  const requests = new Set<unknown>();
  for (const r of jsonLines('token-usage/.droid_token_usage.jsonl')) {
    if (r['request_id'] != null && requests.has(r['request_id'])) continue;
    requests.add(r['request_id']);
    const op = typeof r['operation'] === 'string' ? r['operation'] : 'unknown';
    const line = {
      ...r,
      input_tokens: r['input_tokens'] ?? r['prompt_tokens'],
      output_tokens: r['output_tokens'] ?? r['completion_tokens'],
    };
    usage(r['model'], line, tokenUsageNames, `${op}|unknown`);
  }
  const wfcNames: [string, string, string, string] = ['tokens_input', 'tokens_output', '', ''];
  const kpiModels = new Map<string, unknown>();
  for (const r of jsonLines('kpi/kpis.jsonl')) {
    if (r['event_type'] === 'task_start') kpiModels.set(String(r['task_id']), r['model']);
    usage(kpiModels.get(String(r['task_id'])), r, wfcNames, null);
  }
  for (const r of jsonLines('wfc/telemetry/session-20260216-143012.jsonl')) {
    usage(null, r, wfcNames, `task|${String(r['complexity'])}`);
  }
  const wvoNames: [string, string, string, string] = [
    'tokens_in',
    'tokens_out',
    'tokens_cache_read',
    'tokens_cache_write',
  ];
  for (const r of jsonLines('wvo/state/analytics/task_events.jsonl')) {
    if (r['record'] === 'task') usage(r['model'], r, wvoNames, null);
  }
  for (const r of jsonLines('wvo/state/telemetry/operations.jsonl')) {
    if (r['record'] === 'operation')
      usage(r['model'], r, wvoNames, `${String(r['operation'])}|unknown`);
  }
  for (const k of Object.keys(e.usage)) if (e.usage[k] === 0) delete e.usage[k];

  // Tasks: the latest outcome of every task id, across the KPI log, WFC sessions and WFC
  // events, and WVO task records.
  const tasks = new Map<string, { ts: number; status: string | null }>();
  const seen = (id: unknown, ts: number, status: string | null) => {
    const t = tasks.get(String(id));
    if (t === undefined) tasks.set(String(id), { ts, status });
    else if (status !== null && ts >= t.ts) tasks.set(String(id), { ts, status });
  };
  const outcome: Record<string, string> = {
    success: 'success',
    done: 'success',
    failed: 'failure',
    failure: 'failure',
  };
  for (const r of jsonLines('kpi/kpis.jsonl')) {
    if (r['event_type'] === 'task_start') seen(r['task_id'], utc(r['timestamp']), null);
    if (r['event_type'] === 'task_end') {
      seen(r['task_id'], utc(r['timestamp']), outcome[String(r['status'])] ?? null);
    }
  }
  for (const r of jsonLines('wfc/telemetry/session-20260216-143012.jsonl')) {
    seen(r['task_id'], utc(r['timestamp']), outcome[String(r['status'])] ?? null);
  }
  for (const r of wfcEvents) {
    if (r['event'] === 'task_complete') {
      seen(r['task_id'], utc(r['timestamp']), outcome[String(r['status'])] ?? null);
    }
  }
  for (const r of jsonLines('wvo/state/analytics/task_events.jsonl')) {
    if (r['record'] === 'task') {
      seen(r['task_id'], utc(r['timestamp']), outcome[String(r['state'])] ?? null);
    }
  }
  for (const status of ['success', 'failure', 'timeout', 'other', 'incomplete']) {
    e.tasks[status] = 0;
  }
  for (const t of tasks.values()) add(e.tasks, t.status ?? 'incomplete', 1);

  // Rejects: every line of bad-lines.jsonl, by why it is bad.
  for (const line of readFileSync(join(FIXTURES, 'token-usage', 'bad-lines.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      add(e.rejects, 'invalid_json', 1);
      continue;
    }
    add(
      e.rejects,
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? 'schema'
        : 'not_an_object',
      1,
    );
  }
  return e;
}

/** List prices (USD per million tokens) of the priced fixture models, as shipped. */
const LIST_PRICES: Record<
  string,
  { input: number; output: number; cache_read: number; cache_write: number }
> = {
  'claude-sonnet-4-5': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'gpt-5-codex': { input: 1.25, output: 10, cache_read: 0.125, cache_write: 1.25 },
};

// ---------------------------------------------------------------------------------------------

describe('/metrics over the real fixtures', () => {
  it('reports exactly what the fixture files say, and promtool accepts it', async () => {
    hub = await startTestHub({ files: fixtureFiles() });
    const s = await scrape(hub);
    const e = expectedFromFixtures(Date.now());
    expect(s.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');

    expect(series(s, 'vigil_review_total', ['tier'])).toEqual(e.reviewsByTier);
    expect(value(s, 'vigil_review_mpr_applied_total')).toBe(e.mpr);
    expect(series(s, 'vigil_review_consensus_score', ['task_id', 'tier'])).toEqual(e.latestScore);
    expect(series(s, 'vigil_findings_total', ['reviewer', 'severity_tier'])).toEqual(e.findings);
    expect(series(s, 'vigil_knowledge_drift_score', ['reviewer'])).toEqual(e.drift);
    expect(value(s, 'vigil_bypass_active')).toBe(e.activeBypasses);
    expect(e.activeBypasses).toBe(1);
    // KNOWLEDGE.md, counted by hand: security has 5 entries under Patterns Found (the one
    // under "### Secrets" stays in that section), 2 False Positives, 2 Incidents (the bad date
    // keeps its entry); correctness 4 Patterns Found and 1 Convention (the two entries differ
    // only in spacing). events.jsonl reports 3 security patterns_found entries added (fewer than
    // the file shows) and 2 performance false_positives (no file): the larger figure wins.
    expect(series(s, 'vigil_knowledge_entries_total', ['reviewer', 'section'])).toEqual({
      'security|patterns_found': 5,
      'security|false_positives': 2,
      'security|incidents': 2,
      'correctness|patterns_found': 4,
      'correctness|conventions': 1,
      'performance|false_positives': 2,
    });

    expect(series(s, 'vigil_tokens_total', ['model', 'direction'])).toEqual(e.tokens);
    expect(series(s, 'vigil_tokens_used_total', ['operation', 'complexity'])).toEqual(e.usage);
    const sum = (r: Record<string, number>, f: (k: string) => boolean) =>
      Object.entries(r).reduce((a, [k, v]) => a + (f(k) ? v : 0), 0);
    expect(sum(e.usage, () => true)).toBe(
      sum(e.tokens, (k) => k.endsWith('|input') || k.endsWith('|output')),
    );
    expect(series(s, 'vigil_tasks', ['status'])).toEqual(e.tasks);
    expect(e.tasks).toMatchObject({ success: 7, failure: 3, incomplete: 1 });

    // Cost: priced models only, from the list prices; the others are counted as unpriced.
    const cost = series(s, 'vigil_cost_usd_total', ['model']);
    expect(Object.keys(cost).sort()).toEqual(Object.keys(LIST_PRICES).sort());
    for (const [model, p] of Object.entries(LIST_PRICES)) {
      const t = (d: string) => e.tokens[`${model}|${d}`] ?? 0;
      const usd =
        (t('input') * p.input +
          t('output') * p.output +
          t('cache_read') * p.cache_read +
          t('cache_write') * p.cache_write) /
        1e6;
      expect(cost[model]).toBeCloseTo(usd, 12);
    }
    const unpricedModels = [...new Set(Object.keys(e.tokens).map((k) => k.split('|')[0]!))].filter(
      (m) => !(m in LIST_PRICES),
    );
    const unpriced = series(s, 'vigil_cost_unpriced_tokens_total', ['model']);
    expect(Object.keys(unpriced).sort()).toEqual(unpricedModels.sort());
    for (const m of unpricedModels) {
      expect(unpriced[m]).toBe(sum(e.tokens, (k) => k.startsWith(`${m}|`)));
    }
    const reported = series(s, 'vigil_cost_reported_usd_total', ['model']);
    expect(Object.keys(reported).sort()).toEqual(Object.keys(e.reportedCost).sort());
    for (const [m, usd] of Object.entries(e.reportedCost)) expect(reported[m]).toBeCloseTo(usd, 9);

    // Ingest: rejects by reason, and every stored event counted once.
    expect(series(s, 'vigil_ingest_lines_rejected_total', ['reason'])).toEqual(e.rejects);
    expect(value(s, 'vigil_events_ingested_total')).toBe(await hub.hub.store.countEvents({}));
    expect(value(s, 'vigil_ingest_errors_total')).toBe(0);
    expect(value(s, 'vigil_ingest_lag_bytes')).toBe(0);
    expect(series(s, 'vigil_stream_clients', ['stream'])).toEqual({
      metrics_stream: 0,
      events_stream: 0,
      websocket: 0,
    });
    // The fixtures are from February 2026, long before the 24-hour window of this run.
    expect(series(s, 'vigil_tasks_last_24h', ['status'])).toEqual({
      success: 0,
      failure: 0,
      timeout: 0,
      other: 0,
      incomplete: 0,
    });
    expect(s.types.get('vigil_process_cpu_seconds_total')).toBe('counter');
    expect(value(s, 'vigil_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(s.types.has('vigil_nodejs_active_handles_total')).toBe(false);

    expect(checkMetrics(s.body, 'vigil')).toEqual([]);
  });

  it('reproduces seed 000 names, types, help and labels under the wfc namespace', async () => {
    hub = await startTestHub({
      files: fixtureFiles(),
      env: { VIGIL_METRICS_NAMESPACE: 'wfc' },
    });
    const s = await scrape(hub);
    // Seed 000, Phase 3: name, type, label names.
    const seed: [string, string, string[], string][] = [
      [
        'wfc_review_consensus_score',
        'gauge',
        ['task_id', 'tier'],
        'Consensus Score from the latest review',
      ],
      ['wfc_review_total', 'counter', ['tier'], 'Total reviews performed'],
      [
        'wfc_review_mpr_applied_total',
        'counter',
        [],
        'Reviews where Minority Protection Rule fired',
      ],
      [
        'wfc_findings_total',
        'counter',
        ['reviewer', 'severity_tier'],
        'Total findings by reviewer and severity tier',
      ],
      [
        'wfc_knowledge_entries_total',
        'gauge',
        ['reviewer', 'section'],
        'Knowledge entries per reviewer',
      ],
      [
        'wfc_knowledge_drift_score',
        'gauge',
        ['reviewer'],
        'Drift health score per reviewer (0=healthy, 1=needs_review)',
      ],
      ['wfc_bypass_active', 'gauge', [], 'Active emergency bypasses'],
      [
        'wfc_tokens_used_total',
        'counter',
        ['operation', 'complexity'],
        'Tokens consumed by WFC operations',
      ],
    ];
    for (const [name, type, labels, help] of seed) {
      expect(s.types.get(name), name).toBe(type);
      expect(s.body).toContain(`# HELP ${name} ${help}\n`);
      const keys = [...s.samples.keys()].filter((k) => k === name || k.startsWith(`${name}{`));
      expect(keys.length, name).toBeGreaterThan(0);
      for (const k of keys) {
        const names = [...k.slice(name.length).matchAll(/([a-z_]+)=/g)].map((m) => m[1]).sort();
        expect(names, k).toEqual([...labels].sort());
      }
    }
    expect(value(s, 'wfc_review_consensus_score', { task_id: 'TASK-004', tier: 'critical' })).toBe(
      9.3,
    );
    expect(value(s, 'wfc_bypass_active')).toBe(1);
    expect([...s.types.keys()].every((n) => n.startsWith('wfc_'))).toBe(true);
    // The one lint finding promtool has is seed 000's gauge named ..._total (docs/metrics.md).
    const lint = promtool(['check', 'metrics'], s.body);
    expect(lint.output.trim()).toBe(
      'wfc_knowledge_entries_total non-counter metrics should not have "_total" suffix',
    );
    expect(checkMetrics(s.body, 'wfc')).toEqual([]);
  });
});

describe('/metrics formats', () => {
  it('negotiates OpenMetrics from the Accept header and keeps the text format otherwise', async () => {
    hub = await startTestHub({ files: fixtureFiles() });
    const prometheusAccept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const om = await scrape(hub, prometheusAccept);
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('\n# EOF\n')).toBe(true);
    expect(om.body.split('\n').slice(0, -2)).not.toContain('');
    // Every sample belongs to the family its TYPE line opened; counters expose `_total`.
    let family: { name: string; type: string } | null = null;
    for (const line of om.body.split('\n').slice(0, -2)) {
      const t = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (t) {
        family = { name: t[1]!, type: t[2]! };
        if (family.type === 'counter') expect(family.name.endsWith('_total'), line).toBe(false);
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = /^[^{ ]+/.exec(line)![0];
      const allowed =
        family?.type === 'counter'
          ? [`${family.name}_total`]
          : family?.type === 'histogram'
            ? [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`]
            : [family?.name];
      expect(allowed, line).toContain(name);
    }
    expect(value(om, 'vigil_review_total', { tier: 'critical' })).toBe(1);
    expect(om.types.get('vigil_review')).toBe('counter');

    const text = await scrape(hub);
    expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.body).not.toContain('# EOF');
    // Rendering OpenMetrics does not rename the text format's counters.
    expect(text.types.get('vigil_review_total')).toBe('counter');
    expect(value(text, 'vigil_review_total', { tier: 'critical' })).toBe(1);
    for (const accept of [
      'text/plain;version=0.0.4',
      '*/*',
      'application/json',
      'text/plain;q=0.9,application/openmetrics-text;q=0.2',
    ]) {
      expect((await scrape(hub, accept)).contentType, accept).toMatch(/^text\/plain/);
    }
    expect((await scrape(hub, 'application/openmetrics-text')).contentType).toMatch(
      /^application\/openmetrics-text/,
    );
  });

  it('is guarded like every route: the API token is required when one is set', async () => {
    hub = await startTestHub({ env: { VIGIL_API_TOKEN: 'secret-token-1234' } });
    expect((await hub.fetch('/metrics')).status).toBe(401);
    const res = await hub.fetch('/metrics', {
      headers: { authorization: 'Bearer secret-token-1234' },
    });
    expect(res.status).toBe(200);
  });

  it('S8: label values with ", \\ and newlines still make a valid exposition', async () => {
    hub = await startTestHub();
    const nasty = 'rev "quoted" \\back\\slash\nnew line';
    const base = {
      ...EMPTY_EVENT_FIELDS,
      taskId: nasty,
      source: { adapter: 'test', file: null, line: null, offset: null },
      ts: Date.parse('2026-03-01T10:00:00Z'),
    } satisfies Partial<VigilEvent>;
    await hub.hub.ingestEvents([
      {
        ...base,
        id: 's8-1',
        type: 'review_finding',
        kind: 'review',
        attrs: { reviewers: [nasty], severity_tier: 'critical' },
      },
      {
        ...base,
        id: 's8-2',
        type: 'review_complete',
        kind: 'review',
        attrs: { cs: 8.5, tier: 'important' },
      },
      {
        ...base,
        id: 's8-3',
        type: 'knowledge_entry',
        kind: 'knowledge',
        attrs: { reviewer: nasty, section: nasty },
      },
      {
        ...base,
        id: 's8-4',
        type: 'drift_detected',
        kind: 'knowledge',
        attrs: { reviewer_id: nasty, drift_score: 0.75 },
      },
      {
        ...base,
        id: 's8-5',
        type: 'token_usage',
        kind: 'llm_call',
        model: nasty,
        tokensIn: 10,
        tokensOut: 5,
        attrs: { operation: nasty, complexity: nasty },
      },
    ]);
    {
      const s = await scrape(hub);
      expect(checkMetrics(s.body, 'vigil')).toEqual([]);
      expect(value(s, 'vigil_findings_total', { reviewer: nasty, severity_tier: 'critical' })).toBe(
        1,
      );
      expect(value(s, 'vigil_review_consensus_score', { task_id: nasty, tier: 'important' })).toBe(
        8.5,
      );
      expect(value(s, 'vigil_knowledge_entries_total', { reviewer: nasty, section: nasty })).toBe(
        1,
      );
      expect(value(s, 'vigil_knowledge_drift_score', { reviewer: nasty })).toBe(0.75);
      expect(value(s, 'vigil_tokens_used_total', { operation: nasty, complexity: nasty })).toBe(15);
      expect(value(s, 'vigil_tokens_total', { model: nasty, direction: 'input' })).toBe(10);
      expect(s.body).toContain('reviewer="rev \\"quoted\\" \\\\back\\\\slash\\nnew line"');
    }
    const om = await scrape(hub, 'application/openmetrics-text; version=1.0.0');
    expect(value(om, 'vigil_findings_total', { reviewer: nasty, severity_tier: 'critical' })).toBe(
      1,
    );
  });
});
