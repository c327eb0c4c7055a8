/**
 * Plugin HTTP: routes mounted on the hub under /plugins/{name}/ (behind the hub's security
 * checks, bounded by the timeout and size limits) and a plugin listening on its own port
 * picked from port_range.
 */
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { waitForValue } from '../server/streams-helpers.js';
import { commit, createLab, manifest, waitForPlugin, type PluginLab } from './helpers.js';

let lab: PluginLab | null = null;
let blocker: Server | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
  blocker?.close();
  blocker = null;
});

const WEB = `import { createServer } from 'node:http';
import { definePlugin } from 'vigil/plugin';
let server;
export default definePlugin({
  activate(ctx) {
    if (ctx.http.port === null) return;
    server = createServer((req, res) => res.end(JSON.stringify({ own: true, port: ctx.http.port, url: req.url })));
    return new Promise((resolve) => server.listen(ctx.http.port, '127.0.0.1', resolve));
  },
  async onRequest(req, ctx) {
    switch (req.path) {
      case '/echo':
        return {
          status: 201,
          headers: { 'X-Plugin': 'yes', 'content-security-policy': 'default-src *', 'access-control-allow-origin': '*' },
          body: { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body ?? null, mount: ctx.http.mountPath },
        };
      case '/page':
        return { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<p>hi</p>' };
      case '/events':
        return { body: await ctx.queryEvents({ limit: 2 }) };
      case '/throw':
        throw new Error('no such thing');
      case '/hang':
        return new Promise(() => {});
      default:
        return { status: 404, body: { error: 'not here: ' + req.path } };
    }
  },
  deactivate() { server?.close(); },
});
`;

/** A raw request with the Host header given (fetch sets its own). */
function rawGet(url: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    request({ host: u.hostname, port: u.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('plugin HTTP', () => {
  it('mounted under /plugins/{name}/: requests, responses, errors and limits', async () => {
    lab = createLab();
    lab.plugin('web', {
      'plugin.toml': manifest('web', '[plugin.http]\nenabled = true\n'),
      'index.js': WEB,
    });
    lab.enable('web');
    const server = await lab.start({ config: '[plugins.web]\ntimeout_ms = 1000\n' });
    await waitForPlugin(server, 'web', (s) => s.state === 'running', 'running');
    const base = `${server.url}/plugins/web`;

    const echo = await fetch(`${base}/echo?x=1&x=2&access_token=secret`, {
      headers: { authorization: 'Bearer secret', 'x-custom': 'a' },
    });
    expect(echo.status).toBe(201);
    expect(echo.headers.get('x-plugin')).toBe('yes');
    // The hub's security headers stand; a plugin cannot open CORS.
    expect(echo.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(echo.headers.get('access-control-allow-origin')).toBeNull();
    const seen = (await echo.json()) as {
      method: string;
      path: string;
      query: Record<string, unknown>;
      headers: Record<string, string>;
      body: unknown;
      mount: string;
    };
    expect(seen).toMatchObject({
      method: 'GET',
      path: '/echo',
      query: { x: ['1', '2'] },
      body: null,
      mount: '/plugins/web',
    });
    expect(seen.headers['x-custom']).toBe('a');
    expect(seen.headers['authorization']).toBeUndefined();
    expect(seen.query['access_token']).toBeUndefined();

    const posted = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(((await posted.json()) as { body: string }).body).toBe('{"a":1}');
    const page = await fetch(`${base}/page`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<p>hi</p>');
    expect((await fetch(`${base}`)).status).toBe(404);

    await commit(server, 3);
    const events = (await (await fetch(`${base}/events`)).json()) as { event_id: string }[];
    expect(events).toHaveLength(2);

    const thrown = await fetch(`${base}/throw`);
    expect(thrown.status).toBe(500);
    expect(((await thrown.json()) as { message: string }).message).toBe(
      'plugin web: no such thing',
    );

    const unknown = await fetch(`${server.url}/plugins/nobody/x`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain(
      'no plugin nobody is mounted here',
    );

    const big = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat((1 << 20) + 1) });
    expect(big.status).toBe(413);

    // The hub's own checks apply: DNS rebinding, a foreign Origin on a POST.
    expect(await rawGet(server.url, '/plugins/web/echo', 'evil.example')).toBe(403);
    const foreign = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
      body: 'x',
    });
    expect(foreign.status).toBe(403);

    // A request that outlives timeout_ms: 504, the plugin is killed and restarted.
    const hang = await fetch(`${base}/hang`);
    expect(hang.status).toBe(504);
    expect(((await hang.json()) as { message: string }).message).toBe(
      'plugin web: onRequest GET /hang timed out after 1000 ms; killed',
    );
    const restarted = await waitForPlugin(
      server,
      'web',
      (s) => s.state === 'running' && s.restarts === 1,
      'restarted',
    );
    expect(restarted.last_error).toContain('timed out after 1000 ms');
    expect((await fetch(`${base}/page`)).status).toBe(200);

    lab.enable('web', false);
    await waitForPlugin(server, 'web', (s) => s.state === 'disabled', 'disabled');
    const off = await fetch(`${base}/page`);
    expect(off.status).toBe(503);
    expect(((await off.json()) as { message: string }).message).toMatch(
      /^plugin web: not running \(disabled\)/,
    );
  });

  it('requires the API token on plugin routes when one is set, and never passes it on', async () => {
    lab = createLab();
    lab.plugin('web', {
      'plugin.toml': manifest('web', '[plugin.http]\nenabled = true\n'),
      'index.js': WEB,
    });
    lab.enable('web');
    const token = 'plugin-token-0123456789';
    const server = await lab.start({ env: { VIGIL_API_TOKEN: token } });
    const auth = { authorization: `Bearer ${token}` };
    await waitForValue(async () => {
      const res = await fetch(`${server.url}/api/plugins`, { headers: auth });
      const body = (await res.json()) as { plugins: { name: string; state: string }[] };
      return body.plugins.find((p) => p.name === 'web')?.state === 'running';
    }, 'web running');
    expect((await fetch(`${server.url}/api/plugins`)).status).toBe(401);
    expect((await fetch(`${server.url}/plugins/web/echo`)).status).toBe(401);
    const ok = await fetch(`${server.url}/plugins/web/echo`, { headers: auth });
    expect(ok.status).toBe(201);
    expect(
      ((await ok.json()) as { headers: Record<string, string> }).headers['authorization'],
    ).toBeUndefined();
  });

  it('on its own port: the first free one of port_range, on loopback', async () => {
    blocker = createServer();
    const first = await new Promise<number>((resolve) =>
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
    );
    lab = createLab();
    lab.plugin('own', {
      'plugin.toml': manifest(
        'own',
        `[plugin.http]\nenabled = true\nport_range = [${first}, ${first + 20}]\n`,
      ),
      'index.js': WEB,
    });
    lab.enable('own');
    const server = await lab.start();
    const s = await waitForPlugin(server, 'own', (x) => x.state === 'running', 'running');
    expect(s.http?.mount_path).toBeNull();
    expect(s.http?.port).toBeGreaterThan(first);
    expect(s.http?.port).toBeLessThanOrEqual(first + 20);
    const res = await fetch(`http://127.0.0.1:${s.http?.port}/hello`);
    expect(await res.json()).toEqual({ own: true, port: s.http?.port, url: '/hello' });
    // Not mounted on the hub.
    expect((await fetch(`${server.url}/plugins/own/echo`)).status).toBe(404);
  });
});
