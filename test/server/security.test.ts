import { afterEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/config.js';
import { VigilError } from '../../src/core/errors.js';
import { createGuard, hostnameOf, unsafeBindReason } from '../../src/server/security.js';
import { startTestHub, type TestHub } from './harness.js';
import { rawRequest } from './http.js';

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

/** Every kind of route: plain JSON, the OpenAPI document, ingest, streams, metrics, unknown. */
const ROUTES = [
  ['GET', '/healthz'],
  ['GET', '/health'],
  ['GET', '/api/openapi.json'],
  ['POST', '/api/events'],
  ['GET', '/api/events/stream'],
  ['GET', '/api/metrics/stream'],
  ['GET', '/metrics'],
  ['GET', '/ws'],
  ['GET', '/no/such/route'],
  ['GET', '/plugins/x/y'],
  ['GET', '/assets/../api/summary'],
  ['GET', '/index.htmlx'],
  ['POST', '/'],
] as const;

describe('S2: Host allow-list (DNS rebinding)', () => {
  it('answers 403 on every route to a foreign Host, and serves loopback names', async () => {
    hub = await startTestHub();
    const port = hub.port;
    for (const [method, path] of ROUTES) {
      for (const host of [
        'evil.example',
        `evil.example:${port}`,
        '127.0.0.1.evil.example',
        'localhost.evil.example',
      ]) {
        const res = await rawRequest(port, {
          method,
          path,
          headers: {
            host,
            'content-type': 'application/json',
            ...(path === '/ws' ? { connection: 'Upgrade', upgrade: 'websocket' } : {}),
          },
          body: method === 'POST' ? '[]' : undefined,
        });
        expect(res.status, `${method} ${path} Host ${host}`).toBe(403);
        expect(JSON.parse(res.body).message).toContain('is not allowed');
      }
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      const res = await rawRequest(port, { path: '/healthz', headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });

  it('accepts extra hosts named in the configuration', async () => {
    hub = await startTestHub({ env: { VIGIL_ALLOWED_HOSTS: 'vigil.internal, hub.lan' } });
    for (const host of ['vigil.internal', `hub.lan:${hub.port}`]) {
      expect((await rawRequest(hub.port, { path: '/healthz', headers: { host } })).status).toBe(
        200,
      );
    }
    expect(
      (await rawRequest(hub.port, { path: '/healthz', headers: { host: 'other.lan' } })).status,
    ).toBe(403);
  });
});

describe('S3: Origin checks and CORS', () => {
  it('refuses a foreign Origin on POST and WebSocket upgrades, never sends ACAO by default', async () => {
    hub = await startTestHub();
    const host = `127.0.0.1:${hub.port}`;
    const post = await rawRequest(hub.port, {
      method: 'POST',
      path: '/api/events',
      headers: { host, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '[]',
    });
    expect(post.status).toBe(403);
    expect(JSON.parse(post.body).message).toContain('Origin "http://evil.example"');
    const upgrade = await rawRequest(hub.port, {
      path: '/ws',
      headers: {
        host,
        origin: 'http://evil.example',
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    expect(upgrade.status).toBe(403);
    // A cross-origin GET is answered (the browser withholds it) but never with ACAO.
    const get = await rawRequest(hub.port, {
      path: '/healthz',
      headers: { host, origin: 'http://evil.example' },
    });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    // Same origin (the dashboard served by the hub) may POST.
    const same = await rawRequest(hub.port, {
      method: 'POST',
      path: '/api/events',
      headers: { host, origin: `http://${host}`, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(same.status).toBe(200);
  });

  it('sends CORS headers only to configured origins, and answers their preflight', async () => {
    hub = await startTestHub({ env: { VIGIL_CORS_ORIGIN: 'http://dash.example:5173' } });
    const host = `127.0.0.1:${hub.port}`;
    const ok = await rawRequest(hub.port, {
      path: '/healthz',
      headers: { host, origin: 'http://dash.example:5173' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('http://dash.example:5173');
    expect(ok.headers['vary']).toContain('Origin');
    const preflight = await rawRequest(hub.port, {
      method: 'OPTIONS',
      path: '/api/events',
      headers: {
        host,
        origin: 'http://dash.example:5173',
        'access-control-request-method': 'POST',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const other = await rawRequest(hub.port, {
      path: '/healthz',
      headers: { host, origin: 'http://other.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('S4: API token', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    const config = await loadConfig({ env: { VIGIL_HOST: '0.0.0.0', HOME: '/nonexistent' } });
    expect(unsafeBindReason(config.server)).toMatch(/refusing to listen on 0\.0\.0\.0.*API token/);
    const { startServer } = await import('../../src/server/serve.js');
    await expect(startServer(config)).rejects.toThrow(VigilError);
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
      const c = await loadConfig({ env: { VIGIL_HOST: host, HOME: '/nonexistent' } });
      expect(unsafeBindReason(c.server), host).toBeNull();
    }
    const withToken = await loadConfig({
      env: { VIGIL_HOST: '0.0.0.0', VIGIL_API_TOKEN: 'a'.repeat(32), HOME: '/nonexistent' },
    });
    expect(unsafeBindReason(withToken.server)).toBeNull();
  });

  it('with a token, every route requires it', async () => {
    const token = 'tok-0123456789abcdef-XYZ';
    hub = await startTestHub({ env: { VIGIL_API_TOKEN: token } });
    const host = `127.0.0.1:${hub.port}`;
    for (const [method, path] of ROUTES) {
      const headers = { host, 'content-type': 'application/json' };
      const body = method === 'POST' ? '[]' : undefined;
      const none = await rawRequest(hub.port, { method, path, headers, body });
      expect(none.status, `${method} ${path} without token`).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      const wrong = await rawRequest(hub.port, {
        method,
        path,
        headers: { ...headers, authorization: `Bearer ${token}x` },
        body,
      });
      expect(wrong.status, `${method} ${path} wrong token`).toBe(401);
    }
    const good = await rawRequest(hub.port, {
      path: '/healthz',
      headers: { host, authorization: `Bearer ${token}` },
    });
    expect(good.status).toBe(200);
    const query = await rawRequest(hub.port, {
      path: `/healthz?access_token=${token}`,
      headers: { host },
    });
    expect(query.status).toBe(200);
    // The dashboard's page and assets hold no data and load without the token (a browser
    // cannot attach one to a page load); the Host check still applies to them.
    for (const path of ['/', '/index.html', '/?access_token=abc', '/assets/no-such.js']) {
      const shell = await rawRequest(hub.port, { path, headers: { host } });
      expect(shell.status, path).not.toBe(401);
      const foreign = await rawRequest(hub.port, { path, headers: { host: 'evil.example' } });
      expect(foreign.status, `${path} from a foreign Host`).toBe(403);
    }
  });

  it('with a token, answers a configured origin its preflight (which never carries the token)', async () => {
    const token = 'tok-0123456789abcdef-XYZ';
    const origin = 'http://dash.example:5173';
    const h = await startTestHub({ env: { VIGIL_API_TOKEN: token, VIGIL_CORS_ORIGIN: origin } });
    hub = h;
    const host = `127.0.0.1:${h.port}`;
    const preflight = await rawRequest(h.port, {
      method: 'OPTIONS',
      path: '/api/events',
      headers: {
        host,
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    // The request it announces still needs the token; the origin may read the refusal.
    const post = (headers: Record<string, string>) =>
      rawRequest(h.port, {
        method: 'POST',
        path: '/api/events',
        headers: { host, origin, 'content-type': 'application/json', ...headers },
        body: '[]',
      });
    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(origin);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(200);
    // Another origin's preflight gets nothing from the guard but the 401.
    const foreign = await rawRequest(h.port, {
      method: 'OPTIONS',
      path: '/api/events',
      headers: { host, origin: 'http://other.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(401);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('guard helpers', () => {
  it('parses host names out of Host headers and origins', () => {
    expect(hostnameOf('LOCALHOST:3030')).toBe('localhost');
    expect(hostnameOf('[::1]:3030')).toBe('::1');
    expect(hostnameOf('::1')).toBe('::1');
    expect(hostnameOf('example.com')).toBe('example.com');
  });

  it('adds the bind address to the allowed hosts unless it is a wildcard', async () => {
    const c = await loadConfig({
      env: { VIGIL_HOST: '10.1.2.3', VIGIL_API_TOKEN: 'x'.repeat(20), HOME: '/nonexistent' },
    });
    expect(createGuard(c.server).allowedHosts.has('10.1.2.3')).toBe(true);
    const w = await loadConfig({
      env: { VIGIL_HOST: '0.0.0.0', VIGIL_API_TOKEN: 'x'.repeat(20), HOME: '/nonexistent' },
    });
    expect(createGuard(w.server).allowedHosts.has('0.0.0.0')).toBe(false);
  });
});

describe('security headers', () => {
  it('sends them on every response, errors included', async () => {
    hub = await startTestHub();
    for (const path of ['/healthz', '/nope']) {
      const res = await rawRequest(hub.port, { path, headers: { host: 'localhost' } });
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
