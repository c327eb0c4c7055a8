import { STATUS_CODES } from 'node:http';

import { z } from 'zod';

/** The body of every error response. */
export const ErrorBody = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * An error a route, hook or query throws to answer with `statusCode`, its message and extra
 * headers; the app's error handler turns it into the JSON error body.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * An error response the error handler sends as `{statusCode, error, message}`.
 *
 * @example
 * throw httpError(429, 'too many requests; retry after 1 s', { 'retry-after': '1' });
 */
export function httpError(
  status: number,
  message: string,
  headers?: Readonly<Record<string, string>>,
): HttpError {
  return new HttpError(status, message, headers);
}

/** A 400 naming the query parameter at fault, worded like the schema validation errors. */
export function badQuery(param: string, message: string): HttpError {
  return new HttpError(400, `invalid querystring: ${param}: ${message}`);
}

export function errorBody(
  status: number,
  message: string,
  extra: Partial<ErrorBody> = {},
): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...extra };
}
