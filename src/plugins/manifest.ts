/**
 * `plugin.toml`, the manifest of seed 000: what a plugin is, where its code is, what it
 * subscribes to and how it serves HTTP. Every error names the file and the field.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, sep } from 'node:path';

import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';

import { VigilError } from '../core/errors.js';
import { VERSION } from '../version.js';

/** The manifest's file name inside a plugin folder. */
export const MANIFEST_FILE = 'plugin.toml';

/** Plugin names: lower-case letters, digits and dashes (they become URL paths and folders). */
export const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** `entry_point` of the first-party plugins, which run inside the hub. */
export const BUILTIN_ENTRY = 'builtin';

const port = z.number().int().min(1024, { error: 'expected a port from 1024 to 65535' }).max(65535);

/** An event type as a source writes it, a kind (src/core/vocabulary.ts) or `*`. */
const subscription = z.string().regex(/^(\*|[A-Za-z0-9_.:-]{1,128})$/, {
  error: 'expected an event type or kind such as review_complete or task, or "*"',
});

export const ManifestFile = z.strictObject({
  plugin: z.strictObject({
    name: z.string().regex(PLUGIN_NAME, {
      error: 'expected lower-case letters, digits and dashes, such as event-counter',
    }),
    version: z.string().refine((v) => semver.valid(v) !== null, {
      error: 'expected a semver version such as 0.1.0',
    }),
    description: z.string().max(500).default(''),
    entry_point: z.string().min(1, { error: 'expected file.js or file.js:exportName' }),
    requires: z.array(z.string()).default([]),
    events: z.strictObject({ subscribes: z.array(subscription).default([]) }).optional(),
    http: z
      .strictObject({
        enabled: z.boolean().default(false),
        port_range: z
          .tuple([port, port])
          .refine(([a, b]) => a <= b, { error: 'expected [first, last] with first <= last' })
          .optional(),
      })
      .optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

/** How a plugin serves HTTP: mounted at `/plugins/{name}/` on the hub, or on a port of its own. */
export type PluginHttp =
  { mode: 'mounted'; mountPath: string } | { mode: 'port'; portRange: readonly [number, number] };

/** A validated manifest with its entry point resolved. */
export interface PluginManifest {
  name: string;
  version: string;
  description: string;
  /** The plugin folder (null for built-ins). */
  dir: string | null;
  /** The manifest file (null for built-ins). */
  file: string | null;
  /** The entry module's real path and export, or null for a built-in. */
  entry: { file: string; exportName: string } | null;
  requires: string[];
  /** Event types and kinds, or `*`. */
  subscribes: string[];
  http: PluginHttp | null;
  /** `[plugin.config]`: defaults of the plugin's own settings. */
  config: Record<string, unknown>;
}

const fail = (file: string, field: string, message: string): VigilError =>
  new VigilError('VIGIL_ERR_CONFIG', `${file}: ${field}: ${message}`);

function fieldOf(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(root)'
  );
}

/**
 * Checks `requires` (`["vigil>=0.1"]`, also `node>=20`) against this Vigil and Node.
 * Returns the first unmet requirement as [index, message], or null.
 */
export function unmetRequirement(
  requires: readonly string[],
  versions: { vigil: string; node: string } = { vigil: VERSION, node: process.versions.node },
): [number, string] | null {
  for (const [i, req] of requires.entries()) {
    const m = /^\s*(vigil|node)\s*(.*)$/.exec(req);
    if (m === null) {
      return [i, `expected vigil<range> such as "vigil>=0.1" (or node<range>), got "${req}"`];
    }
    const [, what, rawRange] = m as unknown as [string, 'vigil' | 'node', string];
    const range = semver.validRange(rawRange.trim() === '' ? '*' : rawRange.trim());
    if (range === null) return [i, `"${rawRange}" is not a version range such as >=0.1`];
    if (!semver.satisfies(versions[what], range, { includePrerelease: true })) {
      return [
        i,
        `this plugin needs ${what} ${rawRange.trim()}, and this is ${what} ${versions[what]}; ${what === 'vigil' ? 'upgrade Vigil or install' : 'upgrade Node.js or install'} a version of the plugin made for it`,
      ];
    }
  }
  return null;
}

/**
 * Resolves `entry_point` (`file.js` or `file.js:exportName`) inside `dir`: relative, no `..`,
 * a JavaScript file, and inside the folder once symbolic links are resolved (RELIABILITY S7).
 */
export function resolveEntryPoint(
  dir: string,
  spec: string,
  file: string,
): { file: string; exportName: string } {
  const field = 'plugin.entry_point';
  const m = /^([^:]+)(?::([A-Za-z_$][\w$]*))?$/.exec(spec);
  if (m === null) throw fail(file, field, `expected file.js or file.js:exportName, got "${spec}"`);
  const rel = m[1] as string;
  const exportName = m[2] ?? 'default';
  if (isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel)) {
    throw fail(file, field, `"${rel}" is an absolute path; name a file inside the plugin folder`);
  }
  if (rel.split(/[\\/]/).includes('..')) {
    throw fail(file, field, `"${rel}" leaves the plugin folder; name a file inside it`);
  }
  if (!['.js', '.mjs', '.cjs'].includes(extname(rel))) {
    throw fail(
      file,
      field,
      `"${rel}" is not a JavaScript module (.js, .mjs or .cjs); compile TypeScript to JavaScript first`,
    );
  }
  let realDir: string;
  let real: string;
  try {
    realDir = realpathSync(dir);
    real = realpathSync(join(dir, rel));
  } catch {
    throw fail(file, field, `no such file "${rel}" in ${dir}`);
  }
  if (!real.startsWith(realDir + sep)) {
    throw fail(
      file,
      field,
      `"${rel}" resolves to ${real}, outside the plugin folder (a symbolic link?); plugins may only run code from their own folder`,
    );
  }
  if (!statSync(real).isFile()) throw fail(file, field, `"${rel}" is not a file`);
  return { file: real, exportName };
}

/**
 * Validates a parsed manifest (a `plugin.toml`'s content, or a built-in's manifest object).
 * `dir` null means a built-in plugin: `entry_point` must then be `builtin`.
 */
export function validateManifest(
  raw: unknown,
  file: string,
  dir: string | null,
  versions?: { vigil: string; node: string },
): PluginManifest {
  const parsed = ManifestFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldOf(issue?.path ?? []);
    const message =
      issue === undefined
        ? 'invalid'
        : issue.code === 'unrecognized_keys'
          ? `unknown key(s) ${issue.keys.join(', ')}`
          : issue.code === 'invalid_type' && issue.input === undefined
            ? 'missing (required)'
            : issue.message;
    throw fail(file, field, message);
  }
  const p = parsed.data.plugin;
  const unmet = unmetRequirement(p.requires, versions);
  if (unmet !== null) throw fail(file, `plugin.requires[${unmet[0]}]`, unmet[1]);
  let entry: PluginManifest['entry'] = null;
  if (dir === null) {
    if (p.entry_point !== BUILTIN_ENTRY) {
      throw fail(file, 'plugin.entry_point', `a built-in plugin's entry point is "builtin"`);
    }
  } else if (p.entry_point === BUILTIN_ENTRY) {
    throw fail(file, 'plugin.entry_point', `"builtin" is reserved for Vigil's own plugins`);
  } else {
    entry = resolveEntryPoint(dir, p.entry_point, file);
  }
  const http = p.http;
  return {
    name: p.name,
    version: p.version,
    description: p.description,
    dir,
    file: dir === null ? null : file,
    entry,
    requires: p.requires,
    subscribes: p.events?.subscribes ?? [],
    http:
      http === undefined || !http.enabled
        ? null
        : http.port_range !== undefined
          ? { mode: 'port', portRange: http.port_range }
          : { mode: 'mounted', mountPath: `/plugins/${p.name}` },
    config: p.config ?? {},
  };
}

/**
 * Reads and validates `<dir>/plugin.toml`. Throws VigilError('VIGIL_ERR_CONFIG') naming the
 * file and the field.
 *
 * @example
 * const manifest = readManifest('/home/me/.config/vigil/plugins/event-counter');
 * manifest.entry; // { file: '/home/me/.config/vigil/plugins/event-counter/index.js', exportName: 'default' }
 */
export function readManifest(dir: string): PluginManifest {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VigilError(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'VIGIL_ERR_CONFIG' : 'VIGIL_ERR_PERMISSION',
      `${file}: ${code === 'ENOENT' || code === 'ENOTDIR' ? `missing: a plugin folder needs a ${MANIFEST_FILE}` : `cannot read it (${code ?? String(error)})`}`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    const { line, message } = error as Error & { line?: unknown };
    const first = (message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `${file}: invalid TOML${typeof line === 'number' ? ` (line ${line})` : ''}: ${first}`,
      { cause: error },
    );
  }
  return validateManifest(raw, file, dir);
}

/** A subscription filter: matches an event by type or kind (`*` matches everything). */
export interface Subscription {
  readonly all: boolean;
  readonly names: ReadonlySet<string>;
  /** True when nothing is subscribed (the plugin never gets onEvent). */
  readonly none: boolean;
}

export function compileSubscription(subscribes: readonly string[]): Subscription {
  return {
    all: subscribes.includes('*'),
    names: new Set(subscribes),
    none: subscribes.length === 0,
  };
}

export function subscribed(s: Subscription, type: string, kind: string): boolean {
  return s.all || s.names.has(type) || s.names.has(kind);
}
