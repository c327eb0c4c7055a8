import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { deriveId } from '../shared/fields.js';
import type { DocumentContext } from '../types.js';
import { wfcKnowledgeAdapter } from './index.js';
import { parseEntry, sectionKey } from './schema.js';

const reviewers = join(import.meta.dirname, '../../../test/fixtures/wfc/reviewers');
const securityPath = join(reviewers, 'security', 'KNOWLEDGE.md');
const correctnessPath = join(reviewers, 'correctness', 'KNOWLEDGE.md');
const MTIME = Date.parse('2026-02-21T09:30:00Z') + 0.25;
const ctxFor = (file: string): DocumentContext => ({
  file,
  logicalPath: file,
  mtimeMs: MTIME,
  previousDigest: null,
});
const parseFile = (file: string) =>
  wfcKnowledgeAdapter.parseDocument(readFileSync(file, 'utf8'), ctxFor(file));
const parseText = (text: string, file = '/repo/wfc/reviewers/security/KNOWLEDGE.md') =>
  wfcKnowledgeAdapter.parseDocument(text, ctxFor(file));

describe('wfc-knowledge adapter', () => {
  it('turns each entry under a ## section into a knowledge_entry with exact fields', () => {
    const { events, rejects } = parseFile(securityPath);
    expect(rejects).toEqual([]);
    const text =
      'f-string SQL in request handlers is the most common injection source; flag any `execute(f"...")`.';
    expect(events[0]).toEqual({
      id: deriveId('wfc-knowledge', 'security', 'patterns_found', text),
      type: 'knowledge_entry',
      kind: 'knowledge',
      ts: Date.parse('2026-02-10T00:00:00Z'),
      sessionId: null,
      taskId: null,
      phase: null,
      agentRole: 'security',
      model: null,
      status: null,
      durationMs: null,
      tokensIn: null,
      tokensOut: null,
      tokensCacheRead: null,
      tokensCacheWrite: null,
      costUsd: null,
      message: text,
      source: { adapter: 'wfc-knowledge', file: securityPath, line: null, offset: null },
      attrs: {
        reviewer: 'security',
        section: 'patterns_found',
        entryDate: '2026-02-10',
        textLength: text.length,
        ref: null,
      },
    });
    for (const event of events) expect(() => VigilEvent.parse(event)).not.toThrow();
  });

  it('counts entries per section and ignores prose, code fences and items outside sections', () => {
    const { events } = parseFile(securityPath);
    const bySection: Record<string, number> = {};
    for (const e of events) {
      const section = String(e.attrs['section']);
      bySection[section] = (bySection[section] ?? 0) + 1;
    }
    expect(bySection).toEqual({ patterns_found: 5, false_positives: 2, incidents: 2 });
    expect(events.some((e) => e.message?.includes('this is code'))).toBe(false);
    expect(events.some((e) => e.message?.includes('above any section'))).toBe(false);
  });

  it('joins indented continuation lines and reads (source: REF, date) markers', () => {
    const { events } = parseFile(securityPath);
    expect(events[2]?.message).toBe(
      'Unbounded `limit` query parameters are a DoS vector; require an upper bound. Seen in the search and export endpoints.',
    );
    expect(events[3]).toMatchObject({
      ts: Date.parse('2026-02-20T00:00:00Z'),
      message: 'Webhook signatures must be compared with `hmac.compare_digest`, never `==`.',
      attrs: { entryDate: '2026-02-20', ref: 'TASK-004' },
    });
    expect(events[6]).toMatchObject({
      ts: Math.floor(MTIME),
      attrs: { section: 'false_positives', entryDate: null, ref: 'TASK-002' },
    });
    expect(events[8]).toMatchObject({
      ts: Math.floor(MTIME),
      message: 'Entry with an impossible date keeps its text but has no date.',
      attrs: { section: 'incidents', entryDate: null },
    });
  });

  it('takes the reviewer from the folder and collapses duplicate entries', () => {
    const { events } = parseFile(correctnessPath);
    expect(events.map((e) => [e.agentRole, e.attrs['section']])).toEqual([
      ['correctness', 'patterns_found'],
      ['correctness', 'patterns_found'],
      ['correctness', 'patterns_found'],
      ['correctness', 'patterns_found'],
      ['correctness', 'conventions'],
    ]);
    expect(events[4]?.message).toBe('Prefer `pathlib.Path` over `os.path` in new code.');
  });

  it('is idempotent, and an edited entry gets a new id while the others keep theirs', () => {
    const text = readFileSync(securityPath, 'utf8');
    const a = parseText(text).events.map((e) => e.id);
    const b = parseText(text).events.map((e) => e.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    const edited = parseText(
      text.replace('most common injection source', 'commonest injection source'),
    );
    const ids = edited.events.map((e) => e.id);
    expect(ids[0]).not.toBe(a[0]);
    expect(ids.slice(1)).toEqual(a.slice(1));
    const redated = parseText(text.replace('[2026-02-12]', '[2026-02-13]')).events.map((e) => e.id);
    expect(redated).toEqual(a);
  });

  it('never rejects: no sections, empty files, CRLF and odd lines are fine', () => {
    expect(parseText('')).toEqual({ events: [], rejects: [] });
    expect(parseText('# Title\n\nJust prose.\n- an item with no section\n')).toEqual({
      events: [],
      rejects: [],
    });
    const crlf = parseText(
      '\uFEFF## Lessons  ##\r\n- [2026-02-01] one\r\n-not an item\r\n+ two\r\n',
    );
    expect(crlf.rejects).toEqual([]);
    expect(crlf.events.map((e) => [e.attrs['section'], e.message])).toEqual([
      ['lessons', 'one'],
      ['lessons', 'two'],
    ]);
    const huge = `## A\n- ${'x'.repeat(100_000)} (source: ${'('.repeat(50_000)}\n${'#'.repeat(50_000)}\n`;
    const started = performance.now();
    expect(parseText(huge).events).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('derives section keys and entry parts', () => {
    expect(sectionKey('Patterns Found')).toBe('patterns_found');
    expect(sectionKey('  False Positives / Suppressions! ')).toBe('false_positives_suppressions');
    expect(parseEntry('[2026-02-10] text (source: PR #12, 2026-02-11)')).toEqual({
      text: 'text',
      date: '2026-02-10',
      ref: 'PR #12',
    });
    expect(parseEntry('text (source: 2026-02-11)')).toEqual({
      text: 'text',
      date: '2026-02-11',
      ref: null,
    });
    expect(parseEntry('[x] not a date')).toEqual({ text: '[x] not a date', date: null, ref: null });
  });

  it('detects knowledge files by path, then by content', () => {
    expect(
      wfcKnowledgeAdapter.detect('/repo/wfc/reviewers/security/KNOWLEDGE.md', ''),
    ).toBeGreaterThan(0.9);
    expect(
      wfcKnowledgeAdapter.detect('C:\\repo\\wfc\\reviewers\\security\\KNOWLEDGE.md', ''),
    ).toBeGreaterThan(0.9);
    expect(wfcKnowledgeAdapter.detect('/notes/KNOWLEDGE.md', '')).toBeGreaterThan(0.5);
    expect(
      wfcKnowledgeAdapter.detect('/notes/learnings.md', '## Patterns\n- [2026-02-10] x\n'),
    ).toBeGreaterThan(0);
    expect(wfcKnowledgeAdapter.detect('/repo/README.md', '# Readme\n\n- item\n')).toBe(0);
    expect(wfcKnowledgeAdapter.detect('/repo/REVIEW-TASK-001.json', '{}')).toBe(0);
  });
});
