/**
 * List membership in the feature stores (ARCHITECTURE.md "Decision rules and lists"): what every
 * store checks of a change before applying it, and the expiry rule they share. Changes come from
 * the backplane's sync (already validated there); the stores check again because they are a
 * border of their own (the Durable Object's RPC, Redis keys built from the values).
 */
import { LIST_KINDS, LIST_NAME, type ListChange, type ListKind } from '@vigil/core';

/** Expiry as the stores keep it: epoch ms, 0 = never (a real expiry is never 0). */
export function storedExpiry(change: ListChange): number {
  return change.expiresAtMs === null ? 0 : Math.max(1, change.expiresAtMs);
}

/** Whether an item with this stored expiry is on its list at wall-clock time `nowMs`. */
export function listItemLive(expiry: number, nowMs: number): boolean {
  return expiry === 0 || expiry > nowMs;
}

const KINDS: ReadonlySet<string> = new Set(LIST_KINDS);

/** Throws a TypeError naming the first malformed change; a list of well-formed changes is returned. */
export function checkListChanges(changes: unknown): readonly ListChange[] {
  if (!Array.isArray(changes)) throw new TypeError('list changes must be a list');
  changes.forEach((c: unknown, i) => {
    const ch = c as Partial<Record<keyof ListChange, unknown>> | null;
    const ok =
      typeof ch === 'object' &&
      ch !== null &&
      (ch.op === 'add' || ch.op === 'remove') &&
      typeof ch.list === 'string' &&
      LIST_NAME.test(ch.list) &&
      typeof ch.kind === 'string' &&
      KINDS.has(ch.kind) &&
      typeof ch.value === 'string' &&
      ch.value.length > 0 &&
      (ch.expiresAtMs === null ||
        (typeof ch.expiresAtMs === 'number' && Number.isSafeInteger(ch.expiresAtMs)));
    if (!ok) throw new TypeError(`list change ${i} is malformed`);
  });
  return changes as readonly ListChange[];
}

/**
 * A list sync cursor as the backplane gives it (core's RulesSyncAnswer.cursor): `<source>.<seq>`,
 * the backplane database's id and the decimal sequence number of the last change. Throws a
 * TypeError for anything else: the Redis script compares cursors by their parts.
 */
export const LIST_CURSOR = /^[a-z0-9]{1,16}\.\d{1,15}$/;

export function checkListCursor(cursor: unknown): string {
  if (typeof cursor !== 'string' || !LIST_CURSOR.test(cursor)) {
    throw new TypeError('list cursor must be <source>.<sequence number> as the backplane gives it');
  }
  return cursor;
}

/**
 * Whether `cursor` replaces `held` (null: none held): a later seq of the same source — an older
 * page applied late never moves it back — or any cursor of another source (the backplane's
 * database changed, and it starts over).
 */
export function laterCursor(cursor: string, held: string | null): boolean {
  if (held === null) return true;
  const [source, seq] = cursor.split('.');
  const [heldSource, heldSeq] = held.split('.');
  return source !== heldSource || Number(seq) > Number(heldSeq);
}

/** The transaction's value for each list kind, in LIST_KINDS order ('' when absent). */
export function listValues(tx: {
  readonly customerId: string;
  readonly terminalId: string;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly country?: string | undefined;
}): Record<ListKind, string> {
  return {
    customer_id: tx.customerId,
    terminal_id: tx.terminalId,
    device_id: tx.deviceId ?? '',
    ip: tx.ip ?? '',
    country: tx.country ?? '',
  };
}
