/**
 * The state behind the velocity counters (VELOCITY_NAMES, rules/velocity-names.ts), as op programs
 * of state-ops.ts: the feature stores fold and count with the same interpreter they run for the
 * card's and the terminal's state (the Lua script mirrors it), so what to add where and what to
 * count stays decided here, once.
 *
 * Two fixed-size Float64Array layouts, 65 float64 each (520 B), zero when fresh:
 * - per device and per IP (`entity`): [newest stamp, 32 recent stamps, 16 × (customer hash, last
 *   stamp)] → `*_tx_1h` and `*_customers_24h`;
 * - per customer, beside (not inside) its feature state: [newest stamp, 16 × (country hash, last
 *   stamp), 16 × (device hash, last stamp)] → `customer_countries_30d`, `customer_devices_30d`.
 *
 * A stamp is the event time + 1 s, so that 0 means "empty" whatever the time (events are ≥ 1970).
 * A counter counts the transactions (distinct values) seen so far whose event time is later than
 * the scored transaction's minus the window — the scored one included. It is exact while at most
 * 32 transactions (16 distinct values) fall in that reach, and saturates there: the sets keep the
 * latest stamps and evict the oldest. A counter is 0 when a field it reads is absent: device_id for
 * `device_*` and `customer_devices_30d`, ip for `ip_*`, country for `customer_countries_30d`.
 */
import {
  N_VELOCITY,
  VELOCITY_NAMES,
  VELOCITY_STATES,
  type VelocityName,
  type VelocityStateKind,
} from '../rules/velocity-names.js';
import { OP_DISTINCT, OP_MAX, OP_RECENT } from './state-ops.js';

/** Recent transactions kept per device and per IP: where `*_tx_1h` saturates. */
export const VELOCITY_TX_SLOTS = 32;
/** Distinct values kept per set (customers of a device or IP, countries and devices of a card). */
export const VELOCITY_SET_SLOTS = 16;
/** Index of the newest stamp a state has seen (the memory store's expiry reads it). */
export const VELOCITY_NEWEST = 0;

const ENTITY_TX_BASE = 1;
const ENTITY_CUSTOMERS_BASE = ENTITY_TX_BASE + VELOCITY_TX_SLOTS;
export const ENTITY_VELOCITY_LENGTH = ENTITY_CUSTOMERS_BASE + 2 * VELOCITY_SET_SLOTS;
/** Bytes of one device's or IP's velocity state (520). */
export const ENTITY_VELOCITY_BYTES = ENTITY_VELOCITY_LENGTH * 8;

const CUSTOMER_COUNTRIES_BASE = 1;
const CUSTOMER_DEVICES_BASE = CUSTOMER_COUNTRIES_BASE + 2 * VELOCITY_SET_SLOTS;
export const CUSTOMER_VELOCITY_LENGTH = CUSTOMER_DEVICES_BASE + 2 * VELOCITY_SET_SLOTS;
/** Bytes of one customer's velocity state (520). */
export const CUSTOMER_VELOCITY_BYTES = CUSTOMER_VELOCITY_LENGTH * 8;

const HOUR_S = 3_600;
const DAY_S = 86_400;
/** The longest window: a velocity state untouched for longer counts nothing. */
export const VELOCITY_MAX_WINDOW_S = 30 * DAY_S;

/** What the velocity programs read of a transaction. */
export interface VelocityEvent {
  readonly customerId: string;
  readonly timeSec: number;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly country?: string | undefined;
}

/** A fresh (empty) velocity state of either layout. */
export function newVelocityState(length: number): Float64Array {
  return new Float64Array(length);
}

const at = (name: VelocityName) => VELOCITY_NAMES.indexOf(name);
const DEVICE_TX = at('device_tx_1h');
const DEVICE_CUSTOMERS = at('device_customers_24h');
const IP_TX = at('ip_tx_1h');
const IP_CUSTOMERS = at('ip_customers_24h');
const CUSTOMER_COUNTRIES = at('customer_countries_30d');
const CUSTOMER_DEVICES = at('customer_devices_30d');

