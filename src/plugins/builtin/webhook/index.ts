import type { PluginContext, PluginDefinition, PluginQueriedEvent } from '../../sdk.js';
import { parsePluginConfig } from '../shared/plugin-config.js';
import { checkWebhookUrl, type ResolveAll } from './address-guard.js';
import { AlertRules } from './alert-rules.js';
import { RULE_NAMES, WEBHOOK_DEFAULTS, WebhookConfig, type RuleName } from './config.js';
import { createWebhookDelivery, type WebhookDelivery } from './delivery.js';
import { loadRulesState, saveRulesState } from './state-file.js';

export const WEBHOOK_NAME = 'webhook';

/** The built-in manifest: what a `plugin.toml` would say. */
export const WEBHOOK_MANIFEST = {
  plugin: {
    name: WEBHOOK_NAME,
    version: '0.1.0',
    description:
      'Webhook alerts: POSTs JSON to a URL when a review is blocked, a bypass is activated, the daily cost goes over budget or the task failure rate over a threshold',
    entry_point: 'builtin',
    requires: ['vigil>=0.1'],
    events: { subscribes: ['*'] },
    config: { ...WEBHOOK_DEFAULTS },
  },
} as const;

/** Stored events read back, per page and in pages, to seed today's cost on a first start. */
const SEED_LIMIT = 10_000;
const SEED_PAGES = 3;
/** How long deactivate waits for queued alerts: within the hub's default 5 s per call. */
const DEACTIVATE_FLUSH_MS = 3_000;
/** How long a first activation may spend reading stored events. */
const SEED_BUDGET_MS = 2_000;
/** Least time between two saves of the rules' state while events stream in. */
const SAVE_INTERVAL_MS = 1_000;

interface ActiveWebhook {
  rules: AlertRules;
  delivery: WebhookDelivery;
  saved: string;
  lastSave: number;
  timer: NodeJS.Timeout | null;
}

/** Stored events since `since`, oldest first, each once. */
async function loadSeedEvents(ctx: PluginContext, since: number): Promise<PluginQueriedEvent[]> {
  const byId = new Map<string, PluginQueriedEvent>();
  let cursor = since;
  const deadline = Date.now() + SEED_BUDGET_MS;
  for (let page = 0; page < SEED_PAGES && Date.now() < deadline; page += 1) {
    const events = await ctx.queryEvents({ since: cursor, limit: SEED_LIMIT });
    const before = byId.size;
    for (const e of events) if (!byId.has(e.event_id)) byId.set(e.event_id, e);
    const last = events.at(-1);
    if (events.length < SEED_LIMIT || !last || byId.size === before) break;
    cursor = Date.parse(last.timestamp);
  }
  return [...byId.values()];
}

export interface WebhookPluginOptions {
  /** For tests: how host names resolve. */
  resolveAll?: ResolveAll;
  now?: () => number;
}

/**
 * The webhook plugin: evaluates alert rules over the event stream and POSTs a JSON payload
 * (`{ rule, summary, severity, occurred_at, event, details }`) for each alert, with retries.
 * State lives per data folder, so one definition serves any number of hosts.
 *
 * @example
 * const plugin = createWebhookPlugin();
 * await plugin.activate?.(ctx); // ctx.config: { url: 'https://hooks.example.com/vigil', ... }
 * await plugin.onEvent?.(event, ctx);
 * await plugin.deactivate?.(ctx);
 */
