/**
 * The open transaction lives in the URL's hash (`#tx=ID`): history links are real links, the
 * browser's Back returns to the previous transaction, and a copied URL opens the same one.
 */

/** The link that opens a transaction in the drawer. */
export function txHref(transactionId: string): string {
  return `#tx=${encodeURIComponent(transactionId)}`;
}

/** The transaction a hash names, or null. */
export function txFromHash(hash: string): string | null {
  const m = /^#?tx=(.+)$/.exec(hash);
  if (!m) return null;
  try {
    const id = decodeURIComponent(m[1]!);
    return id.length > 0 ? id : null;
  } catch {
    return null; // malformed escape
  }
}
