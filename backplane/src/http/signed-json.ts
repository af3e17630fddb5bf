/**
 * The edges' signed requests (the event ingest, the rules sync): the body's X-Vigil-Signature
 * checked with VIGIL_EVENTS_SECRET (core's verifyBody: 401 with what is wrong), then the body
 * parsed as JSON (400), in that order — nothing unsigned is parsed.
 */
import { SIGNATURE_HEADER, verifyBody, type HmacSha256 } from '@vigil/core';
import type { Context } from 'hono';
import type { BackplaneEnv } from './backplane-env.js';
import { ProblemError } from './problem.js';

export interface SignedRequestDeps {
  /** VIGIL_EVENTS_SECRET. */
  readonly secret: string;
  readonly hmac: HmacSha256;
}

const SIGNATURE_PROBLEMS = {
  missing: `send ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
  malformed: `${SIGNATURE_HEADER} must be t=<unix seconds>,v1=<64 hex digits>`,
  expired: `the ${SIGNATURE_HEADER} timestamp is too far from the server's clock`,
  mismatch: `${SIGNATURE_HEADER} does not match the body (wrong VIGIL_EVENTS_SECRET?)`,
} as const;

/** Throws 401 unless `signed` (the body, or a GET's path) carries a valid signature. */
export async function requireSignature(
  c: Context<BackplaneEnv>,
  deps: SignedRequestDeps,
  signed: string,
  nowS: number,
  what: string,
): Promise<void> {
  const check = await verifyBody(
    deps.hmac,
    deps.secret,
    signed,
    c.req.header(SIGNATURE_HEADER),
    nowS,
  );
  if (!check.ok) {
    c.get('log').warn({ reason: check.reason }, `${what}: signature refused`);
    throw new ProblemError('unauthorized', SIGNATURE_PROBLEMS[check.reason]);
  }
}

/** The JSON of `body`, once its signature holds; `what` names the route in the log. */
export async function signedJson(
  c: Context<BackplaneEnv>,
  deps: SignedRequestDeps,
  body: string,
  nowS: number,
  what: string,
): Promise<unknown> {
  await requireSignature(c, deps, body, nowS, what);
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ProblemError('malformed-json', 'the body is not valid JSON');
  }
}
