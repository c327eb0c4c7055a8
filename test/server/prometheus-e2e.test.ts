/**
 * A real Prometheus scraping a real `vigil serve`, with the shipped rules loaded: the target is
 * up, series arrive, and the review-blocked and bypass-active alerts fire from fixture data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, createWorkspace, REPO, type Workspace } from '../cli/helpers.js';
import { waitForValue } from './streams-helpers.js';

let ws: Workspace | null = null;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
  ws?.cleanup();
  ws = null;
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

function start(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(cmd, args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

describe('Prometheus end to end', () => {
  it('scrapes /metrics, loads the shipped rules and fires the review and bypass alerts', async () => {
    ws = createWorkspace('vigil-prom-');
    const w = ws;
    const fixtures = join(REPO, 'test', 'fixtures', 'wfc');
    mkdirSync(join(w.dir, 'wfc'), { recursive: true });
    copyFileSync(
      join(fixtures, 'reviews', 'REVIEW-TASK-004.json'),
      join(w.dir, 'wfc', 'REVIEW-TASK-004.json'),
    );
    copyFileSync(join(fixtures, 'BYPASS-AUDIT.json'), join(w.dir, 'wfc', 'BYPASS-AUDIT.json'));
    const vigilPort = await freePort();
    const vigil = start(
      process.execPath,
      [BIN, 'serve', '--port', String(vigilPort), '--watch-only', '--watch', 'wfc'],
      w.dir,
      { VIGIL_DATA_DIR: w.data },
    );
    await waitForValue(
      async () => (await fetch(`http://127.0.0.1:${vigilPort}/healthz`)).ok,
      'vigil',
      20_000,
      100,
    );

    const promPort = await freePort();
    const config = join(w.dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${join(REPO, 'rules', 'vigil.rules.yml')}`,
        'scrape_configs:',
        '  - job_name: vigil',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${vigilPort}']`,
        '',
      ].join('\n'),
    );
    const prom = start(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(w.dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      w.dir,
    );
    const api = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/${path}`);
      return ((await res.json()) as { data: any }).data;
    };
    try {
      const rules = await waitForValue(
        async () => {
          const d = await api('rules');
          return d?.groups?.length ? d.groups : undefined;
        },
        'Prometheus to load the rules',
        30_000,
        100,
      );
      expect(
        rules.flatMap((g: { rules: { name: string }[] }) => g.rules.map((r) => r.name)),
      ).toEqual(
        expect.arrayContaining(['VigilReviewBlocked', 'VigilBypassActive', 'VigilKnowledgeDrift']),
      );
      await waitForValue(
        async () => (await api('targets')).activeTargets?.[0]?.health === 'up',
        'the vigil target to be up',
        30_000,
        100,
      );
      const firing = await waitForValue(
        async () => {
          const alerts = ((await api('alerts')).alerts ?? []) as {
            labels: Record<string, string>;
            state: string;
          }[];
          const names = alerts
            .filter((a) => a.state === 'firing')
            .map((a) => a.labels['alertname']);
          return names.includes('VigilReviewBlocked') && names.includes('VigilBypassActive')
            ? alerts
            : undefined;
        },
        'the review and bypass alerts to fire',
        30_000,
        100,
      );
      const blocked = firing.find((a) => a.labels['alertname'] === 'VigilReviewBlocked');
      expect(blocked?.labels['task_id']).toBe('TASK-004');
      const score = await api('query?query=vigil_review_consensus_score');
      expect(Number(score.result[0].value[1])).toBeCloseTo(9.3, 5);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- prometheus ---\n${prom.output().slice(-3000)}\n--- vigil ---\n${vigil.output().slice(-2000)}`,
        { cause: error },
      );
    }
  });
});
