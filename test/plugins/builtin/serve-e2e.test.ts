/**
 * End to end through a real `vigil serve`: the built-in plugins enabled in vigil.toml, a KPI
 * line appended to a watched file, the record arriving at a real rsyslogd over TCP and an alert
 * at a local HTTP server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, createWorkspace, jsonl, uuid, type Workspace } from '../../cli/helpers.js';
import { waitUntil } from './context.js';
import { startRsyslog, type Rsyslog } from './rsyslog.js';

let ws: Workspace | null = null;
let rsyslog: Rsyslog | null = null;
const children: ChildProcess[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const close of closers.splice(0)) await close();
  await rsyslog?.stop();
  rsyslog = null;
  ws?.cleanup();
  ws = null;
});

const kpi = (n: number, status: string) => ({
  event_id: uuid(n),
  event_type: 'task_end',
  timestamp: new Date().toISOString(),
  task_id: `syslog-task-${n}`,
  status,
  model: 'claude-sonnet-4-5',
  tokens_input: 1200,
  tokens_output: 300,
  duration_seconds: 42,
});

describe('vigil serve with the built-in plugins', () => {
  it('sends a KPI line appended to a watched file to rsyslog and a failure-rate alert to a webhook', async () => {
    ws = createWorkspace('vigil-serve-plugins-');
    rsyslog = await startRsyslog();
    const alerts: Record<string, unknown>[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => hook.close(resolve)));
    const hookPort = (hook.address() as { port: number }).port;

    writeFileSync(
      join(ws.dir, 'vigil.toml'),
      [
        '[plugins.log-export]',
        'enabled = true',
        'target = "syslog"',
        'syslog_protocol = "tcp"',
        `syslog_port = ${rsyslog.tcpPort}`,
        '',
        '[plugins.webhook]',
        'enabled = true',
        `url = "http://127.0.0.1:${hookPort}/alerts"`,
        'rules = ["failure_rate_over_threshold"]',
        'failure_rate_window = 4',
        'failure_rate_min_tasks = 4',
        '',
      ].join('\n'),
    );
    const file = join(ws.dir, 'kpis.jsonl');
    writeFileSync(file, '');

    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--watch-only', '--watch', 'kpis.jsonl'],
      {
        cwd: ws.dir,
        env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', HOME: ws.dir, VIGIL_DATA_DIR: ws.data },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const output = () => `stdout:\n${out}\nstderr:\n${err}`;

    await waitUntil(
      () => /listening on http:\/\/\S+/.test(out),
      () => `serve to listen\n${output()}`,
      30_000,
    );
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
    let states: Record<string, string> = {};
    await waitUntil(
      () => {
        void fetch(`${url}/api/plugins`)
          .then((r) => r.json() as Promise<{ plugins: { name: string; state: string }[] }>)
          .then((body) => {
            states = Object.fromEntries(body.plugins.map((p) => [p.name, p.state]));
          })
          .catch(() => {});
        return states['log-export'] === 'running' && states['webhook'] === 'running';
      },
      () => `both plugins running, got ${JSON.stringify(states)}\n${output()}`,
      30_000,
    );

    appendFileSync(file, jsonl([kpi(1, 'success')]));
    const received = () => rsyslog!.lines().filter((l) => l.msgId === 'task_end');
    await waitUntil(
      () => received().length === 1,
      () => `the record at rsyslog\n${output()}`,
      30_000,
    );
    const [line] = received();
    expect(line).toMatchObject({
      pri: 134,
      appName: 'vigil',
      params: { event_id: uuid(1), kind: 'task' },
    });
    expect(JSON.parse(line!.msg)).toMatchObject({
      level: 'INFO',
      source: 'vigil.task',
      event_type: 'task_end',
      task_id: 'syslog-task-1',
      status: 'success',
      model: 'claude-sonnet-4-5',
      duration_seconds: 42,
      tokens: 1500,
    });

    appendFileSync(file, jsonl([kpi(2, 'failure'), kpi(3, 'failure'), kpi(4, 'success')]));
    await waitUntil(
      () => alerts.length === 1,
      () => `the failure-rate alert\n${output()}`,
      30_000,
    );
    expect(alerts[0]).toMatchObject({
      rule: 'failure_rate_over_threshold',
      severity: 'critical',
      details: { failed: 2, ended: 4 },
      event: { event_id: uuid(4), event_type: 'task_end' },
    });
    await waitUntil(
      () => received().length === 4,
      () => `all four records\n${output()}`,
      30_000,
    );

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).not.toMatch(/plugin (log-export|webhook): (warn|error)/);
  });
});
