import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

import { errorBody } from '../http-error.js';

/** How long browsers keep a hashed asset: its name changes whenever its content does. */
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** A built asset's name: Vite's `name-hash.ext`, nothing that could climb or hide. */
const ASSET_NAME = /^\/assets\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export interface DashboardOptions {
  /** The built dashboard (`index.html` and `assets/`); default `dist/web` of this package. */
  webRoot?: string;
}

/**
 * The package's root: the nearest folder above this module holding a package.json, so the
 * same code finds `dist/web` when run from `dist/` and from `src/` (tsx, vitest).
 */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (pkg.name === 'vigil') return dir;
      } catch {
        // Not ours or unreadable: keep climbing.
      }
    }
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

/** True when `file` (symlinks resolved) lies inside `root` (symlinks resolved). */
function insideRoot(root: string, file: string): boolean {
  try {
    const real = realpathSync(file);
    const base = realpathSync(root);
    return real.startsWith(base + sep);
  } catch {
    return false;
  }
}

/**
 * Serves the web dashboard built by `npm run build:web`: `/` (and `/index.html`) is the page,
 * `/assets/*` its hashed scripts and styles with year-long immutable caching. Only plain asset
 * names are served: no listing, no dotfiles, no `..` however encoded, no symlink leading out
 * of the folder (all 404). Without a build, `/` answers 503 saying how to make one. The app's
 * security headers (CSP, Host allow-list, token) apply as to every route.
 */
export async function registerDashboardRoutes(
  app: FastifyInstance,
  options: DashboardOptions = {},
): Promise<void> {
  const webRoot = options.webRoot ?? join(findPackageRoot(), 'dist', 'web');
  const assetsRoot = join(webRoot, 'assets');
  const indexFile = join(webRoot, 'index.html');

  const sendIndex = async (_request: unknown, reply: FastifyReply) => {
    let html: Buffer;
    try {
      html = await readFile(indexFile);
    } catch {
      return reply
        .code(503)
        .header('retry-after', '60')
        .send(
          errorBody(
            503,
            `the dashboard is not built (${indexFile} is missing): run \`npm run build\` (or \`npm run build:web\`) in the vigil package, then reload`,
          ),
        );
    }
    return reply.type('text/html; charset=utf-8').send(html);
  };
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/index.html', { schema: { hide: true } }, sendIndex);

  await app.register(async (scope) => {
    // @fastify/static refuses non-canonical paths with a 403; to a client they are just absent.
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_STATIC_FORBIDDEN_PATH' || error.statusCode === 403) {
        return reply
          .code(404)
          .send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`));
      }
      return app.errorHandler(error, request, reply);
    });
    // Raw path check before @fastify/static decodes anything: hashed names only.
    scope.addHook('onRequest', async (request, reply) => {
      const path = request.raw.url?.split('?')[0] ?? '';
      if (!ASSET_NAME.test(path) || path.includes('..')) {
        return reply
          .code(404)
          .send(errorBody(404, `no route ${request.method} ${path}; see /api/openapi.json`));
      }
      return undefined;
    });
    await scope.register(fastifyStatic, {
      root: assetsRoot,
      prefix: '/assets/',
      decorateReply: false,
      wildcard: true,
      index: false,
      list: false,
      dotfiles: 'deny',
      redirect: false,
      etag: true,
      lastModified: true,
      cacheControl: false,
      allowedPath: (pathName) => insideRoot(assetsRoot, join(assetsRoot, pathName)),
    });
    // Hashed names never change content: cached for good (the hub's hook sent no-store).
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode === 200 || reply.statusCode === 304) {
        reply.header('cache-control', ASSET_CACHE_CONTROL);
      }
      return payload;
    });
  });
}
