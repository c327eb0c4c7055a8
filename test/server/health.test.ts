import { afterEach, describe, expect, it } from 'vitest';

import { startTestHub, type TestHub } from './harness.js';

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

describe('health routes', () => {
  it('answers /healthz and /health with no-store JSON and security headers', async () => {
    hub = await startTestHub();
    for (const path of ['/healthz', '/health']) {
      const res = await hub.fetch(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const body = (await res.json()) as { status: string; backend: string };
      expect(body).toMatchObject({ status: 'ok', backend: 'sqlite' });
    }
  });

  it('serves an OpenAPI document listing its routes', async () => {
    hub = await startTestHub();
    const res = await hub.fetch('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/healthz');
  });

  it('answers unknown routes with a JSON 404 naming the route', async () => {
    hub = await startTestHub();
    const res = await hub.fetch('/api/nope?x=1');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('GET /api/nope');
  });
});
