/**
 * Velocity counters recomputed from stored transactions, for the rule backtest: the decision
 * events do not carry them, so a backtest of a rule that reads `velocity.*` folds every stored
 * transaction, in event-time order, into the velocity states with the same op programs
 * (velocity-state.ts's keptVelocityOps) and interpreter (state-ops.ts's applyOps) the feature
 * stores run — one implementation of what is counted where. States no transaction has touched
 * for longer than their longest window are dropped as the replay goes, so memory follows the
 * devices, IPs and cards active within a window, not all ever seen.
 */
import {
  CUSTOMER_VELOCITY_LENGTH,
  ENTITY_VELOCITY_LENGTH,
  keptVelocityOps,
  newVelocity,
  VELOCITY_MAX_WINDOW_S,
  VELOCITY_NEWEST,
  type VelocityEvent,
} from '../features/velocity-state.js';
import { applyOps } from '../features/state-ops.js';
import type { VelocityStateKind } from './velocity-names.js';

/** A device's or IP's longest window (`*_customers_24h`). */
const ENTITY_WINDOW_S = 86_400;
/** Transactions between sweeps of idle states. */
const SWEEP_EVERY = 50_000;

function stateOf(m: Map<string, Float64Array>, id: string, length: number): Float64Array {
  let s = m.get(id);
  if (!s) m.set(id, (s = new Float64Array(length)));
  return s;
}

/** Drop the states whose newest stamp is older than `before` (an idle state counts nothing). */
function sweep(m: Map<string, Float64Array>, before: number): void {
  for (const [k, s] of m) if (s[VELOCITY_NEWEST]! < before) m.delete(k);
}

/** The velocity states of a replay: feed it transactions in event-time order. */
export class VelocityReplay {
  private readonly devices = new Map<string, Float64Array>();
  private readonly ips = new Map<string, Float64Array>();
  private readonly customers = new Map<string, Float64Array>();
  private seen = 0;

  constructor(private readonly keep: readonly VelocityStateKind[]) {}

  /**
   * Fold one transaction into its states; its counters (VELOCITY_NAMES order, itself included),
   * in a new array.
   */
  next(tx: VelocityEvent): Float64Array {
    const out = newVelocity();
    const [d, ip, c] = keptVelocityOps(tx, this.keep);
    if (d) applyOps(stateOf(this.devices, tx.deviceId!, ENTITY_VELOCITY_LENGTH), d, out);
    if (ip) applyOps(stateOf(this.ips, tx.ip!, ENTITY_VELOCITY_LENGTH), ip, out);
    if (c) applyOps(stateOf(this.customers, tx.customerId, CUSTOMER_VELOCITY_LENGTH), c, out);
    if (++this.seen % SWEEP_EVERY === 0) {
      const stamp = tx.timeSec + 1;
      sweep(this.devices, stamp - ENTITY_WINDOW_S);
      sweep(this.ips, stamp - ENTITY_WINDOW_S);
      sweep(this.customers, stamp - VELOCITY_MAX_WINDOW_S);
    }
    return out;
  }

  /** States held now (for tests and the bench). */
  get size(): number {
    return this.devices.size + this.ips.size + this.customers.size;
  }
}
