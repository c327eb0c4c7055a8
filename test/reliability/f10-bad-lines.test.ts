/**
 * F10: malformed JSON, invalid UTF-8, wrong schema, unknown event type. Each is reported as
 * `path:LINE: reason` on stderr with its own line number, the line after it is ingested, and the
 * run exits with 2 (seed 003: "some lines were rejected, the rest were stored").
 */
import { writeFileSync } from 'node:fs';

import { afterAll, expect, test } from 'vitest';

import {
  agentLine,
  allEvents,
  createRng,
  createSandbox,
  doctor,
  kpiLine,
  PARSE_MODES,
  rejectsOf,
  storedIds,
  vigil,
  type Sandbox,
} from './helpers.js';

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

test.concurrent.each(PARSE_MODES)(
  'F10 KPI ($name): each bad line reported with file:line and reason, the next line stored, exit 2',
  async (mode) => {
    const box = createSandbox('vigil-rel-', { ...mode.env });
    boxes.push(box);
    const file = box.file('.droid/kpis.jsonl');
    const rng = createRng(1010);
    const good = () => kpiLine(rng);
    const goodBefore = good();
    const bad: { line: Buffer; reason: RegExp }[] = [
      { line: Buffer.from('{"event_id": "x", "event_type": '), reason: /invalid JSON/ },
      {
        line: Buffer.concat([
          Buffer.from('{"event_id":"'),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"}'),
        ]),
        reason: /not valid UTF-8/,
      },
      {
        line: Buffer.from(
          JSON.stringify({
            event_id: '0b6f0c1e-7d0c-4b7a-9a57-1c6d3e6f2a10',
            event_type: 'task_start',
            timestamp: '2026-02-16T14:30:00Z',
          }),
        ),
        reason: /task_id: required field is missing/,
      },
      {
        line: Buffer.from(
          JSON.stringify({
            event_id: '0b6f0c1e-7d0c-4b7a-9a57-1c6d3e6f2a11',
            event_type: 'task_end',
            timestamp: '2026-02-16T14:30:00Z',
            task_id: 't',
            tokens_input: -5,
          }),
        ),
        reason: /tokens_input: must not be negative/,
      },
      {
        line: Buffer.from(
          JSON.stringify({
            event_id: '0b6f0c1e-7d0c-4b7a-9a57-1c6d3e6f2a12',
            event_type: 'task_teleported',
            timestamp: '2026-02-16T14:30:00Z',
            task_id: 't',
          }),
        ),
        reason: /event_type: expected one of task_start/,
      },
      { line: Buffer.from('[1, 2, 3]'), reason: /expected a JSON object/ },
    ];
    const after = bad.map(() => good());
    // Layout: good, then each bad line followed by a good one; line numbers are 1-based.
    const parts: Buffer[] = [Buffer.from(`${goodBefore.line}\n`)];
    const expectedLines = new Map<number, RegExp>();
    let lineNo = 1;
    bad.forEach((b, i) => {
      parts.push(b.line, Buffer.from('\n'));
      lineNo += 1;
      expectedLines.set(lineNo, b.reason);
      parts.push(Buffer.from(`${(after[i] as { line: string }).line}\n`));
      lineNo += 1;
    });
    writeFileSync(file, Buffer.concat(parts));

    const r = await vigil(box, ['ingest', file]);
    expect(r.code, r.stderr).toBe(2);
    const rejects = rejectsOf(box, r.stderr, file);
    expect([...rejects.keys()].sort((a, b) => a - b)).toEqual([...expectedLines.keys()]);
    for (const [n, reason] of expectedLines) expect(rejects.get(n), `line ${n}`).toMatch(reason);

    const ids = await storedIds(box);
    expect(ids.length).toBe(1 + bad.length);
    expect(new Set(ids)).toEqual(new Set([goodBefore.id, ...after.map((a) => a.id)]));
    expect((await doctor(box)).ok).toBe(true);

    // A rerun reads nothing again: the rejects are not reported twice.
    const again = await vigil(box, ['ingest', '--json', file]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 0, rejected: 0 });
  },
);

test.concurrent(
  'F10 seed-002: bad JSON, invalid UTF-8, wrong schema reported by line; unknown types kept',
  async () => {
    const box = createSandbox();
    boxes.push(box);
    const file = box.file('workspaces/s1/events.jsonl');
    const lines: Buffer[] = [
      Buffer.from(agentLine('s1', 'one')), // 1
      Buffer.from('{"event_type": "info", "timestamp": '), // 2 invalid JSON
      Buffer.from(agentLine('s1', 'three')), // 3
      Buffer.concat([
        Buffer.from('{"event_type":"info","message":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]), // 4 bad UTF-8
      Buffer.from(agentLine('s1', 'five')), // 5
      Buffer.from(
        JSON.stringify({
          event_type: 'info',
          timestamp: '2026-02-16T10:00:00',
          message: 'no session',
        }),
      ), // 6 schema
      Buffer.from(agentLine('s1', 'seven', '2026-02-16T10:00:07', 'some_type_nobody_knows')), // 7 kept as log
      Buffer.from(
        JSON.stringify({
          event_type: 'info',
          timestamp: 'yesterday',
          session_id: 's1',
          message: 'm',
        }),
      ), // 8 schema
      Buffer.from(agentLine('s1', 'nine')), // 9
    ];
    writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    const r = await vigil(box, ['ingest', file]);
    expect(r.code, r.stderr).toBe(2);
    const rejects = rejectsOf(box, r.stderr, file);
    expect([...rejects.keys()].sort((a, b) => a - b)).toEqual([2, 4, 6, 8]);
    expect(rejects.get(2)).toMatch(/invalid JSON/);
    expect(rejects.get(4)).toMatch(/not valid UTF-8/);
    expect(rejects.get(6)).toMatch(/session_id: required field is missing/);
    expect(rejects.get(8)).toMatch(/timestamp/);
    const events = (await allEvents(box)).sort(
      (a, b) => Number(a['source_line']) - Number(b['source_line']),
    );
    expect(events.map((e) => e['error_message'])).toEqual([
      'one',
      'three',
      'five',
      'seven',
      'nine',
    ]);
    expect(events.map((e) => e['source_line'])).toEqual([1, 3, 5, 7, 9]);
    expect(events.find((e) => e['error_message'] === 'seven')?.['kind']).toBe('log');
  },
);
