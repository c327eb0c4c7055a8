/** The webhook plugin against a real local HTTP server: rules, retries, Retry-After, refusals. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { createWebhookPlugin } from '../../../src/plugins/builtin/webhook/index.js';
import type { PluginDefinition } from '../../../src/plugins/sdk.js';
import { createTestContext, pluginEvent, waitUntil, type TestContext } from './context.js';
import { bypassEvents, reviewEvents } from './wfc-fixtures.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

type Answer = (res: ServerResponse) => void;
const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (res) => {
    res.writeHead(code, headers);
    res.end();
  };

/** A server that answers from `script` in turn (200 once it runs out) and records requests. */
async function startServer(script: Answer[] = []) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(body) as Record<string, unknown>,
        at: Date.now(),
      });
      (script.shift() ?? status(204))(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks/vigil?token=secret-in-query`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function activate(
  config: Record<string, unknown>,
  plugin: PluginDefinition = createWebhookPlugin(),
): Promise<{ t: TestContext; plugin: PluginDefinition }> {
  // The fixtures are from February 2026: let them count as fresh unless a test says otherwise.
  const t = createTestContext('webhook', {
    retry_base_ms: 20,
    retry_max_ms: 200,
    max_event_age: '100000d',
    ...config,
  });
  cleanups.push(t.cleanup);
  await plugin.activate?.(t.ctx);
  cleanups.push(() => plugin.deactivate?.(t.ctx));
  return { t, plugin };
}

const recent = () => ({ timestamp: new Date().toISOString() });

describe('webhook plugin over HTTP', () => {
  it('POSTs one payload per alert with the documented shape and headers', async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const { t, plugin } = await activate({
      url: server.url,
      daily_budget_usd: 1,
      failure_rate_min_tasks: 3,
      headers: { Authorization: 'Bearer s3cr3t-token' },
    });
    const [blocked] = reviewEvents('TASK-003');
    const [passed] = reviewEvents('TASK-001');
    const [bypass] = bypassEvents();
    const events = [
      passed!,
      blocked!,
      bypass!,
      pluginEvent({ event_type: 'token_usage', kind: 'llm_call', cost_usd: 1.5, ...recent() }),
      ...['failure', 'failure', 'success'].map((s) => pluginEvent({ status: s, ...recent() })),
    ];
    for (const e of events) await plugin.onEvent?.(e, t.ctx);
    await waitUntil(
      () => server.requests.length === 4,
      () => `4 requests, got ${server.requests.length}\n${t.logText()}`,
    );

    expect(server.requests.map((r) => r.body['rule'])).toEqual([
      'review_blocked',
      'bypass_activated',
      'daily_cost_over_budget',
      'failure_rate_over_threshold',
    ]);
    const [review] = server.requests;
    expect(review).toMatchObject({
      method: 'POST',
      url: '/hooks/vigil?token=secret-in-query',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'vigil/0.1.0',
        authorization: 'Bearer s3cr3t-token',
        'idempotency-key': expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    expect(Object.keys(review!.body)).toEqual([
      'rule',
      'summary',
      'severity',
      'occurred_at',
      'event',
      'details',
    ]);
    expect(review!.body).toMatchObject({
      severity: 'warning',
      occurred_at: blocked!.timestamp,
      event: { event_id: blocked!.event_id, seq: blocked!.seq, event_type: 'review_complete' },
      details: { consensus_score: 7.8, tier: 'important' },
    });
    expect(server.requests[3]!.body).toMatchObject({
      severity: 'critical',
      details: { failed: 2, ended: 3 },
    });
    // Secrets in headers and in the URL's path or query never reach the log.
    expect(t.logText()).not.toMatch(/s3cr3t|secret-in-query|hooks\/vigil/);
  });

  it('retries 500s with backoff, with the same Idempotency-Key, until one succeeds', async () => {
    const server = await startServer([status(500), status(502), status(200)]);
    cleanups.push(server.close);
    const { t, plugin } = await activate({ url: server.url, max_retries: 5 });
    await plugin.onEvent?.(reviewEvents('TASK-003')[0]!, t.ctx);
    await waitUntil(
      () => /alerts delivered/.test(t.logText()) || server.requests.length === 3,
      '3 attempts',
    );
    await plugin.deactivate?.(t.ctx);
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(t.logText()).toMatch(/failed \(HTTP 500\); retry in \d+ ms/);
    expect(t.logText()).toMatch(/failed \(HTTP 502\); retry in \d+ ms/);
    expect(t.logText()).toMatch(/1 alerts delivered, 0 failed/);
  });

  it('gives up after max_retries and logs it', async () => {
    const server = await startServer([status(503), status(503), status(503), status(200)]);
    cleanups.push(server.close);
    const { t, plugin } = await activate({ url: server.url, max_retries: 2 });
    await plugin.onEvent?.(reviewEvents('TASK-003')[0]!, t.ctx);
    await waitUntil(
      () => /gave up/.test(t.logText()),
      () => `giving up\n${t.logText()}`,
    );
    expect(server.requests).toHaveLength(3);
    expect(t.logs.find((l) => /gave up/.test(l.message))).toMatchObject({
      level: 'error',
      message: `gave up on the review_blocked alert to http://127.0.0.1:${server.port} after 3 attempts (HTTP 503)`,
    });
  });

  it('honours Retry-After on 429', async () => {
    const server = await startServer([status(429, { 'Retry-After': '1' }), status(200)]);
    cleanups.push(server.close);
    const { t, plugin } = await activate({ url: server.url, retry_base_ms: 1, retry_max_ms: 5 });
    await plugin.onEvent?.(reviewEvents('TASK-003')[0]!, t.ctx);
    await waitUntil(() => server.requests.length === 2, 'the retry', 5_000);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(t.logText()).toMatch(/HTTP 429\); retry in 1000 ms/);
  });

  it('does not retry other 4xx answers, and retries a server that does not answer in time', async () => {
    const hang: Answer = () => {};
    const server = await startServer([status(404), hang, status(200)]);
    cleanups.push(server.close);
    const { t, plugin } = await activate({ url: server.url, request_timeout_ms: 300 });
    const [blocked] = reviewEvents('TASK-003');
    await plugin.onEvent?.(blocked!, t.ctx);
    await waitUntil(
      () => /refused the review_blocked alert \(HTTP 404\); not retried/.test(t.logText()),
      'the 404',
    );
    await plugin.onEvent?.(reviewEvents('TASK-004')[0]!, t.ctx);
    await waitUntil(
      () => server.requests.length === 3,
      () => `the retry after a timeout\n${t.logText()}`,
    );
    expect(t.logText()).toMatch(/no answer within 300 ms/);
  });

  it('connects to the address it checked, keeping the host name for Host (no second lookup)', async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const lookups: string[] = [];
    const plugin = createWebhookPlugin({
      resolveAll: async (name) => {
        lookups.push(name);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const { t } = await activate({ url: `http://hooks.vigil.test:${server.port}/x` }, plugin);
    await plugin.onEvent?.(reviewEvents('TASK-003')[0]!, t.ctx);
    await waitUntil(() => server.requests.length === 1, 'the request');
    expect(server.requests[0]!.headers.host).toBe(`hooks.vigil.test:${server.port}`);
    expect(lookups).toEqual(['hooks.vigil.test']);
  });

  it('sends user and password of the URL as Basic authorization, and never logs them', async () => {
    const server = await startServer([status(500), status(200)]);
    cleanups.push(server.close);
    const { t, plugin } = await activate({
      url: `http://vigil:pa%3Ass@127.0.0.1:${server.port}/x`,
    });
    await plugin.onEvent?.(reviewEvents('TASK-003')[0]!, t.ctx);
    await waitUntil(() => server.requests.length === 2, 'the retried request');
    expect(server.requests[1]!.headers.authorization).toBe(
      `Basic ${Buffer.from('vigil:pa:ss').toString('base64')}`,
    );
    expect(t.logText()).toContain(`to http://127.0.0.1:${server.port} failed (HTTP 500)`);
    expect(t.logText()).not.toMatch(/pa%3Ass|pa:ss/);
  });

  it("counts today's stored events on a first start, and keeps its totals across a restart", async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const spend = (usd: number) =>
      pluginEvent({ event_type: 'token_usage', kind: 'llm_call', cost_usd: usd, ...recent() });
    const t = createTestContext('webhook', {
      url: server.url,
      rules: ['daily_cost_over_budget'],
      daily_budget_usd: 5,
    });
    cleanups.push(t.cleanup);
    // Spent before the plugin was first enabled: stored, never delivered to it.
    for (const e of [spend(2), spend(2)]) {
      const { seq: _seq, ...stored } = e;
      t.stored.push(stored);
    }
    const first = createWebhookPlugin();
    await first.activate?.(t.ctx);
    await first.onEvent?.(spend(0.5), t.ctx);
    await first.deactivate?.(t.ctx);
    expect(server.requests).toEqual([]);

    // A restart reads its saved totals (not the store again): 4.5 + 1 crosses the budget once.
    const second = createWebhookPlugin();
    await second.activate?.(t.ctx);
    await second.onEvent?.(spend(1), t.ctx);
    await second.onEvent?.(spend(1), t.ctx);
    await waitUntil(
      () => server.requests.length === 1,
      () => `the budget alert\n${t.logText()}`,
    );
    await second.deactivate?.(t.ctx);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body['details']).toMatchObject({ cost_usd: 5.5, budget_usd: 5 });
  });

  it('stays quiet about events older than max_event_age (a first ingest of history)', async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const { t, plugin } = await activate({ url: server.url, max_event_age: '1h' });
    const [old] = reviewEvents('TASK-003');
    await plugin.onEvent?.(
      { ...old!, timestamp: new Date(Date.now() - 7_200_000).toISOString() },
      t.ctx,
    );
    const [fresh] = reviewEvents('TASK-004');
    await plugin.onEvent?.({ ...fresh!, timestamp: new Date().toISOString() }, t.ctx);
    await waitUntil(() => server.requests.length === 1, 'the fresh alert');
    await plugin.deactivate?.(t.ctx);
    expect(server.requests.map((r) => (r.body['event'] as { task_id: string }).task_id)).toEqual([
      'TASK-004',
    ]);
  });

  it('refuses a host name that resolves to a link-local address, without connecting', async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const plugin = createWebhookPlugin({
      resolveAll: async () => [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    const { t } = await activate({ url: `http://rebind.vigil.test:${server.port}/x` }, plugin);
    await plugin.onEvent?.(reviewEvents('TASK-003')[0]!, t.ctx);
    await waitUntil(() => /not sent/.test(t.logText()), 'the refusal');
    expect(t.logs.find((l) => /not sent/.test(l.message))?.message).toBe(
      `review_blocked alert not sent to http://rebind.vigil.test:${server.port}: refused: rebind.vigil.test resolves to 169.254.169.254; 169.254.169.254 is the cloud metadata address`,
    );
    expect(server.requests).toEqual([]);
  });
});

