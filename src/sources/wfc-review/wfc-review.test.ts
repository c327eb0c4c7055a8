import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { deriveId } from '../shared/fields.js';
import type { DocumentContext } from '../types.js';
import { wfcReviewAdapter } from './index.js';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/wfc');
const reviewPath = (task: string) => join(fixtures, 'reviews', `REVIEW-${task}.json`);
const badPath = (name: string) => join(fixtures, 'bad', name);
const ctxFor = (file: string): DocumentContext => ({
  file,
  logicalPath: file,
  mtimeMs: Date.parse('2026-03-01T00:00:00Z'),
  previousDigest: null,
});
const parseFile = (file: string) =>
  wfcReviewAdapter.parseDocument(readFileSync(file, 'utf8'), ctxFor(file));
const parseText = (text: string) =>
  wfcReviewAdapter.parseDocument(text, ctxFor('/x/REVIEW-T.json'));

const minimal = {
  schema_version: '1.0',
  task_id: 'T-1',
  completed_at: '2026-03-01T10:00:00Z',
  consensus: { cs: 1, tier: 'informational', passed: true, minority_protection_applied: false },
  findings: [],
  reviewers: [],
};

describe('wfc-review adapter', () => {
  it('turns REVIEW-TASK-001.json into a review_complete with exact fields', () => {
    const file = reviewPath('TASK-001');
    const { events, rejects } = parseFile(file);
    expect(rejects).toEqual([]);
    const completedAt = Date.parse('2026-02-17T14:30:00Z');
    const reviewId = deriveId('wfc-review', 'TASK-001', completedAt);
    expect(events[0]).toEqual({
      id: reviewId,
      type: 'review_complete',
      kind: 'review',
      ts: completedAt,
      sessionId: null,
      taskId: 'TASK-001',
      phase: null,
      agentRole: null,
      model: null,
      status: 'success',
      durationMs: 228_000,
      tokensIn: null,
      tokensOut: null,
      tokensCacheRead: null,
      tokensCacheWrite: null,
      costUsd: null,
      message: 'Moderate issues: session token refresh races and an unbounded cache.',
      source: { adapter: 'wfc-review', file, line: null, offset: null },
      attrs: {
        schema_version: '1.0',
        cs: 5.42,
        tier: 'moderate',
        passed: true,
        mpr_applied: false,
        findings_count: 3,
        reviewers: ['security', 'correctness', 'performance', 'maintainability', 'reliability'],
        reviewer_summaries: [
          { reviewer_id: 'security', score: 1.2, findings_count: 0, relevant: true },
          { reviewer_id: 'correctness', score: 6, findings_count: 1, relevant: true },
          { reviewer_id: 'performance', score: 4.5, findings_count: 1, relevant: true },
          { reviewer_id: 'maintainability', score: 2.5, findings_count: 1, relevant: true },
          { reviewer_id: 'reliability', score: 5.5, findings_count: 2, relevant: true },
        ],
        consensus_extra: { R_bar: 4.87, R_max: 6.3, k_total: 5, n: 5 },
      },
    });
  });

  it('emits one review_finding per finding with its location, reviewers and tier', () => {
    const { events } = parseFile(reviewPath('TASK-001'));
    const reviewId = events[0]?.id ?? '';
    const findings = events.filter((e) => e.type === 'review_finding');
    expect(findings).toHaveLength(3);
    const fingerprint = '9f2c4e71d0a8b3e5c6f7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6';
    expect(findings[0]).toMatchObject({
      id: deriveId('wfc-review', reviewId, 'finding', fingerprint),
      kind: 'review',
      status: null,
      taskId: 'TASK-001',
      agentRole: 'correctness',
      ts: Date.parse('2026-02-17T14:30:00Z'),
      message: expect.stringContaining('Token refresh reads and writes'),
    });
    expect(findings[0]?.attrs).toEqual({
      review_id: reviewId,
      fingerprint,
      index: 0,
      file: 'src/auth/session.py',
      line_start: 42,
      line_end: 57,
      reviewers: ['correctness', 'reliability'],
      category: 'race-condition',
      severity: 6.3,
      severity_tier: 'moderate',
      confidence: 8,
      description: findings[0]?.message,
    });
    for (const event of events) expect(() => VigilEvent.parse(event)).not.toThrow();
  });

  it.each([
    ['TASK-001', 'moderate', 'success', false, 3],
    ['TASK-002', 'informational', 'success', false, 4],
    ['TASK-003', 'important', 'blocked', true, 6],
    ['TASK-004', 'critical', 'blocked', true, 8],
  ])('reads %s: tier %s, status %s, MPR %s, %i findings', (task, tier, status, mpr, count) => {
    const { events, rejects } = parseFile(reviewPath(task));
    expect(rejects).toEqual([]);
    expect(events[0]).toMatchObject({
      status,
      attrs: { tier, mpr_applied: mpr, findings_count: count },
    });
    expect(events.filter((e) => e.type === 'review_finding')).toHaveLength(count);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('reads naive timestamps as UTC and accepts the id / reviewer_ids spellings', () => {
    const { events } = parseFile(reviewPath('TASK-002'));
    expect(events[0]?.ts).toBe(Date.parse('2026-02-18T09:05:03.456Z'));
    expect(events[0]?.durationMs).toBe(
      Date.parse('2026-02-18T09:05:03.456Z') - Date.parse('2026-02-18T09:02:41.118Z'),
    );
    expect(events[0]?.attrs['reviewer_summaries']).toContainEqual({
      reviewer_id: 'security',
      score: 0,
      findings_count: 0,
      relevant: false,
    });
    expect(events[2]?.attrs).toMatchObject({
      fingerprint: 'F-002-2',
      line_start: 30,
      line_end: 30,
      reviewers: ['correctness'],
    });
  });

  it('honours zone offsets', () => {
    const { events } = parseFile(reviewPath('TASK-003'));
    expect(events[0]?.ts).toBe(Date.parse('2026-02-19T15:47:30Z'));
    expect(events.at(-1)?.attrs['reviewers']).toEqual(['security', 'performance', 'reliability']);
  });

  it.each([
    [
      { ...minimal, schema_version: '2.0' },
      'schema_version: unsupported version "2.0"; supported versions: 1.0',
    ],
    [
      { ...minimal, schema_version: undefined },
      'schema_version: required field is missing; supported versions: 1.0',
    ],
    [{ ...minimal, task_id: undefined }, 'task_id: required field is missing'],
    [{ ...minimal, completed_at: 'yesterday' }, 'completed_at: expected an ISO-8601 date-time'],
    [
      { ...minimal, consensus: { ...minimal.consensus, tier: 'high' } },
      'consensus.tier: expected one of informational, moderate, important, critical',
    ],
    [
      { ...minimal, consensus: { ...minimal.consensus, cs: 12 } },
      'consensus.cs: expected a number from 0 to 10',
    ],
    [
      { ...minimal, consensus: { ...minimal.consensus, passed: undefined } },
      'consensus.passed: required field is missing',
    ],
    [{ ...minimal, findings: {} }, 'findings: expected an array of findings'],
  ])('rejects a bad document: %j', (doc, message) => {
    const { events, rejects } = parseText(JSON.stringify(doc));
    expect(events).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason: 'schema', line: null });
    expect(rejects[0]?.message).toContain(message);
  });

  it('rejects unreadable documents without throwing', () => {
    expect(parseFile(badPath('REVIEW-TASK-903.json')).rejects).toEqual([
      expect.objectContaining({
        reason: 'invalid_document',
        line: null,
        message: expect.stringMatching(/^invalid JSON: /),
      }),
    ]);
    expect(parseText('[1, 2]').rejects[0]).toMatchObject({ reason: 'not_an_object' });
    expect(parseText('').rejects[0]?.reason).toBe('invalid_document');
    expect(parseFile(badPath('REVIEW-TASK-901.json')).rejects[0]?.message).toBe(
      'schema_version: unsupported version "2.0"; supported versions: 1.0',
    );
  });

  it('rejects only the bad findings and reviewer summaries, keeping the rest', () => {
    const { events, rejects } = parseFile(badPath('REVIEW-TASK-902.json'));
    expect(rejects.map((r) => r.message)).toEqual([
      'reviewers[1].score: expected a number from 0 to 10',
      'findings[1].line_end: must not be before line_start',
      'findings[2].severity: expected a number from 0 to 10',
      'findings[3].severity_tier: expected one of informational, moderate, important, critical',
      'findings[4].reviewers: required field is missing',
      'findings[5]: expected an object',
    ]);
    expect(rejects.every((r) => r.line === null && r.reason === 'schema')).toBe(true);
    expect(events[0]?.attrs).toMatchObject({
      findings_count: 7,
      reviewers: ['correctness', 'maintainability'],
    });
    expect(events.slice(1).map((e) => e.attrs['fingerprint'])).toEqual(['b01', 'b07']);
    expect(Object.hasOwn(events[2]?.attrs ?? {}, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('is idempotent: the same text gives the same ids, wherever the file lives', () => {
    const text = readFileSync(reviewPath('TASK-004'), 'utf8');
    const a = wfcReviewAdapter.parseDocument(text, ctxFor('/a/REVIEW-TASK-004.json'));
    const b = wfcReviewAdapter.parseDocument(text, ctxFor('/b/REVIEW-TASK-004.json'));
    expect(a.events.map((e) => e.id)).toEqual(b.events.map((e) => e.id));
    const rerun = JSON.parse(text) as Record<string, unknown>;
    rerun['completed_at'] = '2026-02-21T08:00:00Z';
    const c = parseText(JSON.stringify(rerun));
    expect(c.events[0]?.id).not.toBe(a.events[0]?.id);
  });

  it('gives findings without a fingerprint an index-based id', () => {
    const finding = {
      file: 'a.py',
      line_start: 1,
      category: 'x',
      severity: 1,
      severity_tier: 'informational',
      description: 'd',
      reviewers: ['security'],
    };
    const { events } = parseText(JSON.stringify({ ...minimal, findings: [finding, finding] }));
    expect(events).toHaveLength(3);
    expect(events[1]?.id).not.toBe(events[2]?.id);
  });

  it('detects review exports by name, then by content', () => {
    const head = readFileSync(reviewPath('TASK-001'), 'utf8').slice(0, 4096);
    expect(wfcReviewAdapter.detect('/repo/REVIEW-TASK-001.json', head)).toBeGreaterThan(0.9);
    expect(wfcReviewAdapter.detect('C:\\repo\\REVIEW-TASK-001.json', '')).toBeGreaterThan(0.5);
    expect(wfcReviewAdapter.detect('/repo/out/review.json', head)).toBeGreaterThan(0.5);
    expect(wfcReviewAdapter.detect('/repo/REVIEW-TASK-001.md', '# Review')).toBe(0);
    expect(wfcReviewAdapter.detect('/repo/package.json', '{"name":"x","version":"1"}')).toBe(0);
    expect(wfcReviewAdapter.detect('/repo/.droid/kpis.jsonl', '{"event_id":"a"}')).toBe(0);
  });
});
