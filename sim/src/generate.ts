/**
 * The Fraud Detection Handbook's transaction simulator: profiles, available terminals, genuine
 * transactions, then the three fraud scenarios. Deterministic for a seed.
 */
import { SECONDS_PER_DAY, type SimulatedDataset } from './dataset.js';
import { applyFraudScenarios } from './fraud-scenarios.js';
import {
  findAvailableTerminals,
  generateCustomerProfiles,
  generateTerminalProfiles,
} from './profiles.js';
import { generateTransactions } from './transactions.js';

export interface SimulateOptions {
  customers?: number;
  terminals?: number;
  days?: number;
  /** First day, YYYY-MM-DD (UTC). */
  start?: string;
  seed?: number;
  /** A customer's terminals are those strictly closer than this. */
  radius?: number;
}

export type ResolvedSimulateOptions = Required<SimulateOptions>;

/** The handbook's default dataset. */
export const DEFAULT_SIMULATE_OPTIONS: Readonly<ResolvedSimulateOptions> = Object.freeze({
  customers: 5_000,
  terminals: 10_000,
  days: 183,
  start: '2018-04-01',
  seed: 0,
  radius: 5,
});

/** Times are whole seconds from the start in an Int32: this many days fit. */
export const MAX_DAYS = Math.floor(0x7fffffff / SECONDS_PER_DAY);
const MAX_ENTITIES = 10_000_000;

/** Epoch seconds of a YYYY-MM-DD date's 00:00:00Z; throws RangeError if it is not a real date. */
export function parseStartDate(start: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(start) ? Date.parse(`${start}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== start) {
    throw new RangeError(`start must be a calendar date YYYY-MM-DD, got '${start}'`);
  }
  return ms / 1000;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}

/** Fill in defaults and validate; throws RangeError naming the first bad option. */
export function resolveSimulateOptions(options: SimulateOptions = {}): ResolvedSimulateOptions {
  const o = { ...DEFAULT_SIMULATE_OPTIONS, ...stripUndefined(options) };
  checkInteger('customers', o.customers, 1, MAX_ENTITIES);
  checkInteger('terminals', o.terminals, 1, MAX_ENTITIES);
  checkInteger('days', o.days, 1, MAX_DAYS);
  checkInteger('seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  if (typeof o.radius !== 'number' || !(o.radius > 0) || !Number.isFinite(o.radius)) {
    throw new RangeError(`radius must be a finite number > 0, got ${o.radius}`);
  }
  parseStartDate(o.start);
  return o;
}

function stripUndefined(o: SimulateOptions): SimulateOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Simulate the handbook's dataset (defaults: 5,000 customers, 10,000 terminals, 183 days). */
export function simulate(options: SimulateOptions = {}): SimulatedDataset {
  const o = resolveSimulateOptions(options);
  const startEpochSec = parseStartDate(o.start);
  const customers = generateCustomerProfiles(o.customers, o.seed);
  const terminals = generateTerminalProfiles(o.terminals, o.seed);
  const available = findAvailableTerminals(customers, terminals, o.radius);
  const tx = generateTransactions(customers, available, o.days, o.seed);
  const labels = applyFraudScenarios(tx, o.customers, o.terminals, o.days, o.seed);
  const timeSec = new Float64Array(tx.length);
  for (let i = 0; i < tx.length; i++) timeSec[i] = startEpochSec + tx.second[i]!;
  return {
    length: tx.length,
    startEpochSec,
    timeSec,
    customer: tx.customer,
    terminal: tx.terminal,
    amount: tx.amount,
    isFraud: labels.isFraud,
    scenario: labels.scenario,
  };
}
