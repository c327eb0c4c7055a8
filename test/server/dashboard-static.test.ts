/**
 * The dashboard's static files as `vigil serve` serves them: the page, hashed assets with
 * immutable caching, the security headers, and every way out of the assets folder refused.
 * Needs the dashboard built (`npm run build:web`, part of `npm run build`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findPackageRoot, registerDashboardRoutes } from '../../src/server/routes/dashboard.js';
import { startTestHub, type TestHub } from './harness.js';
import { rawRequest } from './http.js';

const webRoot = join(findPackageRoot(), 'dist', 'web');

describe('dashboard served by the hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    expect(
      existsSync(join(webRoot, 'index.html')),
      'build the dashboard first: npm run build:web',
    ).toBe(true);
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  const get = (path: string, host = `127.0.0.1:${hub.port}`) =>
    rawRequest(hub.port, { path, headers: { host } });

  it('serves the page with the strict CSP and no inline script or style', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/assets\/[\w.-]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(res.body).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect((await get('/index.html')).status).toBe(200);
  });

  it('serves hashed assets with immutable caching and the security headers', async () => {
    const page = await get('/');
    const assets = [...page.body.matchAll(/(?:src|href)="(\/assets\/[\w.-]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a?.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a?.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const res = await get(asset ?? '');
      expect(res.status, asset).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(
        asset?.endsWith('.js') ? /javascript/ : /text\/css/,
      );
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('refuses traversal, dotfiles and listings with 404', async () => {
    for (const path of [
      '/assets/',
      '/assets',
      '/assets/../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/..%2F..%2Fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%252f..%252fpackage.json',
      '/assets/%252e%252e%252f%252e%252e%252fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/x/../../package.json',
      '/assets//etc/passwd',
      '/assets/%2fetc%2fpasswd',
      '/assets/.env',
      '/assets/%2eenv',
      '/assets/index.html%00.js',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('"name": "vigil"');
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });

  it('keeps the Host allow-list on the page', async () => {
    expect((await get('/', 'evil.example')).status).toBe(403);
    expect((await get('/assets/x.js', 'evil.example')).status).toBe(403);
  });
});

describe('dashboard without a build, and symlinks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
    mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'secret.txt'), 'outside the folder');
    writeFileSync(join(dir, 'web', 'assets', 'app-abc123.js'), 'export {};\n');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'web', 'assets', 'leak-abc123.js'));
    symlinkSync(
      join(dir, 'web', 'assets', 'app-abc123.js'),
      join(dir, 'web', 'assets', 'alias-abc123.js'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 503 on / with how to build when index.html is missing', async () => {
    const app = Fastify();
    await registerDashboardRoutes(app, { webRoot: join(dir, 'web') });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.json<{ message: string }>().message).toContain('npm run build');
    await app.close();
  });

  it('serves files in the folder and refuses symlinks leading out of it', async () => {
    const app = Fastify();
    await registerDashboardRoutes(app, { webRoot: join(dir, 'web') });
    const ok = await app.inject({ url: '/assets/app-abc123.js' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const leak = await app.inject({ url: '/assets/leak-abc123.js' });
    expect(leak.statusCode).toBe(404);
    expect(leak.body).not.toContain('outside the folder');
    await app.close();
  });
});
