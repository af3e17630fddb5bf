/**
 * One spelling per IP address, so that a list item, a velocity key and a rule see one address as
 * one value: `2001:DB8::1`, `2001:0db8:0000::1` and `2001:db8:0:0:0:0:0:1` are all `2001:db8::1`,
 * and `::ffff:10.0.0.1` (an IPv4 address mapped into IPv6) is `10.0.0.1`.
 *
 * Written here rather than taken from a package: the rule is RFC 5952's section 4 in a few lines,
 * core imports nothing with I/O, and the Worker bundle stays lean (ipaddr.js would add ~10 KB for
 * this one function).
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 16-bit groups of an IPv6 address (with an IPv4 tail or `::`), or null if it is not one. */
function groups(s: string): number[] | null {
  let text = s;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const v4 = IPV4.exec(dotted[2]!)!.slice(1).map(Number);
    if (v4.some((b) => b > 255)) return null;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    text = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const hex = [...head, ...rest];
  if (!hex.every((h) => /^[0-9A-Fa-f]{1,4}$/.test(h))) return null;
  const known = hex.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const zeros = new Array<number>(8 - known).fill(0);
  const values = (xs: string[]) => xs.map((h) => parseInt(h, 16));
  return [...values(head), ...zeros, ...values(rest), ...tail];
}

/**
 * An IP address in its canonical text (RFC 5952: lower case, no leading zeros, the longest run of
 * two or more zero groups — the first of equals — as `::`); an IPv4-mapped address
 * (`::ffff:a.b.c.d`) as its IPv4 address; IPv4 dotted decimal unchanged. Anything that is not an
 * address is returned as it is (validation refuses it elsewhere).
 */
export function canonicalIp(s: string): string {
  if (!s.includes(':')) return s;
  const g = groups(s);
  if (g === null) return s;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join('.');
  }
  let best = -1;
  let bestLength = 1; // a single zero group is never compressed (RFC 5952, 4.2.2)
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
