/**
 * Customer and terminal profiles on the handbook's 100 × 100 grid, and each customer's available
 * terminals (those strictly closer than r, as in the handbook's `dist_x_y < r`).
 */
import { stream } from './rng.js';

export const GRID_SIZE = 100;

/** Customer profiles, one typed array per property, indexed by customer id. */
export interface CustomerProfiles {
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly meanAmount: Float64Array;
  readonly stdAmount: Float64Array;
  readonly meanTxPerDay: Float64Array;
}

/** Terminal locations, indexed by terminal id. */
export interface TerminalProfiles {
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Each customer's available terminals in CSR form: ids[offsets[c] .. offsets[c + 1]), ascending. */
export interface AvailableTerminals {
  readonly offsets: Int32Array;
  readonly ids: Int32Array;
}

/** x, y ~ U(0, 100), mean_amount ~ U(5, 100), std = mean / 2, mean_nb_tx_per_day ~ U(0, 4). */
export function generateCustomerProfiles(count: number, seed: number): CustomerProfiles {
  // One stream, drawn customer by customer in the handbook's order (x, y, mean, tx per day).
  const rng = stream(seed, 'customer-profiles');
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const meanAmount = new Float64Array(count);
  const stdAmount = new Float64Array(count);
  const meanTxPerDay = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    x[c] = rng.uniformIn(0, GRID_SIZE);
    y[c] = rng.uniformIn(0, GRID_SIZE);
    const mean = rng.uniformIn(5, 100);
    meanAmount[c] = mean;
    stdAmount[c] = mean / 2;
    meanTxPerDay[c] = rng.uniformIn(0, 4);
  }
  return { count, x, y, meanAmount, stdAmount, meanTxPerDay };
}

/** x, y ~ U(0, 100). */
export function generateTerminalProfiles(count: number, seed: number): TerminalProfiles {
  const rng = stream(seed, 'terminal-profiles');
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    x[t] = rng.uniformIn(0, GRID_SIZE);
    y[t] = rng.uniformIn(0, GRID_SIZE);
  }
  return { count, x, y };
}

/**
 * Terminals strictly within distance r of each customer. Terminals are bucketed in a grid of
 * r-sized cells, so each customer checks only the 3 × 3 cells around it: O(customers × ~9πr²·density)
 * instead of O(customers × terminals).
 */
export function findAvailableTerminals(
  customers: CustomerProfiles,
  terminals: TerminalProfiles,
  r: number,
): AvailableTerminals {
  if (!(r > 0) || !Number.isFinite(r)) throw new RangeError(`radius must be > 0, got ${r}`);
  const cells = Math.max(1, Math.min(1024, Math.ceil(GRID_SIZE / r)));
  const cellSize = GRID_SIZE / cells;
  const cellOf = (v: number): number => Math.min(cells - 1, Math.max(0, Math.floor(v / cellSize)));

  // Counting sort of terminals into cells; within a cell they stay in ascending id order.
  const cellStart = new Int32Array(cells * cells + 1);
  const terminalCell = new Int32Array(terminals.count);
  for (let t = 0; t < terminals.count; t++) {
    const cell = cellOf(terminals.y[t]!) * cells + cellOf(terminals.x[t]!);
    terminalCell[t] = cell;
    cellStart[cell + 1]!++;
  }
  for (let k = 0; k < cells * cells; k++) cellStart[k + 1]! += cellStart[k]!;
  const cursor = cellStart.slice(0, cells * cells);
  const byCell = new Int32Array(terminals.count);
  for (let t = 0; t < terminals.count; t++) byCell[cursor[terminalCell[t]!]!++] = t;

  const r2 = r * r;
  const reach = Math.ceil(r / cellSize);
  const offsets = new Int32Array(customers.count + 1);
  let ids = new Int32Array(Math.max(16, customers.count * 8));
  let used = 0;
  for (let c = 0; c < customers.count; c++) {
    const cx = customers.x[c]!;
    const cy = customers.y[c]!;
    const col = cellOf(cx);
    const row = cellOf(cy);
    const from = used;
    for (let j = Math.max(0, row - reach); j <= Math.min(cells - 1, row + reach); j++) {
      for (let i = Math.max(0, col - reach); i <= Math.min(cells - 1, col + reach); i++) {
        const cell = j * cells + i;
        for (let k = cellStart[cell]!; k < cellStart[cell + 1]!; k++) {
          const t = byCell[k]!;
          const dx = terminals.x[t]! - cx;
          const dy = terminals.y[t]! - cy;
          if (dx * dx + dy * dy < r2) {
            if (used === ids.length) {
              const grown = new Int32Array(ids.length * 2);
              grown.set(ids);
              ids = grown;
            }
            ids[used++] = t;
          }
        }
      }
    }
    // Ascending ids, like the handbook's np.where, so a terminal draw means the same in both.
    ids.subarray(from, used).sort();
    offsets[c + 1] = used;
  }
  return { offsets, ids: ids.slice(0, used) };
}
