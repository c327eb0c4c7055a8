import { z } from 'zod';

import { Score, text, Timestamp, WfcTier } from '../wfc-review/schema.js';

/**
 * One emergency bypass record of `BYPASS-AUDIT.json`: who bypassed review for which task, why,
 * until when, and the consensus score at the time.
 */
export const BypassRecord = z
  .looseObject({
    bypass_id: text(256).optional(),
    task_id: text(256),
    reason: text(65_536),
    bypassed_by: text(256),
    created_at: Timestamp,
    expires_at: Timestamp,
    cs_at_bypass: Score,
    tier: WfcTier,
    revoked_at: Timestamp.nullable().optional(),
    revoked_by: text(256).nullable().optional(),
  })
  .refine((b) => b.expires_at >= b.created_at, {
    error: 'must not be before created_at',
    path: ['expires_at'],
  })
  .refine(
    (b) => b.revoked_at === null || b.revoked_at === undefined || b.revoked_at >= b.created_at,
    {
      error: 'must not be before created_at',
      path: ['revoked_at'],
    },
  );
export type BypassRecord = z.infer<typeof BypassRecord>;

/** The two accepted shapes: `{ "bypasses": [...] }` or a bare array of records. */
export const BYPASS_SHAPE_HINT =
  'expected a JSON array of bypass records or an object with a "bypasses" array';
