import type { FastifyRequest } from 'fastify';

import type { Hub } from '../../live/hub.js';
import { hubPlugins } from '../../plugins/hub-plugins.js';
import { PLUGIN_NAME } from '../../plugins/manifest.js';
import { RequestFailure } from '../../plugins/runtime.js';
import type { PluginRequest } from '../../plugins/sdk.js';
import { PluginsBody } from '../../plugins/status.js';
import { errorBody, httpError } from '../http-error.js';
import { SECURITY_HEADERS } from '../security.js';
import type { VigilApp } from '../types.js';

/** Largest request body forwarded to a plugin. */
export const PLUGIN_BODY_LIMIT = 1 << 20;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Response headers a plugin may not set: the hub's own security and framing headers. */
const RESERVED_HEADER = new RegExp(
  `^(${[...Object.keys(SECURITY_HEADERS), 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'vary', 'www-authenticate'].join('|')}|access-control-.*)$`,
);

/** What a plugin sees of a request: no token (header or query), nothing the hub uses to frame it. */
function pluginRequest(request: FastifyRequest, mountPath: string): PluginRequest {
  const url = request.url;
  const q = url.indexOf('?');
  const below = (q === -1 ? url : url.slice(0, q)).slice(mountPath.length);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (k === 'access_token') continue;
    if (typeof v === 'string' || Array.isArray(v)) query[k] = v as string | string[];
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (k === 'authorization' || v === undefined) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const body = request.body;
  return {
    method: request.method,
    path: below.startsWith('/') ? below : `/${below}`,
    query,
    headers,
    ...(typeof body === 'string' && request.method !== 'GET' && request.method !== 'HEAD'
      ? { body }
      : {}),
  };
}

/**
 * `GET /api/plugins` (every plugin, its state and figures) and `/plugins/{name}/...`: the
 * routes of mounted plugins, behind the hub's own security checks (the app's onRequest hook).
 */
export async function registerPluginRoutes(app: VigilApp, hub: Hub): Promise<void> {
  app.get(
    '/api/plugins',
    {
      schema: {
        tags: ['plugins'],
        summary: 'Plugins: state (running, restarting, failed, ...), last error, restarts, events',
        response: { 200: PluginsBody },
      },
    },
    () => hubPlugins(hub)?.body() ?? { plugins: [], problems: [] },
  );

  await app.register(async (scope) => {
    // Bodies reach the plugin as text, whatever their type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: PLUGIN_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const handler = async (
      request: FastifyRequest<{ Params: { name: string } }>,
      reply: import('fastify').FastifyReply,
    ) => {
      const { name } = request.params;
      const plugins = hubPlugins(hub);
      if (!PLUGIN_NAME.test(name) || plugins === null || !plugins.mounted(name)) {
        throw httpError(
          404,
          `no plugin ${name} is mounted here; \`vigil plugin list\` shows the plugins and where they serve`,
        );
      }
      let response;
      try {
        response = await plugins.request(name, pluginRequest(request, `/plugins/${name}`));
      } catch (error) {
        if (!(error instanceof RequestFailure)) throw error;
        if (error.status === 503) reply.header('retry-after', '1');
        return reply
          .code(error.status)
          .send(errorBody(error.status, `plugin ${name}: ${error.message}`));
      }
      for (const [k, v] of Object.entries(response.headers)) {
        if (!RESERVED_HEADER.test(k)) reply.header(k, v);
      }
      if (reply.getHeader('content-type') === undefined) {
        reply.type(response.json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
      }
      return reply.code(response.status).send(response.body);
    };
    for (const url of ['/plugins/:name', '/plugins/:name/*']) {
      scope.route({ method: [...METHODS], url, schema: { hide: true }, handler });
    }
  });
}
