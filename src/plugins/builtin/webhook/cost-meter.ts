import { costOf, findPrice, SHIPPED_PRICES, type PriceTable } from '../../../core/prices.js';
import type { PluginQueriedEvent } from '../../sdk.js';

/** What one event adds to the day's cost. */
export interface EventCost {
  /** USD: the reported `cost_usd`, else tokens × price; 0 when the event has neither. */
  usd: number;
  /** The model whose tokens had no price (so `usd` misses them), or null. */
  unpricedModel: string | null;
}

/**
 * Prices events: an event's reported `cost_usd` when it has one, otherwise its tokens at the
 * price of its model (the event's own, or the one its task's earlier events named — a task's
 * model may come on its start event and its tokens on its end event). Prices are the shipped
 * table with `overrides` on top.
 *
 * @example
 * const meter = createCostMeter({ 'my-model': { input: 1, output: 2 } });
 * meter.costOf(event) // { usd: 0.0123, unpricedModel: null }
 */
export function createCostMeter(overrides: PriceTable = {}, maxTasks = 10_000) {
  const prices: PriceTable = { ...SHIPPED_PRICES, ...overrides };
  const taskModels = new Map<string, string>();

  const remember = (taskId: string, model: string) => {
    taskModels.delete(taskId);
    taskModels.set(taskId, model);
    if (taskModels.size > maxTasks) {
      const oldest = taskModels.keys().next().value;
      if (oldest !== undefined) taskModels.delete(oldest);
    }
  };

  return {
    costOf(event: PluginQueriedEvent): EventCost {
      if (event.task_id !== null && event.model !== null) remember(event.task_id, event.model);
      if (event.cost_usd !== null) return { usd: event.cost_usd, unpricedModel: null };
      const tokens = {
        tokensIn: event.tokens_input ?? 0,
        tokensOut: event.tokens_output ?? 0,
        tokensCacheRead: event.tokens_cache_read ?? 0,
        tokensCacheWrite: event.tokens_cache_write ?? 0,
      };
      const any =
        tokens.tokensIn + tokens.tokensOut + tokens.tokensCacheRead + tokens.tokensCacheWrite;
      if (any === 0) return { usd: 0, unpricedModel: null };
      const model =
        event.model ?? (event.task_id === null ? undefined : taskModels.get(event.task_id)) ?? null;
      const price = model === null ? null : findPrice(prices, model);
      if (!price) return { usd: 0, unpricedModel: model ?? '(no model)' };
      return { usd: costOf(price, tokens), unpricedModel: null };
    },
  };
}
export type CostMeter = ReturnType<typeof createCostMeter>;
