import type { RedactionKind } from './redaction-kinds.js';

// Stack traces: line by line.

const PY_HEADER = 'Traceback (most recent call last):';
// The part after "at " of a JS/Java frame: "fn (file:1:2)", "pkg.Cls.m(Cls.java:3)", "file:1:2".
const FRAME_PAREN =
  /^(?:async |new )?[^\s()]{1,512}(?: \[as [^\s\]]{1,128}\])? ?\((?:[^()]{0,1024}:\d{1,9}|<anonymous>|native|Native Method|Unknown Source|index \d{1,9})\)$/;
const FRAME_BARE = /^(?:async )?[^\s()]{1,1024}:\d{1,9}(?::\d{1,9})?$|^<anonymous>$/;
const JAVA_MORE = /^\.\.\. \d{1,9} more$/;
const MAX_FRAME_LINE = 2048;

function leadingBlanks(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

/** 1 for a frame line, 0.5 for Java's "... 3 more" (part of a trace, not a frame), else 0. */
function frameWeight(line: string): number {
  if (line.length > MAX_FRAME_LINE) return 0;
  const indent = leadingBlanks(line);
  if (indent === 0) return 0;
  const rest = line.slice(indent).trimEnd();
  if (rest.startsWith('at ')) {
    const call = rest.slice(3);
    return FRAME_PAREN.test(call) || FRAME_BARE.test(call) ? 1 : 0;
  }
  return JAVA_MORE.test(rest) ? 0.5 : 0;
}

const stackMarker = (indent: string, frames: number, cr: boolean): string =>
  `${indent}[stack trace removed: ${frames} frame${frames === 1 ? '' : 's'}]${cr ? '\r' : ''}`;

/**
 * A Python `Traceback (most recent call last):` header and the indented lines under it, or a run
 * of `    at ...` frames, become one marker line. The error line (after a Python block, before
 * JS/Java frames) is kept.
 */
export function collapseStackTraces(text: string, counts: Record<RedactionKind, number>): string {
  if (!text.includes('Traceback (most recent call last):') && !text.includes('at ')) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const indent = leadingBlanks(line);
    if (line.length < 256 && line.trim() === PY_HEADER) {
      let j = i + 1;
      let frames = 0;
      for (; j < lines.length; j++) {
        const next = lines[j] ?? '';
        if (next.trim() === '' || leadingBlanks(next) <= indent) break;
        if (next.trimStart().startsWith('File "')) frames++;
      }
      if (j > i + 1) {
        out.push(stackMarker(line.slice(0, indent), frames, line.endsWith('\r')));
        counts.stack_trace++;
        i = j;
        continue;
      }
    } else if (frameWeight(line) === 1) {
      let j = i;
      let frames = 0;
      for (; j < lines.length; j++) {
        const w = frameWeight(lines[j] ?? '');
        if (w === 0) break;
        if (w === 1) frames++;
      }
      out.push(stackMarker(line.slice(0, indent), frames, (lines[j - 1] ?? '').endsWith('\r')));
      counts.stack_trace++;
      i = j;
      continue;
    }
    out.push(line);
    i++;
  }
  return out.join('\n');
}
