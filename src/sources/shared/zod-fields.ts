import { z } from 'zod';

import { parseTimestamp } from './timestamp.js';

/*
 * Zod field builders shared by adapters, so one family of formats words every field error the
 * same way. Two families: the WFC one (wfc-session, wfc-events, wfc-workflow, wfc-aggregate,
 * wfc-review; `textField` also token-usage) and the WVO one (`wvo*`, with `orMissing`).
 */

/**
 * A count: tokens, tests, retries.
 *
 * @example
 * z.looseObject({ tokens_input: countField.nullish() })
 */
export const countField = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'expected a non-negative integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'expected a non-negative integer' });

/**
 * A non-negative quantity in `unit` (seconds, minutes, ms).
 *
 * @example
 * amountField('seconds') // error: 'expected a non-negative number of seconds'
 */
export const amountField = (unit: string) =>
  z
    .number({ error: `expected a non-negative number of ${unit}` })
    .nonnegative({ error: `expected a non-negative number of ${unit}` })
    .max(1e15, { error: `expected a non-negative number of ${unit}` });

/**
 * A number in [0, max]: percentages, scores, rates.
 *
 * @example
 * rangeField(10) // error: 'expected a number from 0 to 10'
 */
export const rangeField = (max: number) =>
  z
    .number({ error: `expected a number from 0 to ${max}` })
    .min(0, { error: `expected a number from 0 to ${max}` })
    .max(max, { error: `expected a number from 0 to ${max}` });

/**
 * A string of at most `max` characters.
 *
 * @example
 * textField(256).nullish()
 */
export const textField = (max: number) =>
  z
    .string({ error: 'expected a string' })
    .max(max, { error: `expected at most ${max} characters` });

/**
 * A non-empty identifier (task, session, reviewer ids).
 *
 * @example
 * z.looseObject({ task_id: idField })
 */
export const idField = textField(256).min(1, { error: 'must not be empty' });

/**
 * A boolean.
 *
 * @example
 * z.looseObject({ review_passed: flagField.nullish() })
 */
export const flagField = z.boolean({ error: 'expected true or false' });

/**
 * An ISO-8601 date-time string, parsed to epoch ms (naive timestamps, as Python's
 * `datetime.now().isoformat()` writes them, are taken as UTC).
 *
 * @example
 * timestampField.parse('2026-02-16T14:30:00') // 1771252200000
 */
export const timestampField = z
  .string({ error: 'expected an ISO-8601 date-time string' })
  .transform((value, ctx) => {
    const ms = parseTimestamp(value);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00',
      });
      return z.NEVER;
    }
    return ms;
  });

/**
 * WFC's task complexity ratings.
 *
 * @example
 * WFC_COMPLEXITIES.includes('M') // true
 */
export const WFC_COMPLEXITIES = ['S', 'M', 'L', 'XL'] as const;
/**
 * One WFC complexity rating.
 *
 * @example
 * const c: WfcComplexity = 'XL';
 */
export type WfcComplexity = (typeof WFC_COMPLEXITIES)[number];

/**
 * A WFC complexity rating, validated.
 *
 * @example
 * z.looseObject({ complexity: complexityField.nullish() })
 */
export const complexityField = z.enum(WFC_COMPLEXITIES, {
  error: `expected one of ${WFC_COMPLEXITIES.join(', ')}`,
});

/**
 * A zod error callback: "required field is missing" when absent, else `expected`.
 *
 * @example
 * z.string({ error: orMissing('expected a string') })
 */
export const orMissing =
  (expected: string) =>
  (issue: { input: unknown }): string =>
    issue.input === undefined ? 'required field is missing' : expected;

/**
 * A WVO timestamp: an ISO-8601 string or epoch milliseconds.
 *
 * @example
 * z.looseObject({ timestamp: wvoTimestamp })
 */
export const wvoTimestamp = z
  .union([z.string(), z.number()], {
    error: orMissing('expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z'),
  })
  .refine((v) => parseTimestamp(v) !== null, {
    error: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch milliseconds',
  });

/**
 * A WVO id: a non-empty string (at most 256 characters) or a number.
 *
 * @example
 * z.looseObject({ task_id: wvoId, event_id: wvoId.optional() })
 */
export const wvoId = z.union(
  [z.string().min(1, { error: 'must not be empty' }).max(256), z.number()],
  {
    error: orMissing('expected a non-empty string'),
  },
);

/**
 * A WVO string of at most `max` characters.
 *
 * @example
 * wvoText(128).optional()
 */
export const wvoText = (max = 4096) => z.string({ error: 'expected a string' }).max(max);

/**
 * A WVO count (non-negative integer).
 *
 * @example
 * z.looseObject({ attempt: wvoCount.min(1) })
 */
export const wvoCount = z
  .number({ error: orMissing('expected a non-negative integer') })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'must not be negative' });

/**
 * A WVO non-negative number (cost, milliseconds, megabytes).
 *
 * @example
 * z.looseObject({ cost_usd: wvoAmount.optional() })
 */
export const wvoAmount = z
  .number({ error: 'expected a non-negative number' })
  .nonnegative({ error: 'must not be negative' });

/**
 * The optional token and cost fields of WVO task and operation records, in schema order.
 *
 * @example
 * z.looseObject({ ...common, ...wvoUsageFields, error: wvoText(65_536).optional() })
 */
export const wvoUsageFields = {
  tokens_in: wvoCount.optional(),
  tokens_out: wvoCount.optional(),
  tokens_cache_read: wvoCount.optional(),
  tokens_cache_write: wvoCount.optional(),
  cost_usd: wvoAmount.optional(),
};
