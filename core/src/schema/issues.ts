/** One problem with an input, as the API reports it: a JSON Pointer to the field and a message. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Outcome of validating untrusted input: a value, or every problem found. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** RFC 6901 JSON Pointer of a path of keys and indexes ('' is the whole document). */
export function pointer(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1');
  return s;
}

interface RawIssue {
  readonly code?: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
}

/**
 * Turn a validator's issues into FieldIssues, one per offending field: an unknown-keys issue on
 * an object becomes one issue per unknown key, so every problem is named by its own path.
 */
export function toFieldIssues(
  raw: readonly RawIssue[],
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const i of raw) {
    if (i.code === 'unrecognized_keys' && i.keys) {
      for (const k of i.keys)
        out.push({ path: pointer([...prefix, ...i.path, k]), message: 'unknown field' });
    } else {
      out.push({ path: pointer([...prefix, ...i.path]), message: i.message });
    }
  }
  return out;
}
