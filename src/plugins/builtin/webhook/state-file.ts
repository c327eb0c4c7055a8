import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import type { AlertRulesState } from './alert-rules.js';

const FILE = 'webhook-state.json';

const SavedState = z.object({
  last_seq: z.number().int(),
  day: z.string().nullable(),
  day_cost_usd: z.number().nonnegative(),
  day_costed_events: z.number().int().nonnegative(),
  unpriced_models: z.array(z.string()),
  failure_window: z.array(z.object({ key: z.string(), failed: z.boolean(), ts: z.number() })),
  budget_alerted_day: z.string().nullable(),
  failure_rate_armed: z.boolean(),
}) satisfies z.ZodType<AlertRulesState>;

/**
 * Reads the rules' saved state from the plugin's data folder; null when there is none or it is
 * unreadable (the rules then start fresh and seed from today's stored events).
 *
 * @example
 * await loadRulesState(ctx.dataDir) // { last_seq: 812, day: '2026-02-17', day_cost_usd: 3.1, ... }
 */
export async function loadRulesState(dataDir: string): Promise<AlertRulesState | null> {
  try {
    const parsed = SavedState.safeParse(JSON.parse(await readFile(join(dataDir, FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Saves the rules' state atomically (a temporary file renamed over the old one).
 *
 * @example
 * await saveRulesState(ctx.dataDir, rules.state);
 */
export async function saveRulesState(dataDir: string, state: AlertRulesState): Promise<void> {
  const path = join(dataDir, FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