describe('webhook configuration', () => {
  it.each([
    [
      'http://169.254.169.254/latest/meta-data/',
      /plugins\.webhook\.url: refused: 169\.254\.169\.254 is the cloud metadata address/,
    ],
    ['http://[fe80::1]/', /plugins\.webhook\.url: refused: fe80::1 is link-local/],
    ['http://[fd00:ec2::254]/', /is the cloud metadata address/],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      /metadata\.google\.internal is a cloud metadata host name/,
    ],
    ['file:///etc/passwd', /plugins\.webhook\.url: file: only http and https URLs are allowed/],
    ['not a url', /plugins\.webhook\.url: expected an absolute http\(s\) URL/],
  ])('refuses %s at activation', async (url, message) => {
    const t = createTestContext('webhook', { url });
    cleanups.push(t.cleanup);
    await expect(createWebhookPlugin().activate?.(t.ctx)).rejects.toThrow(message);
  });

  it('allows them with allow_link_local_and_metadata = true', async () => {
    await activate({ url: 'http://169.254.169.254/', allow_link_local_and_metadata: true });
  });

  it('names the key of a bad or missing setting', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /plugins\.webhook\.url: required: the http\(s\) URL alerts are POSTed to/],
      [
        { url: 'http://127.0.0.1/', rules: ['review_blocked', 'cost'] },
        /plugins\.webhook\.rules\[1\]: expected one of review_blocked/,
      ],
      [
        { url: 'http://127.0.0.1/', failure_rate_threshold: 20 },
        /plugins\.webhook\.failure_rate_threshold: expected a fraction/,
      ],
      [
        { url: 'http://127.0.0.1/', failure_rate_window: 'soon' },
        /plugins\.webhook\.failure_rate_window: expected a number of task ends \(20\) or a duration/,
      ],
      [
        { url: 'http://127.0.0.1/', headers: { Host: 'x' } },
        /plugins\.webhook\.headers\.Host: set by Vigil itself/,
      ],
      [
        { url: 'http://127.0.0.1/', headers: { 'X-A': 'a\r\nB: c' } },
        /plugins\.webhook\.headers\.X-A: a header value may not contain line breaks/,
      ],
    ];
    for (const [config, message] of cases) {
      const t = createTestContext('webhook', config);
      cleanups.push(t.cleanup);
      await expect(createWebhookPlugin().activate?.(t.ctx)).rejects.toThrow(message);
    }
  });
});
