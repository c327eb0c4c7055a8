import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { deriveId } from '../shared/fields.js';
import type { DocumentContext } from '../types.js';
import { wfcBypassAdapter } from './index.js';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/wfc');
const auditPath = join(fixtures, 'BYPASS-AUDIT.json');
const ctxFor = (file: string): DocumentContext => ({
  file,
  logicalPath: file,
  mtimeMs: Date.parse('2026-03-01T00:00:00Z'),
  previousDigest: null,
});
const parseText = (text: string, file = '/x/BYPASS-AUDIT.json') =>
  wfcBypassAdapter.parseDocument(text, ctxFor(file));
const auditText = readFileSync(auditPath, 'utf8');

describe('wfc-bypass adapter', () => {
  it('turns each record into a bypass_activated event with exact fields', () => {
    const { events, rejects } = parseText(auditText, auditPath);
    expect(rejects).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([
      'bypass_activated',
      'bypass_activated',
      'bypass_revoked',
      'bypass_activated',
    ]);
    expect(events[0]).toEqual({
      id: deriveId('wfc-bypass', 'BP-2026-0001'),
      type: 'bypass_activated',
      kind: 'bypass',
      ts: Date.parse('2026-02-19T16:55:00Z'),
      sessionId: null,
      taskId: 'TASK-003',
      phase: null,
      agentRole: null,
      model: null,
      status: 'started',
      durationMs: null,
      tokensIn: null,
      tokensOut: null,
      tokensCacheRead: null,
      tokensCacheWrite: null,
      costUsd: null,
      message: 'Hotfix for search outage; SQL parameterisation follows in TASK-005.',
      source: { adapter: 'wfc-bypass', file: auditPath, line: null, offset: null },
      attrs: {
        bypassId: 'BP-2026-0001',
        reason: 'Hotfix for search outage; SQL parameterisation follows in TASK-005.',
        by: 'alice@example.com',
        tier: 'important',
        csAtBypass: 7.8,
        expiresAtMs: Date.parse('2026-02-20T16:55:00Z'),
        revoked: false,
        revokedAtMs: null,
      },
    });
    for (const event of events) expect(() => VigilEvent.parse(event)).not.toThrow();
  });

  it('records revocations, and derives ids from task and time when bypass_id is absent', () => {
    const { events } = parseText(auditText, auditPath);
    const activationId = deriveId('wfc-bypass', 'BP-2026-0002');
    expect(events[1]?.attrs).toMatchObject({
      revoked: true,
      revokedAtMs: Date.parse('2026-02-20T13:02:10Z'),
      csAtBypass: 9.3,
      tier: 'critical',
    });
    expect(events[2]).toMatchObject({
      id: deriveId('wfc-bypass', activationId, 'revoked'),
      kind: 'bypass',
      status: 'cancelled',
      taskId: 'TASK-004',
      ts: Date.parse('2026-02-20T13:02:10Z'),
      attrs: { bypassId: 'BP-2026-0002', activationId, by: 'carol@example.com' },
    });
    const naiveCreated = Date.parse('2026-02-25T08:30:00Z');
    expect(events[3]).toMatchObject({
      id: deriveId('wfc-bypass', 'TASK-006', naiveCreated),
      ts: naiveCreated,
      attrs: { bypassId: null, revoked: false, expiresAtMs: Date.parse('2099-01-01T00:00:00Z') },
    });
  });

  it('accepts a bare array as well as { bypasses: [...] }', () => {
    const records = (JSON.parse(auditText) as { bypasses: unknown[] }).bypasses;
    const bare = parseText(JSON.stringify(records));
    const wrapped = parseText(auditText);
    expect(bare.rejects).toEqual([]);
    expect(bare.events.map((e) => e.id)).toEqual(wrapped.events.map((e) => e.id));
    expect(parseText('{"bypasses": []}')).toEqual({ events: [], rejects: [] });
  });

  it('rejects bad records one by one and keeps the good ones', () => {
    const file = join(fixtures, 'bad', 'BYPASS-AUDIT.json');
    const { events, rejects } = parseText(readFileSync(file, 'utf8'), file);
    expect(rejects.map((r) => r.message)).toEqual([
      'bypasses[1].reason: required field is missing',
      'bypasses[2].expires_at: must not be before created_at',
      'bypasses[3].tier: expected one of informational, moderate, important, critical',
      'bypasses[4].expires_at: expected an ISO-8601 date-time such as 2026-02-17T14:30:00Z',
      'bypasses[5]: expected an object',
      'bypasses[6]: duplicate of bypasses[0] (same bypass_id, or same task_id and created_at)',
      'bypasses[7].cs_at_bypass: expected a number from 0 to 10',
    ]);
    expect(rejects.every((r) => r.reason === 'schema' && r.line === null)).toBe(true);
    expect(events.map((e) => e.attrs['bypassId'])).toEqual(['BP-9']);
  });

  it.each([
    ['{"bypasses": ', 'invalid_document', 'invalid JSON: '],
    [
      '"BYPASS"',
      'invalid_document',
      'expected a JSON array of bypass records or an object with a "bypasses" array',
    ],
    ['{"records": []}', 'schema', 'bypasses: required field is missing'],
    ['{"bypasses": {}}', 'schema', 'bypasses: expected a JSON array'],
  ])('rejects the document %s', (text, reason, message) => {
    const { events, rejects } = parseText(text);
    expect(events).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason, line: null });
    expect(rejects[0]?.message).toContain(message);
  });

  it('is idempotent: the same text gives the same ids', () => {
    const a = parseText(auditText, '/a/BYPASS-AUDIT.json');
    const b = parseText(auditText, '/a/BYPASS-AUDIT.json');
    expect(a.events.map((e) => e.id)).toEqual(b.events.map((e) => e.id));
    expect(new Set(a.events.map((e) => e.id)).size).toBe(a.events.length);
  });

  it('keeps the activation id when a bypass is revoked later', () => {
    const doc = JSON.parse(auditText) as { bypasses: Record<string, unknown>[] };
    const before = parseText(JSON.stringify(doc)).events;
    const first = doc.bypasses[0];
    if (first) first['revoked_at'] = '2026-02-19T18:00:00Z';
    const after = parseText(JSON.stringify(doc)).events;
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after[1]).toMatchObject({
      type: 'bypass_revoked',
      attrs: { activationId: before[0]?.id },
    });
  });

  it('detects the audit trail by name, then by content', () => {
    expect(wfcBypassAdapter.detect('/repo/BYPASS-AUDIT.json', '')).toBeGreaterThan(0.9);
    expect(
      wfcBypassAdapter.detect('/repo/audit/bypasses.json', auditText.slice(0, 4096)),
    ).toBeGreaterThan(0.5);
    expect(wfcBypassAdapter.detect('/repo/REVIEW-TASK-001.json', '{"schema_version":"1.0"}')).toBe(
      0,
    );
    expect(
      wfcBypassAdapter.detect('/repo/bypass.md', '"cs_at_bypass": 1, "bypassed_by": "x"'),
    ).toBe(0);
  });
});
