import { digest, isJsonObject } from './shared/fields.js';
import { stripBom } from './shared/json-document.js';
import type { LineAdapter, LineContext, RecordResult } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes, JSON-parses and hands one line to a line adapter. Never throws: bad input comes
 * back as a reject. `bytes` is the line without its line ending (CR stripped by the caller).
 */
export function parseLineBytes(
  adapter: LineAdapter,
  bytes: Uint8Array,
  where: { file: string; logicalPath: string; line: number; offset: number },
): RecordResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reject: { reason: 'invalid_utf8', message: 'line is not valid UTF-8' } };
  }
  return parseLineText(adapter, text, where);
}

/** As {@link parseLineBytes}, from an already-decoded string. */
export function parseLineText(
  adapter: LineAdapter,
  text: string,
  where: { file: string; logicalPath: string; line: number; offset: number },
): RecordResult {
  text = stripBom(text);
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reject: { reason: 'invalid_json', message: `invalid JSON: ${(error as Error).message}` },
    };
  }
  if (!isJsonObject(record)) {
    return {
      ok: false,
      reject: { reason: 'not_an_object', message: 'expected a JSON object on each line' },
    };
  }
  return adapter.parseRecord(record, new Line(adapter.name, where, text));
}

/** A LineContext whose derived id is computed only when an adapter asks for it. */
class Line implements LineContext {
  readonly file: string;
  readonly logicalPath: string;
  readonly line: number;
  readonly offset: number;

  constructor(
    private readonly adapter: string,
    where: { file: string; logicalPath: string; line: number; offset: number },
    readonly text: string,
  ) {
    this.file = where.file;
    this.logicalPath = where.logicalPath;
    this.line = where.line;
    this.offset = where.offset;
  }

  deriveId(suffix = ''): string {
    return `${this.adapter}:${digest(this.logicalPath, this.offset, this.text, suffix)}`;
  }
}

/**
 * Runs a line adapter over JSONL text in memory, for tests and small inputs: one result per
 * non-empty line, with its 1-based line number and byte offset.
 *
 * @example
 * const results = runLineAdapter(kpiAdapter, readFileSync(fixture, 'utf8'), fixture);
 */
export function runLineAdapter(
  adapter: LineAdapter,
  content: string,
  file = '/fixture.jsonl',
): { line: number; offset: number; result: RecordResult }[] {
  const out: { line: number; offset: number; result: RecordResult }[] = [];
  const buf = Buffer.from(content, 'utf8');
  let start = 0;
  let line = 0;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end === -1) break; // a partial last line waits for its newline
    line += 1;
    let stop = end;
    if (stop > start && buf[stop - 1] === 0x0d) stop -= 1;
    if (stop > start) {
      const result = parseLineBytes(adapter, buf.subarray(start, stop), {
        file,
        logicalPath: file,
        line,
        offset: start,
      });
      out.push({ line, offset: start, result });
    }
    start = end + 1;
  }
  return out;
}
