import swagger from '@fastify/swagger';
import Fastify, { type FastifyError } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';

import { type ErrorCode, VigilError } from '../core/errors.js';
import type { Hub } from '../live/hub.js';
import { VERSION } from '../version.js';
import { errorBody, HttpError } from './http-error.js';
import { registerMetrics } from './metrics/index.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerApiRoutes } from './routes/index.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerPluginRoutes } from './routes/plugins.js';
import { createGuard, SECURITY_HEADERS } from './security.js';
import { registerStreams } from './streams/index.js';
import type { VigilApp } from './types.js';

export interface BuildOptions {
  /** Log requests to stderr (pino); off by default. */
  logRequests?: boolean;
}

/**
 * Builds the hub's HTTP app: security checks on every request, zod-validated routes, the
 * OpenAPI document, the API, streams and /metrics. It does not listen; `startServer` does.
 *
 * @example
 * const app = await buildApp(hub);
 * const res = await app.inject({ url: '/healthz', headers: { host: 'localhost' } });
 */
export async function buildApp(hub: Hub, options: BuildOptions = {}): Promise<VigilApp> {
  const server = hub.config.server;
  const app = Fastify({
    logger: options.logRequests ? { level: 'info' } : false,
    bodyLimit: server.bodyLimitBytes,
    // `__proto__` and `constructor.prototype` keys are refused with a 400, never merged.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const guard = createGuard(server);
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('cache-control', 'no-store');
    if (!guard.check(request, reply)) return reply;
    return undefined;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send({
        ...errorBody(400, ''),
        message: `invalid ${error.validationContext ?? 'request'}: ${error.validation
          .map(
            (v) =>
              `${v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)'}: ${v.message}`,
          )
          .join('; ')}`,
        issues: error.validation.map((v) => ({
          path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
          message: v.message,
        })),
      });
    }
    if (isResponseSerializationError(error)) {
      request.log.error(error);
      hub.monitor.error(`response for ${request.url} did not match its schema: ${error.message}`);
      return reply.code(500).send(errorBody(500, 'the response did not match its schema'));
    }
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send(errorBody(error.statusCode, error.message));
    }
    if (error instanceof VigilError) {
      const status = statusOfVigilError(error.code);
      if (status === 503) reply.header('retry-after', '1');
      if (status >= 500) request.log.error(error);
      return reply.code(status).send(errorBody(status, error.message, { hint: error.hint }));
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error(error);
    return reply
      .code(status)
      .send(
        errorBody(status, status >= 500 ? 'internal error; see the server log' : error.message),
      );
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          404,
          `no route ${request.method} ${request.url.split('?')[0]}; see /api/openapi.json`,
        ),
      ),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil hub API',
        version: VERSION,
        description:
          'Query, stream and ingest agent telemetry. JSON routes send Cache-Control: no-store.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await registerHealthRoutes(app, hub);
  await registerApiRoutes(app, hub);
  await registerIngestRoutes(app, hub);
  await registerPluginRoutes(app, hub);
  await registerStreams(app, hub);
  await registerMetrics(app, hub);
  await registerDashboardRoutes(app);
  return app;
}

/**
 * The status of a catalogued error: what the request asked for is 400, a busy or full store
 * 503 (retry later), and a fault of the hub's own files or store 500.
 */
function statusOfVigilError(code: ErrorCode): number {
  switch (code) {
    case 'VIGIL_ERR_USAGE':
    case 'VIGIL_ERR_UNKNOWN_FORMAT':
      return 400;
    case 'VIGIL_ERR_STORE_LOCKED':
    case 'VIGIL_ERR_DISK':
      return 503;
    case 'VIGIL_ERR_FILE_NOT_FOUND':
    case 'VIGIL_ERR_PERMISSION':
    case 'VIGIL_ERR_STORE_CORRUPT':
    case 'VIGIL_ERR_STORE_VERSION':
    case 'VIGIL_ERR_CONFIG':
      return 500;
    default:
      return code satisfies never;
  }
}
