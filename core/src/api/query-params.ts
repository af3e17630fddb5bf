/**
 * A query string as one value per parameter, for every HTTP border (the edge's routes, the LiveHub,
 * the analysts' API). A parameter given twice is refused rather than one of its values picked: two
 * layers (a proxy, a cache, the handler) may pick differently. `__proto__` is refused by name: as a
 * key of a plain object it would set the prototype instead of a value, so a check downstream would
 * never see it.
 */
import type { FieldIssue, Validated } from '../schema/issues.js';
import { pointer } from '../schema/issues.js';

/** A query string's parameters in order, as URLSearchParams gives them (core has no DOM types). */
export interface QueryEntries {
  forEach(f: (value: string, key: string) => void): void;
}

/** The parameters of a query string, once each, in a prototype-less record. */
export function singleQueryParams(
  params: QueryEntries,
): Validated<Readonly<Record<string, string>>> {
  const one: Record<string, string> = Object.create(null) as Record<string, string>;
  const issues: FieldIssue[] = [];
  const repeated = new Set<string>();
  params.forEach((v, k) => {
    if (k === '__proto__' || Object.hasOwn(one, k)) {
      if (!repeated.has(k)) {
        const message =
          k === '__proto__' ? '__proto__ is not a parameter' : `${k} may be given once`;
        issues.push({ path: pointer([k]), message });
      }
      repeated.add(k);
      return;
    }
    one[k] = v;
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: one };
}
