/**
 * The FeatureState Durable Object's journal: the memory store's changes in the object's SQLite
 * storage, three tables keyed by id. Writes are synchronous, in one `transactionSync` per call
 * (all or nothing); the runtime's output gate holds the call's reply until they are durable, so
 * the Worker never sees an outcome a crash could take back.
 */
import type {
  FeatureStoreJournal,
  JournalChanges,
  JournalSnapshot,
} from '../../stores/feature-store-journal.js';
import { stateBytes } from '../../stores/feature-store-journal.js';

type RecordRow = {
  id: string;
  customer_id: string;
  terminal_id: string;
  time_sec: number;
  amount: number;
  label: number;
  label_time_us: number | null;
  answer: string | null;
};

export class SqlFeatureJournal implements FeatureStoreJournal {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    // Runs on every wake-up: idempotent and synchronous.
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS fs_customers (id TEXT PRIMARY KEY, state BLOB NOT NULL)',
    );
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS fs_terminals (id TEXT PRIMARY KEY, state BLOB NOT NULL)',
    );
    // Velocity states by `d:…`, `ip:…`, `cv:…` (storage of before them gains the empty table).
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS fs_velocity (id TEXT PRIMARY KEY, state BLOB NOT NULL)',
    );
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS fs_records (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, ' +
        'terminal_id TEXT NOT NULL, time_sec REAL NOT NULL, amount REAL NOT NULL, ' +
        'label INTEGER NOT NULL, answer TEXT, label_time_us REAL)',
    );
    // Storage written before verdict times were kept lacks the column: add it, its rows null
    // (a verdict older than any dated one, see JournalRecord.labelTimeUs).
    const columns = this.sql.exec('SELECT * FROM fs_records LIMIT 0').columnNames;
    if (!columns.includes('label_time_us')) {
      this.sql.exec('ALTER TABLE fs_records ADD COLUMN label_time_us REAL');
    }
  }

  /** Everything stored, for the store's restore (read lazily, once). */
  snapshot(): JournalSnapshot {
    const sql = this.sql;
    return {
      customers: states(sql, 'fs_customers'),
      terminals: states(sql, 'fs_terminals'),
      velocity: states(sql, 'fs_velocity'),
      records: (function* () {
        for (const r of sql.exec<RecordRow>('SELECT * FROM fs_records')) {
          const row = {
            customerId: r.customer_id,
            terminalId: r.terminal_id,
            timeSec: r.time_sec,
            amount: r.amount,
            label: r.label,
            labelTimeUs: r.label_time_us,
            answer: r.answer,
          };
          yield [r.id, row] as const;
        }
      })(),
    };
  }

  write(changes: JournalChanges): void {
    this.storage.transactionSync(() => {
      for (const [id, state] of changes.customers) upsertState(this.sql, 'fs_customers', id, state);
      for (const [id, state] of changes.terminals) upsertState(this.sql, 'fs_terminals', id, state);
      for (const [id, state] of changes.velocity) upsertState(this.sql, 'fs_velocity', id, state);
      for (const [id, r] of changes.records) {
        if (!r) {
          this.sql.exec('DELETE FROM fs_records WHERE id = ?', id);
          continue;
        }
        this.sql.exec(
          'INSERT OR REPLACE INTO fs_records ' +
            '(id, customer_id, terminal_id, time_sec, amount, label, label_time_us, answer) ' +
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          id,
          r.customerId,
          r.terminalId,
          r.timeSec,
          r.amount,
          r.label,
          r.labelTimeUs,
          r.answer,
        );
      }
    });
  }

  close(): Promise<void> {
    // The object's storage belongs to the runtime: nothing to release.
    return Promise.resolve();
  }
}

function upsertState(sql: SqlStorage, table: string, id: string, state: Float64Array | null): void {
  if (state) {
    const bytes = stateBytes(state);
    sql.exec(`INSERT OR REPLACE INTO ${table} (id, state) VALUES (?, ?)`, id, bytes.buffer);
  } else {
    sql.exec(`DELETE FROM ${table} WHERE id = ?`, id);
  }
}

function* states(sql: SqlStorage, table: string): Iterable<readonly [string, Uint8Array]> {
  for (const r of sql.exec<{ id: string; state: ArrayBuffer | string }>(
    `SELECT id, state FROM ${table}`,
  )) {
    // A state that is not a blob is not one this code wrote: an empty one is skipped by restore.
    yield [
      r.id,
      typeof r.state === 'string' ? new Uint8Array(0) : new Uint8Array(r.state),
    ] as const;
  }
}
