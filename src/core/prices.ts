/** USD per million tokens; cache prices default to the input price. */
export interface ModelPrice {
  input: number;
  output: number;
  cache_read?: number;
  cache_write?: number;
}

/** The date the shipped prices were taken from the providers' public price lists. */
export const PRICES_TAKEN_ON = '2025-10-01';

/**
 * Shipped list prices, USD per million tokens (standard tier, no batch discount; long-context
 * surcharges not modelled). Override or extend them in the config file under `[prices]`.
 * A model matches the key equal to its name, or the longest key it extends with a dated or
 * versioned snapshot suffix (`-` and a digit, or `@`/`:`): `claude-sonnet-4-20250514` →
 * `claude-sonnet-4`, `gpt-4o-2024-08-06` → `gpt-4o`. Anything else (`gpt-5.3-codex`,
 * `o3-mini`) is a different model and stays unpriced until the config prices it.
 */
export const SHIPPED_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4': { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  'claude-opus-4-1': { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  'claude-sonnet-4': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-3-7-sonnet': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-3-5-sonnet': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 },
  'gpt-5': { input: 1.25, output: 10, cache_read: 0.125 },
  'gpt-5-codex': { input: 1.25, output: 10, cache_read: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cache_read: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cache_read: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cache_read: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cache_read: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cache_read: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cache_read: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cache_read: 0.075 },
  o3: { input: 2, output: 8, cache_read: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cache_read: 0.275 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cache_read: 0.31 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cache_read: 0.075 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cache_read: 0.025 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cache_read: 0.025 },
};

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The price of `model` in `table`, or null when it is unpriced. */
export function findPrice(table: PriceTable, model: string): ModelPrice | null {
  const name = model.toLowerCase();
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    const k = key.toLowerCase();
    const rest = name.slice(k.length);
    const boundary = rest === '' || /^(?:-\d|[@:])/.test(rest);
    if (name.startsWith(k) && boundary && (best === null || k.length > best.length)) best = key;
  }
  return best === null ? null : (table[best] ?? null);
}

/** Cost in USD of token counts at a price. */
export function costOf(
  price: ModelPrice,
  tokens: {
    tokensIn: number;
    tokensOut: number;
    tokensCacheRead: number;
    tokensCacheWrite: number;
  },
): number {
  return (
    (tokens.tokensIn * price.input +
      tokens.tokensOut * price.output +
      tokens.tokensCacheRead * (price.cache_read ?? price.input) +
      tokens.tokensCacheWrite * (price.cache_write ?? price.input)) /
    1_000_000
  );
}
