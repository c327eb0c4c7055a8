import { resolve, sep } from 'node:path';

import { discoverFiles } from '../ingest/discover.js';

/** One thing to tail: an absolute file, folder (read recursively) or glob, and its format. */
export interface TailSource {
  path: string;
  /** Force this adapter (`--format`) instead of detecting one per file. */
  format?: string;
}

const GLOB_CHARS = /[*?[\]{}]/;
/** Folders a folder walk skips (as `vigil ingest` does). */
const WALK_SKIP = /(?:^|\/)(?:\.git|node_modules|\.hg|\.svn)(?:\/|$)/;
/** Folders a glob never enters (as `vigil ingest` does). */
const GLOB_SKIP = /(?:^|\/)(?:\.git|node_modules)(?:\/|$)/;

/** A source resolved for watching: what to watch, and which paths belong to it. */
export interface SourceSpec {
  readonly source: TailSource;
  /** The source's path, absolute. */
  readonly path: string;
  /** For a glob: its fixed leading folder (watched) and how deep below it matches can lie. */
  readonly glob: { base: string; depth: number | undefined; pattern: RegExp } | null;
  /** True when `path` (a file) belongs to this source. */
  matches(path: string): boolean;
  /** True when `path` was named by the source itself rather than found by a walk or glob. */
  isExplicit(path: string): boolean;
}

/**
 * Resolves a source: a glob gets a matcher and the folder to watch; a plain path matches
 * itself and, when it is a folder, everything below it.
 *
 * @example
 * createSourceSpec({ path: '/repo/state/telemetry/*.jsonl' }).matches('/repo/state/telemetry/a.jsonl') // true
 */
export function createSourceSpec(source: TailSource): SourceSpec {
  const path = resolve(source.path);
  if (GLOB_CHARS.test(path)) {
    const glob = { ...globBase(path), pattern: globToRegExp(path) };
    return {
      source,
      path,
      glob,
      matches: (p) => glob.pattern.test(p) && !GLOB_SKIP.test(p.slice(glob.base.length)),
      isExplicit: () => false,
    };
  }
  const prefix = path.endsWith(sep) ? path : `${path}${sep}`;
  return {
    source,
    path,
    glob: null,
    matches: (p) =>
      p === path || (p.startsWith(prefix) && !WALK_SKIP.test(p.slice(prefix.length - 1))),
    isExplicit: (p) => p === path,
  };
}

/**
 * Every file a source matches now, as `vigil ingest` would expand it (never inside .git or
 * node_modules).
 *
 * @example
 * await discoverSource(createSourceSpec({ path: '/repo/workspaces' })) // ['/repo/workspaces/s1/events.jsonl', ...]
 */
export async function discoverSource(spec: SourceSpec): Promise<string[]> {
  const { files } = await discoverFiles([spec.path], sep);
  const glob = spec.glob;
  return glob === null ? files : files.filter((f) => !GLOB_SKIP.test(f.slice(glob.base.length)));
}

/**
 * The fixed leading folder of a glob and, when the glob has no `**`, how many folder levels
 * below it a match can lie (0: directly inside).
 *
 * @example
 * globBase('/r/work/collaboration/{inbox,done}/*.yaml') // { base: '/r/work/collaboration', depth: 1 }
 */
export function globBase(pattern: string): { base: string; depth: number | undefined } {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (GLOB_CHARS.test(part)) break;
    fixed.push(part);
  }
  const base = fixed.join('/') || '/';
  const rest = parts.slice(fixed.length);
  const slashInBraces = /\{[^}]*\//.test(rest.join('/'));
  const depth = rest.some((p) => p.includes('**')) || slashInBraces ? undefined : rest.length - 1;
  return { base, depth: depth === undefined ? undefined : Math.max(0, depth) };
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/;

/**
 * A glob as an anchored regular expression over absolute paths: `*` and `?` stay inside one
 * path segment, `**` spans segments, `[...]`, `[!...]` and `{a,b}` as usual; dot files match
 * (as the ingest command's globs do).
 *
 * @example
 * globToRegExp('/r/**\/*.jsonl').test('/r/a/b/x.jsonl') // true
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    switch (c) {
      case '\\':
        i += 1;
        re += escapeChar(glob[i] ?? '\\');
        break;
      case '*': {
        let j = i + 1;
        while (glob[j] === '*') j += 1;
        const globstar = j - i > 1 && (i === 0 || glob[i - 1] === '/');
        if (globstar && glob[j] === '/') {
          re += '(?:[^/]*/)*';
          i = j;
        } else if (globstar && j === glob.length) {
          re += '.*';
          i = j - 1;
        } else {
          re += '[^/]*';
          i = j - 1;
        }
        break;
      }
      case '?':
        re += '[^/]';
        break;
      case '[': {
        const close = glob.indexOf(']', i + 2);
        if (close === -1) {
          re += '\\[';
          break;
        }
        let body = glob.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^/' : ''}${body.replace(/[\\\]^[]/g, (m) => `\\${m}`)}]`;
        i = close;
        break;
      }
      case '{':
        braces += 1;
        re += '(?:';
        break;
      case '}':
        if (braces > 0) {
          braces -= 1;
          re += ')';
        } else re += '\\}';
        break;
      case ',':
        re += braces > 0 ? '|' : ',';
        break;
      default:
        re += escapeChar(c);
    }
  }
  return new RegExp(`^${re}${')'.repeat(braces)}$`);
}

function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? `\\${c}` : c;
}
