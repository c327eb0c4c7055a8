/** /api/budget: the configured daily budget the dashboard's cost view draws as a line. */
import { afterEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/config.js';
import { getJson, startTestHub, type TestHub } from './harness.js';

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

describe('GET /api/budget', () => {
  it('is null when no budget is configured', async () => {
    hub = await startTestHub();
    expect(await getJson(hub, '/api/budget')).toEqual({ daily_usd: null });
  });

  it('answers VIGIL_BUDGET_DAILY_USD', async () => {
    hub = await startTestHub({ env: { VIGIL_BUDGET_DAILY_USD: '12.5' } });
    expect(await getJson(hub, '/api/budget')).toEqual({ daily_usd: 12.5 });
  });

  it('refuses a budget that is not a positive amount, naming the variable', async () => {
    await expect(
      loadConfig({ env: { VIGIL_BUDGET_DAILY_USD: '-3', HOME: '/nonexistent' } }),
    ).rejects.toThrow(/VIGIL_BUDGET_DAILY_USD=-3: expected a positive amount/);
  });
});
