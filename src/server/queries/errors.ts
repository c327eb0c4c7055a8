/**
 * An error a query or route throws to answer with `statusCode` (4xx) and its message; the app's
 * error handler turns it into the JSON error body.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 naming the query parameter at fault, worded like the schema validation errors. */
export function badQuery(param: string, message: string): HttpError {
  return new HttpError(400, `invalid querystring: ${param}: ${message}`);
}
