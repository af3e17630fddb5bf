/**
 * The analysts' API's one error handler: a ProblemError as it says; the database away → 503 to
 * retry; the database refusing a value that slipped past validation → 400 (logged, so the gap in
 * validation can be closed); anything else → 500 with an id to find it in the log. No answer
 * carries a stack or a database message.
 */
import type { ErrorHandler } from 'hono';
import type { Logger } from 'pino';
import {
  internalProblemBody,
  problemBody,
  problemResponse,
  ProblemError,
} from '../http/problem.js';
import { isDatabaseUnavailable, isDatabaseValueRefused } from './db-errors.js';

/** The onError of the API app. */
export function apiErrorHandler(log: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ProblemError) return problemResponse(err.body(), { ...err.headers });
    if (isDatabaseUnavailable(err)) {
      log.warn({ err, path: c.req.path }, 'analysts API: database unavailable');
      return problemResponse(
        problemBody('unavailable', 'the database is unavailable: retry in a few seconds'),
        { 'retry-after': '5' },
      );
    }
    if (isDatabaseValueRefused(err)) {
      log.warn(
        { err, method: c.req.method, path: c.req.path },
        'analysts API: the database refused a request value that validation let through',
      );
      return problemResponse(
        problemBody(
          'validation',
          'a value of the request is outside what the database can hold (see docs/api.md for the limits)',
        ),
      );
    }
    const id = crypto.randomUUID();
    log.error({ err, id, method: c.req.method, path: c.req.path }, 'analysts API: unhandled error');
    return problemResponse(internalProblemBody(id));
  };
}