/**
 * A 52-bit hash of a string, exact in a float64 (so Lua reads back the same number): two 32-bit
 * FNV-1a passes over the UTF-16 code units with different offset bases, 32 + 20 bits kept. Written
 * here because it is eight lines and must be identical wherever a program is built; 64-bit FNV
 * would need BigInt on the scoring path. Collisions (~2^-52 a pair) merge two values in a count.
 */
export function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) >>> 12);
}

/** Lower bound of a window: stamps above it count (never below 0, the empty slot). */
function sinceOf(stamp: number, windowS: number): number {
  return Math.max(0, stamp - windowS);
}

/** The program of a device's or an IP's state, or undefined when the field is absent. */
function entityOps(
  tx: VelocityEvent,
  value: string | undefined,
  txOut: number,
  customersOut: number,
): Float64Array | undefined {
  // An empty string is absent too: the Lua script receives absent fields as ''.
  if (!value) return undefined;
  const stamp = tx.timeSec + 1;
  return Float64Array.of(
    OP_MAX,
    VELOCITY_NEWEST,
    stamp,
    OP_RECENT,
    ENTITY_TX_BASE,
    VELOCITY_TX_SLOTS,
    stamp,
    sinceOf(stamp, HOUR_S),
    txOut,
    OP_DISTINCT,
    ENTITY_CUSTOMERS_BASE,
    VELOCITY_SET_SLOTS,
    hash52(tx.customerId),
    stamp,
    sinceOf(stamp, DAY_S),
    customersOut,
  );
}

/** Program for the device's state (`device_tx_1h`, `device_customers_24h`). */
export function deviceVelocityOps(tx: VelocityEvent): Float64Array | undefined {
  return entityOps(tx, tx.deviceId, DEVICE_TX, DEVICE_CUSTOMERS);
}

/** Program for the IP's state (`ip_tx_1h`, `ip_customers_24h`). */
export function ipVelocityOps(tx: VelocityEvent): Float64Array | undefined {
  return entityOps(tx, tx.ip, IP_TX, IP_CUSTOMERS);
}

/**
 * Program for the customer's velocity state (`customer_countries_30d`, `customer_devices_30d`), or
 * undefined when the transaction carries neither a country nor a device.
 */
export function customerVelocityOps(tx: VelocityEvent): Float64Array | undefined {
  if (!tx.country && !tx.deviceId) return undefined;
  const stamp = tx.timeSec + 1;
  const since = sinceOf(stamp, VELOCITY_MAX_WINDOW_S);
  const ops = [OP_MAX, VELOCITY_NEWEST, stamp];
  if (tx.country) {
    ops.push(
      OP_DISTINCT,
      CUSTOMER_COUNTRIES_BASE,
      VELOCITY_SET_SLOTS,
      hash52(tx.country),
      stamp,
      since,
      CUSTOMER_COUNTRIES,
    );
  }
  if (tx.deviceId) {
    ops.push(
      OP_DISTINCT,
      CUSTOMER_DEVICES_BASE,
      VELOCITY_SET_SLOTS,
      hash52(tx.deviceId),
      stamp,
      since,
      CUSTOMER_DEVICES,
    );
  }
  return Float64Array.from(ops);
}

/**
 * The programs for the device's, the IP's and the customer's velocity state, of the states to
 * keep only (the others undefined: neither read nor written, their counters 0). Default: all.
 */
export function keptVelocityOps(
  tx: VelocityEvent,
  keep: readonly VelocityStateKind[] = VELOCITY_STATES,
): [Float64Array | undefined, Float64Array | undefined, Float64Array | undefined] {
  return [
    keep.includes('device') ? deviceVelocityOps(tx) : undefined,
    keep.includes('ip') ? ipVelocityOps(tx) : undefined,
    keep.includes('customer') ? customerVelocityOps(tx) : undefined,
  ];
}

/** The counters' array (VELOCITY_NAMES order), all 0: the programs fill what they count. */
export function newVelocity(): Float64Array {
  return new Float64Array(N_VELOCITY);
}
