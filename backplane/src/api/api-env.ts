/** Hono's environment for the analysts' API: who is calling, set by the auth middleware. */
import type { Env } from 'hono';

/** The caller: an analyst's session, or a program with a bearer key. */
export interface Principal {
  /** The session's subject (an analyst's name), or 'api' for a bearer key. */
  readonly subject: string;
  readonly via: 'session' | 'bearer';
}

export interface ApiEnv extends Env {
  Variables: { principal: Principal };
}
