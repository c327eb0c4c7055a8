import { z } from 'zod';

import {
  countField,
  flagField,
  idField,
  rangeField,
  textField,
  timestampField,
} from '../shared/zod-fields.js';

/**
 * The envelope of one `events.jsonl` line. WFC's `log_event(name, data)` writes
 * `{"event": name, "timestamp": ..., **data}` (payload spread at the top level); lines with
 * the payload nested under `data` are accepted too. `session_id` is an optional extension.
 */
export const WfcEventEnvelope = z.looseObject({
  event: textField(128).min(1, { error: 'must not be empty' }),
  timestamp: timestampField,
  session_id: idField.nullish(),
});
export type WfcEventEnvelope = z.infer<typeof WfcEventEnvelope>;

/** Envelope keys: never part of the payload. */
export const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['event', 'timestamp', 'session_id']);

/** Payload keys that become event columns rather than attributes. */
export const PAYLOAD_COLUMN_KEYS: ReadonlySet<string> = new Set([
  'task_id',
  'session_id',
  'model',
  'message',
]);

/** Consensus-score tiers (CS < 4 informational, < 7 moderate, < 9 important, else critical). */
export const REVIEW_TIERS = ['informational', 'moderate', 'important', 'critical'] as const;
/** Tiers under which a review passes (WFC: `passed = tier in ("informational", "moderate")`). */
export const PASSING_TIERS: ReadonlySet<string> = new Set(['informational', 'moderate']);
/** WFC blocks a review at CS >= 7.0 (tier `important` or `critical`). */
export const CS_BLOCK_THRESHOLD = 7.0;

/** Fields any event may carry; typed when present. */
const common = {
  task_id: idField.nullish(),
  session_id: idField.nullish(),
  model: textField(256).nullish(),
  message: textField(65_536).nullish(),
  status: textField(64).nullish(),
  success: flagField.nullish(),
};

export const ReviewCompleteData = z.looseObject({
  ...common,
  cs: rangeField(10).nullish(),
  tier: z.enum(REVIEW_TIERS, { error: `expected one of ${REVIEW_TIERS.join(', ')}` }).nullish(),
  findings_count: countField.nullish(),
  mpr_applied: flagField.nullish(),
  passed: flagField.nullish(),
  reviewers: z.array(textField(128), { error: 'expected an array of strings' }).nullish(),
});
export type ReviewCompleteData = z.infer<typeof ReviewCompleteData>;

export const KnowledgeUpdatedData = z.looseObject({
  ...common,
  reviewer_id: idField.nullish(),
  entries_added: countField.nullish(),
  section: textField(128).nullish(),
});

export const DriftDetectedData = z.looseObject({
  ...common,
  reviewer_id: idField.nullish(),
  signals: z.array(z.unknown(), { error: 'expected an array' }).nullish(),
  recommendation: textField(128).nullish(),
  drift_score: rangeField(1).nullish(),
});

export const PrCreatedData = z.looseObject({
  ...common,
  pr_url: textField(4096).nullish(),
  pr_number: countField.nullish(),
  branch: textField(512).nullish(),
});

export const HookData = z.looseObject({
  ...common,
  hook: textField(128).nullish(),
  violation: textField(256).nullish(),
  branch: textField(512).nullish(),
});

export const GenericData = z.looseObject(common);

/** Payload schemas of the event types seed 000 names; other types are not validated. */
export const PAYLOAD_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  review_complete: ReviewCompleteData,
  knowledge_updated: KnowledgeUpdatedData,
  drift_detected: DriftDetectedData,
  task_complete: GenericData,
  pr_created: PrCreatedData,
  merge_complete: PrCreatedData,
  hook_warning: HookData,
  workflow_violation: HookData,
};
