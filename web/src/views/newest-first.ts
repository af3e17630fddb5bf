/** Rows with an ISO `timestamp`, newest first (the API's order is not relied on for display). */
export function newestFirst<T extends { readonly timestamp: string }>(rows: readonly T[]): T[] {
  // Date.parse, not string order: offsets (`+02:00`) make lexical order wrong.
  return [...rows].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
}
