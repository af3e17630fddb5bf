/** How numbers, money, times and reasons read on the dashboard. Pure; cached formatters. */
import { featureLabelOf, REASON_CODES } from '@vigil/core';

const LOCALE = 'en-GB';
const plain2 = new Intl.NumberFormat(LOCALE, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
// en-US for the compact forms: "1.07M" as the counts read ("2.5M"), where en-GB says "1.07m".
const compact3 = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  maximumSignificantDigits: 3,
});
const money = new Map<string, Intl.NumberFormat | null>();

function moneyFormat(currency: string): Intl.NumberFormat | null {
  let f = money.get(currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    } catch {
      f = null; // not an ISO 4217 code this browser knows
    }
    money.set(currency, f);
  }
  return f;
}

/** `57.16 EUR` as `€57.16`; without a (known) currency, the number with its code if any. */
export function formatAmount(amount: number, currency: string | null | undefined): string {
  if (!Number.isFinite(amount)) return '—';
  const f = currency ? moneyFormat(currency) : null;
  if (f) return f.format(amount);
  return currency ? `${plain2.format(amount)} ${currency}` : plain2.format(amount);
}

const compactMoney = new Map<string, Intl.NumberFormat | null>();

/**
 * An amount for a tile, where a number must never wrap: whole below 100,000 (`€9,955.16`), else
 * three significant digits (`€1.07M`) — the caller puts the exact amount in a title.
 */
export function formatAmountShort(amount: number, currency: string | null | undefined): string {
  if (!Number.isFinite(amount) || Math.abs(amount) < 100_000) return formatAmount(amount, currency);
  let f = currency ? compactMoney.get(currency) : null;
  if (currency && f === undefined) {
    try {
      f = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        notation: 'compact',
        maximumSignificantDigits: 3,
      });
    } catch {
      f = null; // not an ISO 4217 code this browser knows
    }
    compactMoney.set(currency, f);
  }
  if (f) return f.format(amount);
  const n = compact3.format(amount);
  return currency ? `${n} ${currency}` : n;
}

/** A fraud probability with three decimals (0.031). */
export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(3) : '—';
}

/** A share (0..1) as a percentage: two decimals under 10 %, one above. */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '—';
  const p = share * 100;
  if (p === 0) return '0 %';
  return `${p < 10 ? p.toFixed(2) : p.toFixed(1)} %`;
}

/** Milliseconds: two decimals under 10 ms, whole above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${integer.format(ms)} ms`;
}

/**
 * A share of a whole that may be empty: "—" when there is nothing to divide (an empty window is
 * not "0 %" of anything).
 */
export function formatShareOf(part: number, whole: number): string {
  return whole > 0 ? formatPercent(part / whole) : '—';
}

/**
 * The edge's server time per decision. workerd's clocks advance only between I/O (a Spectre
 * mitigation), so a decision made without I/O measures exactly 0: that reads "< 1 ms", which is
 * what is known, not "0.00 ms".
 */
export function formatEdgeMs(ms: number): string {
  if (ms === 0) return '< 1 ms';
  return formatMs(ms);
}

/** Why an edge time reads "< 1 ms", for its tooltip; null when it is a real measurement. */
export function edgeMsNote(ms: number): string | null {
  return ms === 0
    ? 'Under 1 ms: the runtime’s clock is coarse (workerd advances it only on I/O), so this decision measured 0.'
    : null;
}

/** An age in seconds as an analyst says it: `45 s`, `12 min`, `3.5 h`, `2.1 days`. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** A count with grouping (12,345), compact from a million (1.2M). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return Math.abs(n) >= 1e6 ? compact.format(n) : integer.format(n);
}

const plural = new Intl.PluralRules(LOCALE);

/** A count with its noun in the right number: `1 item`, `0 items`, `1,234 items`. */
export function formatCountOf(n: number, one: string, other = `${one}s`): string {
  return `${formatCount(n)} ${plural.select(n) === 'one' ? one : other}`;
}

/** A rate per second: one decimal under 10/s, whole above. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  return perSecond < 10 ? `${perSecond.toFixed(1)}/s` : `${integer.format(perSecond)}/s`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The time of day of an ISO timestamp, in UTC (HH:MM:SS) — event times are UTC throughout. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const d = new Date(t);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Date and time of an ISO timestamp in UTC (2018-08-08 10:12:03 UTC). */
export function formatDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${formatTime(iso)} UTC`;
}

/** A log-odds contribution, signed (+0.120). */
export function formatContribution(c: number): string {
  if (!Number.isFinite(c)) return '—';
  return `${c >= 0 ? '+' : '−'}${Math.abs(c).toFixed(3)}`;
}

/** A feature's value as the table shows it: integers whole, others to four significant digits. */
export function formatFeatureValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return integer.format(v);
  return Number(v.toPrecision(4)).toString();
}

const MESSAGES = new Map<string, { feature: string; message: string }>(
  Object.entries(REASON_CODES).map(([feature, rc]) => [rc.code, { feature, message: rc.message }]),
);

/** The sentence an analyst reads for a reason code; the code itself when unknown. */
export function reasonMessage(code: string): string {
  return MESSAGES.get(code)?.message ?? code.replace(/_/g, ' ').toLowerCase();
}

/** A feature's plain label with its unit ("Amount ÷ card's 30-day average (ratio)"); core's words. */
export function featureLabel(name: string): string {
  const l = featureLabelOf(name);
  return l ? `${l.label} (${l.unit})` : name.replace(/_/g, ' ');
}
