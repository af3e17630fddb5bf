/**
 * Validation at the API's border: query strings and JSON bodies through zod/mini schemas, every
 * problem reported as a 400 naming its parameter or field by JSON Pointer (`/min_score`,
 * `/resolution`). Unknown parameters and fields are refused, as the scoring API refuses them.
 */
import { singleQueryParams, timestampSchema, toFieldIssues } from '@vigil/core';
import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import { ProblemError, validationProblem } from '../http/problem.js';
import { instantIsStorable, MAX_QUERY_TIME, MIN_QUERY_TIME } from './storable-time.js';

/** Largest JSON body the API reads (comments are the longest, at 4,000 characters). */
export const MAX_BODY_BYTES = 65_536;

/** Parse `value` with `schema` or throw a 400 listing every issue. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown): z.infer<S> {
  const r = z.safeParse(schema, value);
  if (!r.success) throw validationProblem(toFieldIssues(r.error.issues));
  return r.data;
}

/**
 * The route's path parameters, decoded. A segment whose %-escapes are not UTF-8 names nothing, yet
 * the router hands it on undecoded ('%FF' taken as the text '%FF'): a 400 naming the parameter
 * left with an escape in it.
 */
export function pathParams(c: Context): Record<string, string> {
  const params = c.req.param() as Record<string, string>;
  try {
    decodeURIComponent(new URL(c.req.url).pathname);
  } catch {
    const names = Object.keys(params);
    const bad = names.find((k) => /%[0-9A-Fa-f]{2}/.test(params[k]!)) ?? names[0] ?? '';
    throw validationProblem([
      { path: bad ? `/${bad}` : '', message: `${bad || 'the path'} is not percent-encoded UTF-8` },
    ]);
  }
  return params;
}

/** The query string as an object of single values; a parameter given twice, or `__proto__`, is a 400. */
export function parseQuery<S extends z.ZodMiniType>(c: Context, schema: S): z.infer<S> {
  const q = singleQueryParams(new URL(c.req.url).searchParams);
  if (!q.ok) throw validationProblem(q.issues);
  return parseWith(schema, q.value);
}

const NO_PARAMETERS = z.strictObject({});

/**
 * For the routes that take no query parameter: any one is refused as unknown (400 naming it), as
 * the routes with parameters refuse those they do not know — a typo never passes silently.
 */
export const noQuery: MiddlewareHandler = async (c, next) => {
  parseQuery(c, NO_PARAMETERS);
  await next();
};

function isJson(contentType: string): boolean {
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return (
    media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
  );
}

/**
 * The request body as an untrusted JSON value: 415 unless declared JSON, 413 past `maxBytes` (the
 * API's limit unless a route takes more).
 */
export async function readJsonBody(c: Context, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type === undefined || !isJson(type)) {
    throw new ProblemError('unsupported-media-type', 'send Content-Type: application/json');
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) {
    throw new ProblemError('payload-too-large', `the body exceeds ${maxBytes} bytes`);
  }
  const text = await c.req.text();
  if (text.length > maxBytes) {
    throw new ProblemError('payload-too-large', `the body exceeds ${maxBytes} bytes`);
  }
  if (text.trim() === '') {
    throw new ProblemError('malformed-json', 'the request body is empty', {
      errors: [{ path: '', message: 'expected a JSON document' }],
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).slice(0, 200);
    throw new ProblemError('malformed-json', `the request body is not valid JSON: ${message}`, {
      errors: [{ path: '', message }],
    });
  }
}

/** The JSON body, validated. */
export async function parseBody<S extends z.ZodMiniType>(
  c: Context,
  schema: S,
): Promise<z.infer<S>> {
  return parseWith(schema, await readJsonBody(c));
}

// --- Field builders shared by the routes -------------------------------------------------------

const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** An id as the scoring API accepts them (transaction, customer, terminal). */
export const tokenParam = (name: string) =>
  z.string().check(z.regex(TOKEN, `${name} must be 1–128 characters of A–Z, a–z, 0–9 and . _ : -`));

/** A decimal number in [lo, hi]. */
export const numberParam = (name: string, lo: number, hi: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(NUMBER, `${name} must be a number`)), z.transform(Number)),
    z.number().check(z.gte(lo, `${name} must be ≥ ${lo}`), z.lte(hi, `${name} must be ≤ ${hi}`)),
  );

/** An integer in [lo, hi]. */
export const integerParam = (name: string, lo: number, hi: number) =>
  z.pipe(
    z.pipe(
      z.string().check(z.regex(/^\d{1,9}$/, `${name} must be an integer`)),
      z.transform(Number),
    ),
    z.number().check(z.gte(lo, `${name} must be ≥ ${lo}`), z.lte(hi, `${name} must be ≤ ${hi}`)),
  );

/** An RFC 3339 date-time, as a Date, within what a Postgres parameter can carry (storable-time.ts). */
export const timeParam = (name: string) =>
  z.pipe(
    z.pipe(
      timestampSchema,
      z.transform((s) => new Date(s)),
    ),
    z
      .date()
      .check(
        z.refine(
          (d) => instantIsStorable(d.getTime()),
          `${name} must be from ${MIN_QUERY_TIME} to ${MAX_QUERY_TIME} (after its UTC offset)`,
        ),
      ),
  );

/** A comma-separated list of members of `allowed`, without repeats. */
export const listParam = <T extends string>(name: string, allowed: readonly T[]) =>
  z.pipe(
    z.string(),
    z.transform((v, ctx): T[] => {
      const out: T[] = [];
      for (const part of v.split(',')) {
        const p = part.trim();
        if (!(allowed as readonly string[]).includes(p)) {
          ctx.issues.push({
            code: 'custom',
            input: v,
            message: `${name} must be a comma-separated list of ${allowed.join(', ')}; got '${p.slice(0, 40)}'`,
          });
          continue;
        }
        if (!out.includes(p as T)) out.push(p as T);
      }
      return out;
    }),
  );

/** A UTF-16 surrogate without its pair: with the `u` flag a pair is one code point, never Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Text a person typed: no NUL (Postgres text cannot hold it), no lone surrogate (UTF-8 cannot: it
 * would be stored as U+FFFD, not as sent), trimmed length within bounds.
 */
export const textField = (name: string, max: number) =>
  z.string(`${name} must be a string`).check(
    z.refine((s) => s.trim().length > 0, `${name} must not be empty`),
    z.maxLength(max, `${name} must be at most ${max} characters`),
    z.refine((s) => !s.includes('\u0000'), `${name} must not contain NUL characters`),
    z.refine((s) => !LONE_SURROGATE.test(s), `${name} must be valid Unicode (a lone surrogate)`),
  );

/** A person's display name (assignee, session subject): 1–64 printable ASCII characters. */
export const nameField = (name: string) =>
  z.string(`${name} must be a string`).check(
    z.regex(/^[\x20-\x7e]{1,64}$/, `${name} must be 1–64 printable ASCII characters`),
    z.refine((s) => s.trim() === s && s !== '', `${name} must not start or end with a space`),
  );
