/**
 * Emergency bypasses (seed 000's bypass monitor) from `BYPASS-AUDIT.json`: a bypass is active
 * while it has not expired and no `bypass_revoked` names it (docs/formats/wfc-reviews.md).
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../../store/types.js';
import { attrBoolean, attrNumber, attrString, round } from './attrs.js';
import { iso, isoOf } from './time.js';

export const BYPASS_STATUSES = ['active', 'expired', 'revoked'] as const;
export type BypassStatus = (typeof BYPASS_STATUSES)[number];

export const BypassRow = z.object({
  id: z.string(),
  bypass_id: z.string().nullable(),
  task_id: z.string().nullable(),
  status: z.enum(BYPASS_STATUSES),
  reason: z.string().nullable(),
  bypassed_by: z.string().nullable(),
  tier: z.string().nullable(),
  cs_at_bypass: z.number().nullable().describe('Consensus score when the bypass was made'),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  expires_in_seconds: z.number().nullable().describe('Active bypasses: time left'),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
});
export type BypassRow = z.infer<typeof BypassRow>;

export const BypassesBody = z.object({
  generated_at: z.string(),
  counts: z.object({
    active: z.number().int().describe('Counts over every bypass, whatever the filters'),
    expired: z.number().int(),
    revoked: z.number().int(),
    total: z.number().int(),
  }),
  bypasses: z.array(BypassRow).describe('Newest first, filtered by `status` and `task`'),
});
export type BypassesBody = z.infer<typeof BypassesBody>;

/** Activations and the revocations that name them. */
export interface BypassFold {
  activations: VigilEvent[];
  revocations: Map<string, VigilEvent>;
}

export async function foldBypasses(store: Store): Promise<BypassFold> {
  const activations: VigilEvent[] = [];
  const revocations = new Map<string, VigilEvent>();
  for await (const e of store.iterateEvents({ kinds: ['bypass'] })) {
    if (e.type === 'bypass_activated') activations.push(e);
    else if (e.type === 'bypass_revoked') {
      const target = attrString(e.attrs, 'activationId');
      if (target !== null) revocations.set(target, e);
    }
  }
  return { activations: activations.reverse(), revocations };
}

export function bypassRows(fold: BypassFold, now: number): BypassRow[] {
  return fold.activations.map((e) => {
    const a = e.attrs;
    const revocation = fold.revocations.get(e.id);
    const expires = attrNumber(a, 'expiresAtMs');
    const revokedAt = revocation?.ts ?? attrNumber(a, 'revokedAtMs');
    const revoked = revocation !== undefined || attrBoolean(a, 'revoked') === true;
    const status: BypassStatus = revoked
      ? 'revoked'
      : expires !== null && expires <= now
        ? 'expired'
        : 'active';
    return {
      id: e.id,
      bypass_id: attrString(a, 'bypassId'),
      task_id: e.taskId,
      status,
      reason: attrString(a, 'reason') ?? e.message,
      bypassed_by: attrString(a, 'by'),
      tier: attrString(a, 'tier'),
      cs_at_bypass: attrNumber(a, 'csAtBypass'),
      created_at: isoOf(e.ts),
      expires_at: iso(expires),
      expires_in_seconds:
        status === 'active' && expires !== null ? round((expires - now) / 1000, 3) : null,
      revoked_at: revoked ? iso(revokedAt) : null,
      revoked_by: revocation === undefined ? null : attrString(revocation.attrs, 'by'),
    };
  });
}

/** Counts over every bypass; the list filtered by status and task. */
export function bypassesBody(
  rows: readonly BypassRow[],
  filter: { status?: BypassStatus; task?: string },
  now: number,
): BypassesBody {
  const count = (s: BypassStatus) => rows.filter((r) => r.status === s).length;
  return {
    generated_at: isoOf(now),
    counts: {
      active: count('active'),
      expired: count('expired'),
      revoked: count('revoked'),
      total: rows.length,
    },
    bypasses: rows.filter(
      (r) =>
        (filter.status === undefined || r.status === filter.status) &&
        (filter.task === undefined || r.task_id === filter.task),
    ),
  };
}

export const BYPASS_COLUMNS = Object.keys(BypassRow.shape) as (keyof BypassRow)[];
