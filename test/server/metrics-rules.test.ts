/**
 * The shipped alert rules: promtool accepts both files, their unit tests pass, the wfc file is
 * seed 000's rules unchanged, every metric they name exists, and the rules fire on what a real
 * scrape of the fixtures exposes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { CATALOGUE, metricsReady } from '../../src/server/metrics/index.js';
import { startTestHub, type TestHub } from './harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RULES = join(ROOT, 'rules');
const FIXTURES = join(ROOT, 'test', 'fixtures');

let hub: TestHub | null = null;
let tmp: string | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
  if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
});

function promtool(args: string[], cwd = RULES): { status: number; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (r.error) {
    throw new Error(
      `promtool could not run (${r.error.message}): run scripts/test.sh, which installs the Debian package prometheus`,
    );
  }
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rulesOf = (file: string): Rule[] =>
  (
    parse(readFileSync(join(RULES, file), 'utf8')) as { groups: { rules: Rule[] }[] }
  ).groups.flatMap((g) => g.rules);

describe('shipped alert rules', () => {
  it('pass promtool check rules and their unit tests', () => {
    const check = promtool(['check', 'rules', 'vigil.rules.yml', 'wfc.rules.yml']);
    expect(check.output).toContain('SUCCESS: 5 rules found');
    expect(check.output).toContain('SUCCESS: 3 rules found');
    expect(check.status).toBe(0);
    const tests = promtool(['test', 'rules', 'vigil.rules.test.yml', 'wfc.rules.test.yml']);
    expect(tests.output, tests.output).not.toContain('FAILED');
    expect(tests.status).toBe(0);
  });

  it('wfc.rules.yml is seed 000 Phase 3, rule for rule', () => {
    const text = readFileSync(join(RULES, 'wfc.rules.yml'), 'utf8');
    // Seed 000's text, verbatim.
    expect(text).toContain(
      [
        '      - alert: WFCReviewBlocked',
        '        expr: wfc_review_consensus_score > 7.0',
        '        for: 0m',
        '        labels:',
        '          severity: warning',
        '        annotations:',
        '          summary: "Review blocked (CS={{ $value }})"',
        '',
        '      - alert: WFCKnowledgeDrift',
        '        expr: wfc_knowledge_drift_score > 0.5',
        '        for: 24h',
        '        labels:',
        '          severity: info',
        '        annotations:',
        '          summary: "Knowledge drift detected for {{ $labels.reviewer }}"',
        '',
        '      - alert: WFCBypassActive',
        '        expr: wfc_bypass_active > 0',
        '        for: 0m',
        '        labels:',
        '          severity: warning',
        '        annotations:',
        '          summary: "{{ $value }} active emergency bypass(es)"',
      ].join('\n'),
    );
    const doc = parse(text) as unknown;
    expect(doc).toEqual({
      groups: [
        {
          name: 'wfc',
          rules: [
            {
              alert: 'WFCReviewBlocked',
              expr: 'wfc_review_consensus_score > 7.0',
              for: '0m',
              labels: { severity: 'warning' },
              annotations: { summary: 'Review blocked (CS={{ $value }})' },
            },
            {
              alert: 'WFCKnowledgeDrift',
              expr: 'wfc_knowledge_drift_score > 0.5',
              for: '24h',
              labels: { severity: 'info' },
              annotations: { summary: 'Knowledge drift detected for {{ $labels.reviewer }}' },
            },
            {
              alert: 'WFCBypassActive',
              expr: 'wfc_bypass_active > 0',
              for: '0m',
              labels: { severity: 'warning' },
              annotations: { summary: '{{ $value }} active emergency bypass(es)' },
            },
          ],
        },
      ],
    });
  });

  it('vigil.rules.yml has the seed alerts under vigil names, plus cost and failure rate', () => {
    const rules = rulesOf('vigil.rules.yml');
    expect(rules.map((r) => [r.alert, r.for, r.labels['severity']])).toEqual([
      ['VigilReviewBlocked', '0m', 'warning'],
      ['VigilKnowledgeDrift', '24h', 'info'],
      ['VigilBypassActive', '0m', 'warning'],
      ['VigilDailyCostOverBudget', '0m', 'warning'],
      ['VigilTaskFailureRateHigh', '15m', 'warning'],
    ]);
    expect(rules[0]?.expr).toBe('vigil_review_consensus_score > 7.0');
    expect(rules[1]?.expr).toBe('vigil_knowledge_drift_score > 0.5');
    expect(rules[2]?.expr).toBe('vigil_bypass_active > 0');
    const docs = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
    for (const r of rules) expect(docs).toContain(r.alert);
  });

  it('docs/metrics.md lists every metric with its type and labels', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8').split('\n');
    for (const def of CATALOGUE) {
      const row = docs.find((l) => new RegExp(`^\\| \`vigil_${def.name}\` +\\|`).test(l));
      expect(row, def.name).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      // Seed rows also name the metric under wfc: | vigil | wfc | type | labels | meaning |
      const [type, labels] = def.seed ? [cells[3], cells[4]] : [cells[2], cells[3]];
      if (def.seed) expect(cells[2]).toBe(`\`wfc_${def.name}\``);
      expect(type, def.name).toBe(def.type);
      expect(labels, def.name).toBe(
        def.labels.length ? def.labels.map((l) => `\`${l}\``).join(', ') : '—',
      );
    }
  });

  it('names only metrics the hub exposes, in its namespace', () => {
    const names = new Set(CATALOGUE.map((d) => d.name));
    for (const [file, ns] of [
      ['vigil.rules.yml', 'vigil'],
      ['wfc.rules.yml', 'wfc'],
    ] as const) {
      for (const r of rulesOf(file)) {
        const used = [...r.expr.matchAll(new RegExp(`\\b${ns}_([a-z0-9_]+)`, 'g'))];
        expect(used.length, r.alert).toBeGreaterThan(0);
        for (const m of used) expect(names.has(m[1]!), `${m[0]} in ${r.alert}`).toBe(true);
      }
    }
  });

  it('fire on what a scrape of the fixtures exposes', async () => {
    const files: Record<string, string> = {};
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    for (const path of walk(join(FIXTURES, 'wfc'))) {
      if (!/\/bad\/|-bad\./.test(path))
        files[relative(FIXTURES, path)] = readFileSync(path, 'utf8');
    }
    hub = await startTestHub({ files });
    await metricsReady(hub.app);
    const body = await (await hub.fetch('/metrics')).text();
    // Every sample of the families the rules read, held for 26 hours.
    const families = [
      'vigil_review_consensus_score',
      'vigil_knowledge_drift_score',
      'vigil_bypass_active',
    ];
    const series = body
      .split('\n')
      .filter((l) =>
        families.some((f) => l === f || l.startsWith(`${f}{`) || l.startsWith(`${f} `)),
      )
      .map((l) => {
        const at = l.lastIndexOf(' ');
        return { series: l.slice(0, at), values: `${l.slice(at + 1)}x1560` };
      });
    expect(series.length).toBeGreaterThan(5);
    const alerts = (
      name: string,
      labels: Record<string, string>[],
      annotations: Record<string, string>[],
    ) => labels.map((l, i) => ({ exp_labels: l, exp_annotations: annotations[i] }));
    const blocked = (task: string, tier: string, cs: string) => ({
      summary: `Review blocked (CS=${cs})`,
      description: `The latest review of ${task} scored ${cs} (tier ${tier}); WFC blocks merging at 7.0 and above.`,
    });
    const test = {
      rule_files: [join(RULES, 'vigil.rules.yml')],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            {
              eval_time: '5m',
              alertname: 'VigilReviewBlocked',
              // TASK-003 was re-reviewed at 7.8, TASK-004 at 9.3; the others are below 7.
              exp_alerts: alerts(
                'VigilReviewBlocked',
                [
                  { severity: 'warning', task_id: 'TASK-003', tier: 'important' },
                  { severity: 'warning', task_id: 'TASK-004', tier: 'critical' },
                ],
                [blocked('TASK-003', 'important', '7.8'), blocked('TASK-004', 'critical', '9.3')],
              ),
            },
            {
              eval_time: '5m',
              alertname: 'VigilBypassActive',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning' },
                  exp_annotations: {
                    summary: '1 active emergency bypass(es)',
                    description:
                      'Emergency bypasses that are neither revoked nor expired; see BYPASS-AUDIT.json.',
                  },
                },
              ],
            },
            { eval_time: '5m', alertname: 'VigilKnowledgeDrift', exp_alerts: [] },
            {
              eval_time: '25h',
              alertname: 'VigilKnowledgeDrift',
              exp_alerts: [
                {
                  exp_labels: { severity: 'info', reviewer: 'security' },
                  exp_annotations: {
                    summary: 'Knowledge drift detected for security',
                    description:
                      'The knowledge of reviewer security has needed review (drift score 1) for 24 hours.',
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    tmp = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
    writeFileSync(join(tmp, 'scrape.test.yml'), JSON.stringify(test, null, 2));
    const result = promtool(['test', 'rules', 'scrape.test.yml'], tmp);
    expect(result.output, result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });
});
