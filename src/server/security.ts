import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { ServerConfig } from '../config/config.js';
import { errorBody } from './http-error.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(h) || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The hostname of a Host header or an origin's authority, without port or brackets. */
export function hostnameOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    return end === -1 ? a : a.slice(1, end);
  }
  const colon = a.indexOf(':');
  // More than one colon without brackets: a bare IPv6 address.
  if (colon !== -1 && a.indexOf(':', colon + 1) !== -1) return a;
  return colon === -1 ? a : a.slice(0, colon);
}

/** Security headers sent on every response (the dashboard's CSP forbids inline script). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The dashboard's page and its hashed assets: code with no data in it, which a browser loads
 * without the API token (it cannot attach one to a page load); every API call still needs it.
 */
const DASHBOARD_SHELL = /^\/(?:index\.html)?(?:\?[^#]*)?$|^\/assets\/[\w-]+(?:\.[\w-]+)+$/;

/** An origin as compared: lower case, without trailing slashes. */
const normalOrigin = (origin: string) => origin.replace(/\/+$/, '').toLowerCase();

export interface Guard {
  /** Host, token, Origin and CORS checks; replies (and returns false) when a request is refused. */
  check(request: FastifyRequest, reply: FastifyReply): boolean;
  readonly allowedHosts: ReadonlySet<string>;
}

/**
 * The hub's front door: a Host allow-list against DNS rebinding, a bearer token when one is
 * configured (required beyond loopback), Origin checks on state-changing requests and
 * WebSocket upgrades, and CORS only for configured origins.
 */
export function createGuard(config: ServerConfig): Guard {
  const allowedHosts = new Set<string>(LOOPBACK_NAMES);
  const bind = hostnameOf(config.host);
  if (bind !== '0.0.0.0' && bind !== '::' && bind !== '') allowedHosts.add(bind);
  for (const h of config.allowedHosts) allowedHosts.add(hostnameOf(h));
  const corsAll = config.corsOrigins.includes('*');
  const corsOrigins = new Set(config.corsOrigins.map(normalOrigin));
  const token = config.apiToken === null ? null : Buffer.from(config.apiToken);

  const hostAllowed = (host: string | undefined): boolean => {
    if (host === undefined || host === '') return false;
    const name = hostnameOf(host);
    return allowedHosts.has(name) || name.endsWith('.localhost');
  };

  /** An origin the configuration lets read responses (CORS). */
  const corsListed = (origin: string): boolean => corsAll || corsOrigins.has(normalOrigin(origin));

  /** A page served by this hub under a host we accept. */
  const sameOrigin = (origin: string, host: string | undefined): boolean => {
    let url: URL;
    try {
      url = new URL(normalOrigin(origin));
    } catch {
      return false;
    }
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      host !== undefined &&
      url.host === host.toLowerCase() &&
      hostAllowed(url.host)
    );
  };

  const tokenOf = (request: FastifyRequest): string | null => {
    const auth = request.headers.authorization;
    if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim();
    // Browsers cannot set headers on EventSource or WebSocket: accept the token in the query.
    const q = (request.query as Record<string, unknown> | undefined)?.['access_token'];
    return typeof q === 'string' ? q : null;
  };

  const refuse = (reply: FastifyReply, status: number, message: string): false => {
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="vigil"');
    reply.header('cache-control', 'no-store');
    reply.code(status).send(errorBody(status, message));
    return false;
  };

  return {
    allowedHosts,
    check(request, reply) {
      const host = request.headers.host;
      if (!hostAllowed(host)) {
        return refuse(
          reply,
          403,
          `Host ${JSON.stringify(host ?? '')} is not allowed; add it to [server] allowed_hosts (or VIGIL_ALLOWED_HOSTS) to accept it`,
        );
      }
      const origin = request.headers.origin;
      const listed = origin !== undefined && corsListed(origin);
      if (listed) {
        // Set before the token check, so a configured origin can read a 401 too.
        reply.header('access-control-allow-origin', corsAll ? '*' : origin);
        reply.header('vary', 'Origin');
        // A preflight never carries the token (browsers send no credentials with it): it is
        // answered here, and the request it announces is checked like any other.
        if (request.method === 'OPTIONS') {
          reply.header('access-control-allow-methods', 'GET, HEAD, POST, OPTIONS');
          reply.header(
            'access-control-allow-headers',
            'authorization, content-type, content-encoding, last-event-id',
          );
          reply.header('access-control-max-age', '600');
          reply.code(204).send();
          return false;
        }
      }
      const shell =
        (request.method === 'GET' || request.method === 'HEAD') &&
        DASHBOARD_SHELL.test(request.url);
      if (token !== null && !shell) {
        const given = tokenOf(request);
        const g = Buffer.from(given ?? '');
        if (given === null || g.length !== token.length || !timingSafeEqual(g, token)) {
          return refuse(reply, 401, 'an API token is required: send Authorization: Bearer <token>');
        }
      }
      const upgrade = String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';
      if (
        origin !== undefined &&
        !listed &&
        (upgrade || !SAFE_METHODS.has(request.method)) &&
        !sameOrigin(origin, host)
      ) {
        return refuse(
          reply,
          403,
          `Origin ${JSON.stringify(origin)} may not ${upgrade ? 'open a WebSocket' : `send ${request.method}`} here; add it to [server] cors_origin to allow it`,
        );
      }
      return true;
    },
  };
}

/**
 * Refuses to listen beyond loopback without a token: returns the reason, or null when the
 * configuration is safe.
 */
export function unsafeBindReason(config: ServerConfig): string | null {
  const host = hostnameOf(config.host);
  if (isLoopbackHost(host) || config.apiToken !== null) return null;
  const what = isIP(host) === 0 && !['0.0.0.0', '::'].includes(host) ? `host ${host}` : host;
  return `refusing to listen on ${what} (beyond loopback) without an API token: set VIGIL_API_TOKEN or [server] api_token (16 characters or more), or bind to 127.0.0.1`;
}
