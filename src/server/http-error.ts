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

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** An error response the error handler sends as `{statusCode, error, message}`. */
export function httpError(
  status: number,
  message: string,
  headers?: Readonly<Record<string, string>>,
): HttpError {
  return new HttpError(status, message, headers);
}

export function errorBody(
  status: number,
  message: string,
  extra: Partial<ErrorBody> = {},
): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...extra };
}
