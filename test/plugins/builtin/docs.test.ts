/** docs/log-export.md and docs/webhooks.md describe every setting and rule the plugins have. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BUILTIN_PLUGINS } from '../../../src/plugins/builtin/index.js';
import { LogExportConfig } from '../../../src/plugins/builtin/log-export/config.js';
import { RULE_NAMES, WebhookConfig } from '../../../src/plugins/builtin/webhook/config.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
/** The first cells of the doc's table rows. */
const rowKeys = (doc: string) =>
  doc
    .split('\n')
    .map((l) => /^\| `([a-z_]+)` *\|/.exec(l)?.[1])
    .filter((k) => k !== undefined);

describe('the built-in plugins are documented', () => {
  it('docs/log-export.md has a row for every setting, and no row for a setting that does not exist', () => {
    const keys = rowKeys(read('docs/log-export.md'));
    const settings = Object.keys(LogExportConfig.shape);
    for (const key of settings) expect(keys, key).toContain(key);
    const fields = new Set([
      'timestamp',
      'level',
      'source',
      'event_type',
      'task_id',
      'status',
      'tokens',
      'message',
      'attrs',
    ]);
    for (const key of keys) expect(settings.includes(key) || fields.has(key), key).toBe(true);
  });

  it('docs/webhooks.md has a row for every setting and every rule', () => {
    const keys = rowKeys(read('docs/webhooks.md'));
    const settings = Object.keys(WebhookConfig.shape);
    for (const key of [...settings, ...RULE_NAMES]) expect(keys, key).toContain(key);
    const payload = new Set(['rule', 'summary', 'severity', 'occurred_at', 'event', 'details']);
    for (const key of keys) {
      expect(
        settings.includes(key) ||
          (RULE_NAMES as readonly string[]).includes(key) ||
          payload.has(key),
        key,
      ).toBe(true);
    }
  });

  it('registers both plugins under the names the docs use, with valid manifests', async () => {
    const { validateManifest } = await import('../../../src/plugins/manifest.js');
    const names = BUILTIN_PLUGINS.map((p) => (p.manifest['plugin'] as { name: string }).name);
    expect(names).toEqual(['log-export', 'webhook']);
    for (const p of BUILTIN_PLUGINS)
      expect(() => validateManifest(p.manifest, '(built-in)', null)).not.toThrow();
  });
});
