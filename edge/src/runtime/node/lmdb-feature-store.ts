/**
 * The Node edge's persistent embedded feature store (VIGIL_FEATURE_STORE=durable, what
 * `npm run start:node` runs): the memory store (its logic, once) with an LMDB journal in
 * VIGIL_FEATURE_STORE_DIR, read back whole at start-up, so a restart forgets no state, record,
 * label or saved answer.
 *
 * Why LMDB (the `lmdb` package): a maintained embedded database whose binaries arrive as npm
 * packages (@lmdb/lmdb-linux-x64, …) — `npm ci` needs nothing but the registry, no compiler, no
 * download from elsewhere (better-sqlite3 fetches its binary from GitHub or compiles; Node 20 has
 * no node:sqlite). A step costs a fraction of a millisecond more than in memory, nearly all of it
 * the disk's sync (docs/measurements.md); LMDB's `noSync` would take that away, but then a power
 * cut can corrupt the file, so the default stays. A step past VIGIL_FEATURE_TIMEOUT_MS is answered degraded and still recorded
 * (its degraded answer is saved once the write lands), as with Redis.
 *
 * Durability: a call's outcome is returned once its LMDB transaction has committed — written to
 * the OS, so a crash or kill of this process after an answer loses nothing. The flush to the disk
 * follows at once, off the commit (LMDB's `overlappingSync`, its default on Linux): a power cut or
 * kernel crash in the milliseconds between the two can lose the last commits, never corrupt the
 * database. Saved answers go in the same way, after the response (the edge saves them off the
 * latency path): a crash between a response and the commit of its answer leaves the transaction
 * recorded without one, and its retries are then answered 409 (pending) instead of replayed.
 *
 * One process per directory (a lock file, as the outbox's): two edges on one store would
 * each keep their own copy in memory and overwrite each other's states.
 */
import type { Database, RootDatabase } from 'lmdb';
import type {
  FeatureStoreJournal,
  JournalChanges,
  JournalRecord,
  RestoreReport,
} from '../../stores/feature-store-journal.js';
import { stateBytes } from '../../stores/feature-store-journal.js';
import {
  MemoryFeatureStore,
  type MemoryFeatureStoreOptions,
} from '../../stores/memory-feature-store.js';
import type { DirLock } from '@vigil/node-runtime';
import { openLockedLmdb } from './locked-lmdb.js';

export interface LmdbFeatureStoreOptions extends Omit<MemoryFeatureStoreOptions, 'journal'> {
  /** VIGIL_FEATURE_STORE_DIR (created if missing). */
  readonly dir: string;
}

/** The directory cannot be used (not writable, not a database); the message names the variable. */
export class FeatureStoreDirError extends Error {
  readonly code = 'FEATURE_STORE_DIR';
  constructor(dir: string, cause: unknown) {
    super(
      `VIGIL_FEATURE_STORE_DIR=${dir} cannot hold the feature store: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = 'FeatureStoreDirError';
  }
}

/** An open persistent store: the port (a MemoryFeatureStore), and what its start-up read back. */
export interface LmdbFeatureStore {
  readonly store: MemoryFeatureStore;
  readonly restored: RestoreReport;
  /** Where the database lives, for the banner. */
  readonly where: string;
}

/** The journal: four LMDB databases in one environment, written in one transaction per call. */
class LmdbJournal implements FeatureStoreJournal {
  constructor(
    private readonly root: RootDatabase,
    private readonly customers: Database<Uint8Array, string>,
    private readonly terminals: Database<Uint8Array, string>,
    private readonly records: Database<JournalRecord, string>,
    private readonly velocity: Database<Uint8Array, string>,
    private readonly lock: DirLock,
  ) {}

  write(changes: JournalChanges): Promise<void> {
    // transaction() runs the callback synchronously inside one write transaction (values are
    // encoded and copied then) and resolves when it has committed.
    return this.root.transaction(() => {
      for (const [id, state] of changes.customers) {
        if (state) void this.customers.put(id, stateBytes(state));
        else void this.customers.remove(id);
      }
      for (const [id, state] of changes.terminals) {
        if (state) void this.terminals.put(id, stateBytes(state));
        else void this.terminals.remove(id);
      }
      for (const [id, record] of changes.records) {
        if (record) void this.records.put(id, record);
        else void this.records.remove(id);
      }
      for (const [id, state] of changes.velocity) {
        if (state) void this.velocity.put(id, stateBytes(state));
        else void this.velocity.remove(id);
      }
    });
  }

  async close(): Promise<void> {
    try {
      await this.root.close();
    } finally {
      await this.lock.release();
    }
  }
}

/** Open (or create) the store in `dir` and load it; throws naming VIGIL_FEATURE_STORE_DIR. */
export async function openLmdbFeatureStore(
  options: LmdbFeatureStoreOptions,
): Promise<LmdbFeatureStore> {
  const { dir } = options;
  const fail = (e: unknown) => new FeatureStoreDirError(dir, e);
  return openLockedLmdb(dir, 'VIGIL_FEATURE_STORE_DIR', 4, fail, (root, lock, where) => {
    const customers = root.openDB<Uint8Array, string>({ name: 'customers', encoding: 'binary' });
    const terminals = root.openDB<Uint8Array, string>({ name: 'terminals', encoding: 'binary' });
    const records = root.openDB<JournalRecord, string>({ name: 'records', encoding: 'msgpack' });
    const velocity = root.openDB<Uint8Array, string>({ name: 'velocity', encoding: 'binary' });
    const journal = new LmdbJournal(root, customers, terminals, records, velocity, lock);
    const store = new MemoryFeatureStore({ ...options, journal });
    // getRange reads lazily, inside a read transaction of its own; restore walks each once.
    const restored = store.restore({
      customers: entries(customers),
      terminals: entries(terminals),
      records: entries(records),
      velocity: entries(velocity),
    });
    return { store, restored, where };
  });
}

function* entries<V>(db: Database<V, string>): Iterable<readonly [string, V]> {
  for (const { key, value } of db.getRange()) yield [key, value] as const;
}
