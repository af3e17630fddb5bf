/**
 * How long a list item lasts: the choices the dashboard offers (never, 1/7/30/90 days, until a
 * date) turned into the API's `expires_at`.
 */
const DAY_MS = 86_400_000;

export const EXPIRY_CHOICES = ['never', '1d', '7d', '30d', '90d', 'date'] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number];

export const EXPIRY_LABELS: Record<ExpiryChoice, string> = {
  never: 'Never expires',
  '1d': '1 day',
  '7d': '7 days',
  '30d': '30 days',
  '90d': '90 days',
  date: 'Until a date…',
};

const DAYS: Partial<Record<ExpiryChoice, number>> = { '1d': 1, '7d': 7, '30d': 30, '90d': 90 };

export function isExpiryChoice(v: string): v is ExpiryChoice {
  return (EXPIRY_CHOICES as readonly string[]).includes(v);
}

/** An expiry: the `expires_at` to send (undefined = never), or why the choice is unusable. */
export type ExpiryResult =
  | { readonly ok: true; readonly expiresAt: string | undefined }
  | { readonly ok: false; readonly message: string };

/**
 * The `expires_at` of a choice made at `now`. A date (`YYYY-MM-DD`, as `<input type="date">`
 * gives it) means through the end of that day in UTC, the time zone every other time on the
 * dashboard is shown in; it must be after `now`.
 */
export function expiresAt(choice: ExpiryChoice, date: string, now: Date): ExpiryResult {
  if (choice === 'never') return { ok: true, expiresAt: undefined };
  const days = DAYS[choice];
  if (days !== undefined) {
    return { ok: true, expiresAt: new Date(now.getTime() + days * DAY_MS).toISOString() };
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return { ok: false, message: 'Choose the date the item expires.' };
  const endOfDay = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1) - 1;
  const check = new Date(endOfDay);
  // Date.UTC rolls 2026-02-31 over to March: refuse what is not a calendar date.
  if (check.getUTCDate() !== Number(m[3]) || check.getUTCMonth() !== Number(m[2]) - 1) {
    return { ok: false, message: `${date} is not a date.` };
  }
  if (endOfDay <= now.getTime()) return { ok: false, message: 'The date must be in the future.' };
  return { ok: true, expiresAt: check.toISOString() };
}
