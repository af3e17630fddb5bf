import type { Env } from 'hono';
import type { Logger } from 'pino';

/** Hono's environment for the backplane's routes: the request id and its child logger. */
export interface BackplaneEnv extends Env {
  Variables: { requestId: string; log: Logger };
}