export function createWebhookPlugin(options: WebhookPluginOptions = {}): PluginDefinition {
  const active = new Map<string, ActiveWebhook>();
  const now = options.now ?? Date.now;

  const save = async (state: ActiveWebhook, ctx: PluginContext) => {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    state.lastSave = Date.now();
    const json = JSON.stringify(state.rules.state);
    if (json === state.saved) return;
    state.saved = json;
    try {
      await saveRulesState(ctx.dataDir, state.rules.state);
    } catch (error) {
      ctx.log.warn(`could not save the rules' state: ${String(error)}`);
    }
  };

  return {
    async activate(ctx) {
      const config = parsePluginConfig(WEBHOOK_NAME, WebhookConfig, ctx.config, ctx.log);
      try {
        checkWebhookUrl(config.url, config.allow_link_local_and_metadata);
      } catch (error) {
        throw new Error(
          `plugins.${WEBHOOK_NAME}.url: ${(error as Error).message}` +
            ' (set allow_link_local_and_metadata = true to allow it)',
          { cause: error },
        );
      }
      const previous = active.get(ctx.dataDir);
      if (previous) {
        await save(previous, ctx);
        await previous.delivery.close(0);
      }

      const rules = new Set<RuleName>(config.rules);
      if (config.daily_budget_usd === undefined) rules.delete('daily_cost_over_budget');
      const saved = await loadRulesState(ctx.dataDir);
      const engine = new AlertRules({
        rules,
        ...(config.daily_budget_usd === undefined
          ? {}
          : { dailyBudgetUsd: config.daily_budget_usd }),
        failureRateThreshold: config.failure_rate_threshold,
        failureRateWindow: config.failure_rate_window,
        failureRateMinTasks: config.failure_rate_min_tasks,
        maxEventAgeMs: config.max_event_age,
        ...(config.prices ? { prices: config.prices } : {}),
        ...(saved ? { state: saved } : {}),
        now,
      });
      if (!saved) {
        // First start: count what is stored for today; the hub may deliver those events too.
        const dayStart = Math.floor(now() / 86_400_000) * 86_400_000;
        try {
          engine.seed(await loadSeedEvents(ctx, Math.min(dayStart, now() - config.max_event_age)));
        } catch (error) {
          ctx.log.warn(`could not read today's events to seed the rules: ${String(error)}`);
        }
      }
      const delivery = createWebhookDelivery({
        url: config.url,
        headers: config.headers,
        userAgent: `vigil/${ctx.vigilVersion}`,
        timeoutMs: config.request_timeout_ms,
        maxRetries: config.max_retries,
        retryBaseMs: config.retry_base_ms,
        retryMaxMs: config.retry_max_ms,
        maxQueue: config.max_queue,
        allowUnsafe: config.allow_link_local_and_metadata,
        log: ctx.log,
        ...(options.resolveAll ? { resolveAll: options.resolveAll } : {}),
      });
      const state: ActiveWebhook = { rules: engine, delivery, saved: '', lastSave: 0, timer: null };
      active.set(ctx.dataDir, state);
      await save(state, ctx);
      const off = RULE_NAMES.filter((r) => !rules.has(r));
      ctx.log.info(
        `alerting ${config.url.origin} on ${[...rules].join(', ') || 'no rule'}` +
          (off.length ? ` (off: ${off.join(', ')})` : ''),
        { today_cost_usd: engine.todayCostUsd },
      );
    },
    async onEvent(event, ctx) {
      const state = active.get(ctx.dataDir);
      if (!state) return;
      const alerts = state.rules.observe(event);
      for (const alert of alerts) {
        ctx.log.info(`${alert.rule}: ${alert.summary}`);
        state.delivery.enqueue({ ...alert });
      }
      // Saved at once after an alert (never alert twice), else at most once a second.
      if (alerts.length > 0 || Date.now() - state.lastSave >= SAVE_INTERVAL_MS) {
        await save(state, ctx);
      } else {
        state.timer ??= setTimeout(() => void save(state, ctx), SAVE_INTERVAL_MS).unref();
      }
    },
    async deactivate(ctx) {
      const state = active.get(ctx.dataDir);
      if (!state) return;
      active.delete(ctx.dataDir);
      await save(state, ctx);
      await state.delivery.close(DEACTIVATE_FLUSH_MS);
      const stats = state.delivery.stats();
      ctx.log.info(`stopped; ${stats.delivered} alerts delivered, ${stats.failed} failed`, stats);
    },
  };
}
