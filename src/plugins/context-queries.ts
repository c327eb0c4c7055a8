/**
 * The hub's side of PluginContext's queries: the same query code as the HTTP routes
 * (`/api/events`, `/api/summary`, `/api/reviews`, `/api/knowledge`, `/api/bypasses`), over the
 * hub's store. Arguments come from plugin code, so they are validated like request parameters.
 */
import { z } from 'zod';

import type { EventKind } from '../core/event.js';
import { EVENT_KINDS } from '../core/vocabulary.js';
import type { Hub } from '../live/hub.js';
import { eventToExport } from '../output/event-json.js';
import { bypassRows, foldBypasses } from '../server/queries/bypasses.js';
import { foldKnowledge, knowledgeBody } from '../server/queries/knowledge.js';
import { REVIEW_FILTER, reviewRow } from '../server/queries/reviews.js';
import { computeSummary, summaryDocument } from '../server/queries/summary.js';
import { DAY_MS, parseApiTime } from '../server/queries/time.js';
import type { EventFilter } from '../store/types.js';
import type { QueryFn } from './context.js';
import type { QueryMethod } from './protocol.js';

const MAX_ROWS = 10_000;
const text = z.string().min(1).max(256).optional();
const list = z.union([z.string().min(1).max(128), z.array(z.string().min(1).max(128))]).optional();
const time = z.union([z.string().max(64), z.number().finite()]).optional();

const EventQueryArgs = z.strictObject({
  type: list,
  kind: list,
  taskId: text,
  sessionId: text,
  agentRole: text,
  model: text,
  phase: text,
  since: time,
  until: time,
  limit: z.number().int().min(1).max(MAX_ROWS).optional(),
});
const DaysArgs = z.strictObject({ days: z.number().positive().max(36_500).optional() });
const BypassArgs = z.strictObject({ activeOnly: z.boolean().optional() });
const Reviewer = z.string().min(1).max(128).nullable();

function parseArgs<T>(
  schema: z.ZodType<T>,
  value: unknown,
  method: string,
  fallback: unknown = {},
): T {
  const parsed = schema.safeParse(value ?? fallback);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(arguments)';
  throw new Error(`${method}: ${field}: ${issue?.message ?? 'invalid'}`);
}

function timeOf(value: string | number | undefined, bound: 'since' | 'until', now: number) {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : parseApiTime(value, bound, now);
  if (ms === null) throw new Error(`queryEvents: ${bound}: expected an ISO-8601 time or epoch ms`);
  return ms;
}

const asList = (v: string | string[] | undefined) =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/**
 * The query function every plugin context of `hub` uses.
 *
 * @example
 * const query = createContextQueries(hub);
 * await query('queryBypasses', [{ activeOnly: true }]);
 */
export function createContextQueries(hub: Hub, now: () => number = Date.now): QueryFn {
  const store = hub.store;
  const handlers: Record<QueryMethod, (args: unknown[]) => Promise<unknown>> = {
    async queryEvents([raw]) {
      const q = parseArgs(EventQueryArgs, raw, 'queryEvents');
      const kinds = asList(q.kind);
      for (const k of kinds ?? []) {
        if (!(EVENT_KINDS as readonly string[]).includes(k)) {
          throw new Error(`queryEvents: kind: ${k} is not a kind (${EVENT_KINDS.join(', ')})`);
        }
      }
      const at = now();
      const filter: EventFilter = {
        types: asList(q.type),
        kinds: kinds as EventKind[] | undefined,
        taskId: q.taskId,
        sessionId: q.sessionId,
        agentRole: q.agentRole,
        model: q.model,
        phase: q.phase,
        since: timeOf(q.since, 'since', at),
        until: timeOf(q.until, 'until', at),
      };
      const page = await store.queryEvents({
        ...filter,
        descending: filter.since === undefined,
        limit: q.limit ?? 100,
      });
      return page.events.map(eventToExport);
    },
    async queryTelemetry([raw]) {
      const { days = 30 } = parseArgs(DaysArgs, raw, 'queryTelemetry');
      const at = now();
      const { summary, since, until } = await computeSummary(
        store,
        hub.config.prices,
        { since: at - days * DAY_MS, until: at },
        at,
      );
      return summaryDocument(summary, since, until);
    },
    async queryReviews([raw]) {
      const { days = 30 } = parseArgs(DaysArgs, raw, 'queryReviews');
      const rows = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryEvents({
          ...REVIEW_FILTER,
          since: now() - days * DAY_MS,
          descending: true,
          limit: 1_000,
          cursor,
        });
        rows.push(...page.events.map(reviewRow));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && rows.length < MAX_ROWS);
      return rows.slice(0, MAX_ROWS);
    },
    async queryDrift([raw]) {
      const reviewer = parseArgs(Reviewer, raw, 'queryDrift', null);
      const body = knowledgeBody(
        await foldKnowledge(store),
        { reviewer: reviewer ?? undefined, staleDays: 90, bloatLimit: 150 },
        now(),
      );
      return body.reviewers;
    },
    async queryBypasses([raw]) {
      const { activeOnly = true } = parseArgs(BypassArgs, raw, 'queryBypasses');
      const rows = bypassRows(await foldBypasses(store), now());
      return activeOnly ? rows.filter((r) => r.status === 'active') : rows;
    },
  };
  return (method, args) => {
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
    if (handler === undefined) return Promise.reject(new Error(`no context method ${method}`));
    return handler(args);
  };
}
