import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, REPO, type Workspace } from './helpers.js';
import { endEvent, startEvent, TASKS, type TaskRow } from './kpi-fixture.js';

// --help on every command, global flags, and usage errors (exit 2, never a stack trace).

let ws: Workspace;
beforeAll(async () => {
  ws = createWorkspace();
  ws.write(
    '.droid/kpis.jsonl',
    jsonl([startEvent(TASKS[1] as TaskRow), endEvent(TASKS[1] as TaskRow)]),
  );
  expect((await ws.run(['ingest'])).code).toBe(0);
});
afterAll(() => ws.cleanup());

const COMMANDS: Record<string, readonly string[]> = {
  ingest: ['--format', '--json', '--no-progress'],
  summary: ['--since', '--until', '--model', '--format'],
  export: [
    '--format',
    '--output',
    '--since',
    '--until',
    '--type',
    '--kind',
    '--session',
    '--task',
    '--model',
    '--status',
  ],
  events: [
    '--type',
    '--kind',
    '--session',
    '--task',
    '--model',
    '--since',
    '--until',
    '--latest',
    '--count',
    '--types',
    '--format',
    '--all',
    '--limit',
    '--cursor',
  ],
  sessions: ['--since', '--until', '--limit', '--format'],
  prune: ['--older-than', '--dry-run', '--json'],
  sanitize: ['--field', '--dry-run', '--json'],
  sources: ['--json'],
  formats: ['--json'],
  doctor: ['--json'],
};

describe('--help', () => {
  it('vigil --help: exit 0, every command, the global flags and the exit codes', async () => {
    const r = await ws.run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: vigil \[options\] \[command\]\n/);
    for (const cmd of Object.keys(COMMANDS))
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    for (const flag of ['--data-dir', '--config', '--quiet', '--version', '--help'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain(
      'Exit codes: 0 ok, 1 no data for the period, 2 parse or usage error, 3 file not found, permission or disk error.',
    );
  });

  it.each(Object.entries(COMMANDS))(
    'vigil %s --help: exit 0 and mentions its flags',
    async (cmd, flags) => {
      const r = await ws.run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: vigil ${cmd} `));
      for (const flag of [...flags, '--help']) expect(r.stdout).toContain(flag);
    },
  );

  it('the seed-003 commands state their exit codes in their help', async () => {
    expect((await ws.run(['ingest', '--help'])).stdout).toContain(
      'Exit codes: 0 ok, 2 some lines were rejected (the rest were stored), 3 a file was not found,',
    );
    expect((await ws.run(['summary', '--help'])).stdout).toContain('1 no data for the period');
    expect((await ws.run(['export', '--help'])).stdout).toContain(
      'Exit codes: 0 ok, 1 no events in the range',
    );
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = await ws.run(['--version']);
    expect([r.code, r.stdout]).toEqual([0, `${version}\n`]);
  });
});

describe('usage errors exit 2', () => {
  it.each(Object.keys(COMMANDS))('vigil %s --no-such-flag', async (cmd) => {
    // sanitize checks its required --field before unknown options, so give it one.
    const r = await ws.run([
      cmd,
      ...(cmd === 'sanitize' ? ['--field', 'error_message'] : []),
      '--no-such-flag',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--no-such-flag'");
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--no-such-flag'], "error: unknown option '--no-such-flag'"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [
      ['summary', '--format', 'xml'],
      "argument 'xml' is invalid. Allowed choices are table, json, csv.",
    ],
    [
      ['export', '--format', 'table'],
      "argument 'table' is invalid. Allowed choices are json, csv.",
    ],
    [['sanitize'], "error: required option '--field <name>' not specified"],
    [
      ['sanitize', '--field', 'prompt_text'],
      '--field prompt_text: expected one of error_message, message, attrs',
    ],
    [['summary', '--since', '10/02/2026'], 'Invalid date for --since: 10/02/2026. Use YYYY-MM-DD'],
    [['summary', '--until', 'tomorrow'], 'Invalid date for --until: tomorrow.'],
    [
      ['prune', '--older-than', 'ninety'],
      '--older-than ninety: expected a duration such as 90d, 12h or 2w',
    ],
    [['events', '--kind', 'telepathy'], '--kind telepathy: expected one of task, llm_call'],
    [['events', '--status', 'ok'], '--status ok: expected one of started, success'],
  ])('vigil %j', async (args, message) => {
    const r = await ws.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  // Bad numbers for numeric options are usage errors too, not crashes (exit 70 with a stack).
  it.each([
    [['events', '--latest', '0']],
    [['events', '--latest', '-3']],
    [['events', '--limit', 'many']],
    [['sessions', '--limit', 'abc']],
  ])('vigil %j is a usage error, not an internal error', async (args) => {
    const r = await ws.run(args);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(2);
  });
});

describe('global flags', () => {
  it('--data-dir selects the database folder, over VIGIL_DATA_DIR', async () => {
    const other = join(ws.dir, 'other-data');
    const r = await ws.run(['--data-dir', other, 'ingest', '.droid/kpis.jsonl']);
    expect(r.code).toBe(0);
    expect(existsSync(join(other, 'vigil.db'))).toBe(true);
    expect(r.stderr).toMatch(/^ingested 2 events/m);
    expect((await ws.run(['--data-dir', other, 'events', '--count'])).stdout).toBe('2\n');
  });

  it('--quiet keeps the result quiet but still prints rejects', async () => {
    ws.write('q/kpis.jsonl', jsonl([startEvent(TASKS[2] as TaskRow), '{']));
    const r = await ws.run(['--quiet', 'ingest', 'q/kpis.jsonl']);
    expect(r.code).toBe(2);
    expect(ws.rel(r.stderr)).toMatch(/^q\/kpis\.jsonl:2: invalid JSON: [^\n]+\n$/);
  });
});
