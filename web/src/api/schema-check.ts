/**
 * Checks a value against one of core's schemas through the Standard Schema interface every zod
 * schema carries, so the dashboard validates with core's definitions without a zod import of its
 * own. Core's schemas are synchronous; an asynchronous one is a programming error.
 */
import { toFieldIssues, type Validated } from '@vigil/core';

type PathSegment = PropertyKey | { readonly key: PropertyKey };

interface StandardResult<T> {
  readonly value?: T;
  readonly issues?: readonly { readonly message: string; readonly path?: readonly PathSegment[] }[];
}

/** What this needs of a schema: Standard Schema's `validate`. */
export interface CheckableSchema<T> {
  readonly '~standard': {
    validate(value: unknown): StandardResult<T> | Promise<StandardResult<T>>;
  };
}

/** `value` checked by `schema`: the parsed value, or every issue with a JSON Pointer path. */
export function checkWith<T>(schema: CheckableSchema<T>, value: unknown): Validated<T> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) throw new Error('checkWith: the schema is asynchronous');
  if (result.issues) {
    return {
      ok: false,
      issues: toFieldIssues(
        result.issues.map((i) => ({
          message: i.message,
          path: (i.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)),
        })),
      ),
    };
  }
  return { ok: true, value: result.value as T };
}
