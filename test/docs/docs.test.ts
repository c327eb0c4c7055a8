import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { EVENT_CATALOGUE } from '../../src/core/catalogue.js';
import { ERROR_CODES } from '../../src/core/errors.js';
import { BUILTIN_ADAPTERS } from '../../src/sources/registry.js';
import { startTestHub } from '../server/harness.js';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

describe('docs stay true to the code', () => {
  it('docs/event-model.md lists every catalogued type with its kind and default status', () => {
    const doc = read('docs/event-model.md');
    for (const [type, entry] of Object.entries(EVENT_CATALOGUE)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${type}\` |`));
      expect(row, `row for ${type}`).toBeDefined();
      const cells = row?.split('|').map((c) => c.trim()) ?? [];
      expect(cells[2]).toBe(entry.kind);
      expect(cells[3]).toBe(entry.status ?? '—');
    }
  });

  it('docs/errors.md lists every error code with its exit code', () => {
    const doc = read('docs/errors.md');
    for (const [code, { exit }] of Object.entries(ERROR_CODES)) {
      const row = doc.split('\n').find((l) => l.includes(`\`${code}\``));
      expect(row, `row for ${code}`).toBeDefined();
      expect(row).toContain(`| ${exit} |`);
    }
  });

  it('docs/formats.md names every built-in adapter', () => {
    const doc = read('docs/formats.md');
    for (const adapter of BUILTIN_ADAPTERS) expect(doc).toContain(`\`${adapter.name}\``);
  });

  it('docs/api.md documents every route of the OpenAPI document, and the configuration every [server] key', async () => {
    const doc = read('docs/api.md');
    const hub = await startTestHub({ noListen: true });
    try {
      const res = await hub.app.inject({
        url: '/api/openapi.json',
        headers: { host: 'localhost' },
      });
      const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
      expect(paths.length).toBeGreaterThan(20);
      const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const path of paths)
        expect(doc, path).toMatch(new RegExp(`[\`\\s]${escape(path)}[\`\\s?]`));
    } finally {
      await hub.close();
    }
    const config = read('docs/configuration.md');
    const { ServerConfigFile } = await import('../../src/config/config-schema.js');
    for (const key of Object.keys(ServerConfigFile.shape))
      expect(config, key).toMatch(new RegExp(`^${key} = `, 'm'));
  });
});
