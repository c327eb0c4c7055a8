// Writes N seed-003 KPI events (task_start + task_end pairs, some reviews and errors) as JSONL.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';

const MODELS = [
  'gpt-5.3-codex',
  'claude-sonnet-4-5',
  'gemini-2.5-flash',
  'gpt-5-mini',
  'claude-opus-4-1',
];
const AGENTS = ['droid-review', 'droid-implement', 'droid-plan', 'droid-test'];
const STATUSES = [
  'success',
  'success',
  'success',
  'success',
  'success',
  'success',
  'success',
  'success',
  'failure',
  'timeout',
];

/** Deterministic PRNG so every run writes the same numbers (ids are random UUIDs). */
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function generateKpi(
  path,
  n,
  { start = Date.parse('2026-01-01T00:00:00Z'), days = 30, seed = 42 } = {},
) {
  const rand = mulberry32(seed);
  const out = createWriteStream(path);
  const step = (days * 86_400_000) / (n / 2);
  let written = 0;
  let bytes = 0;
  let chunk = [];
  const push = (o) => {
    const line = JSON.stringify(o) + '\n';
    chunk.push(line);
    bytes += line.length;
    written += 1;
  };
  for (let i = 0; written < n; i++) {
    const t0 = start + i * step;
    const task = `task_${seed}_${i.toString(36)}_${Math.floor(rand() * 1e6).toString(36)}`;
    const session = `sess_${seed}_${Math.floor(i / 40).toString(36)}`;
    const model = MODELS[Math.floor(rand() * MODELS.length)];
    const dur = Math.round(20 + rand() * 300);
    const agent = AGENTS[i % AGENTS.length];
    push({
      event_id: randomUUID(),
      event_type: 'task_start',
      timestamp: new Date(t0).toISOString(),
      task_id: task,
      session_id: session,
      model,
      agent,
      repo: 'fabrik/platform',
      branch: `feature/gap-${i % 50}-kpi-dashboard`,
    });
    if (written >= n) break;
    const status = STATUSES[Math.floor(rand() * STATUSES.length)];
    const end = {
      event_id: randomUUID(),
      event_type: 'task_end',
      timestamp: new Date(t0 + dur * 1000).toISOString(),
      task_id: task,
      session_id: session,
      tokens_input: Math.round(500 + rand() * 4000),
      tokens_output: Math.round(100 + rand() * 1500),
      duration_seconds: dur,
      status,
      agent,
      repo: 'fabrik/platform',
      branch: `feature/gap-${i % 50}-kpi-dashboard`,
    };
    if (status !== 'success')
      end.error_message = `Task failed: AssertionError in tests/test_${i % 97}.py line ${i % 400}`;
    push(end);
    if (chunk.length >= 10_000) {
      if (!out.write(chunk.join(''))) await new Promise((r) => out.once('drain', r));
      chunk = [];
    }
  }
  out.write(chunk.join(''));
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return { events: written, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path = 'kpis.jsonl', n = '1000000'] = process.argv.slice(2);
  const r = await generateKpi(path, Number(n));
  console.log(`wrote ${r.events} events, ${r.bytes} bytes to ${path}`);
}
