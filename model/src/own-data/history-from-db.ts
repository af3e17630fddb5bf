/**
 * `train --from-db`: the backplane's stored decisions and their verdicts as a labelled history.
 * Each stored transaction is a row; its label is its latest verdict (`transactions.label`, kept
 * by the consumer by (ts, event_id)) and its label time that verdict's time (`label_ts`). A
 * transaction without a verdict counts as legitimate, as a payment nobody disputed does.
 *
 * The database is DATABASE_URL when set, else the embedded PGlite the backplane keeps in
 * `$VIGIL_DATA_DIR/pgdata` (default `.vigil/pgdata`), opened in-process under the backplane's own
 * directory lock: PGlite is single-user, so it refuses while Vigil is running on it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { epochSeconds, validateLabelledTransaction } from '@vigil/core';
import { DirLockedError, takeDirLock } from '@vigil/node-runtime';
import { HistoryBuilder, MAX_LINES, type LabelledHistory } from './labelled-history.js';
import { TrainingDataError } from './training-data-error.js';

/** Rows a page: keyset pages keep memory bounded whatever the table's size. */
const PAGE = 10_000;

interface StoredRow {
  transaction_id: string;
  ts: string;
  ts_key: string;
  customer_id: string;
  terminal_id: string;
  amount: number;
  label: string | null;
  label_ts: string | null;
}

type Query = (text: string, params: unknown[]) => Promise<StoredRow[]>;

// Times as ISO text in UTC with microseconds, as the API would have taken them; ts_key is the
// keyset cursor, the stored value's own text.
const SELECT = `SELECT transaction_id,
  to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
  ts::text AS ts_key, customer_id, terminal_id, amount, label,
  to_char(label_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS label_ts
FROM transactions`;
const FIRST = `${SELECT} ORDER BY ts, transaction_id LIMIT ${PAGE}`;
const NEXT = `${SELECT} WHERE (ts, transaction_id) > ($1::timestamptz, $2) ORDER BY ts, transaction_id LIMIT ${PAGE}`;

/** Read every stored transaction in event-time order, validated with core's schema. */
export async function readStoredHistory(query: Query): Promise<LabelledHistory> {
  const builder = new HistoryBuilder();
  let last: StoredRow | undefined;
  for (;;) {
    const rows = last
      ? await query(NEXT, [last.ts_key, last.transaction_id])
      : await query(FIRST, []);
    for (const row of rows) {
      if (builder.length >= MAX_LINES)
        throw new TrainingDataError(
          `more than ${MAX_LINES.toLocaleString('en-US')} stored transactions: train holds them in memory`,
        );
      const r = validateLabelledTransaction({
        transaction_id: row.transaction_id,
        timestamp: row.ts,
        customer_id: row.customer_id,
        terminal_id: row.terminal_id,
        amount: row.amount,
        is_fraud: row.label === 'fraud',
        ...(row.label_ts === null ? {} : { label_time: row.label_ts }),
      });
      if (!r.ok)
        throw new TrainingDataError(
          `stored transaction ${row.transaction_id}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        );
      builder.add({
        timeSec: epochSeconds(r.value.timestamp),
        customerId: r.value.customer_id,
        terminalId: r.value.terminal_id,
        amount: r.value.amount,
        isFraud: r.value.is_fraud === true,
        labelTimeSec: r.value.label_time === undefined ? NaN : epochSeconds(r.value.label_time),
      });
    }
    if (rows.length < PAGE) break;
    last = rows[rows.length - 1];
  }
  return builder.finish();
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Open DATABASE_URL or the embedded database, read the history, close. */
export async function readHistoryFromDatabase(
  log: (m: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ history: LabelledHistory; description: string }> {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    const { default: postgres } = await import('postgres');
    const sql = postgres(url, {
      max: 1,
      connect_timeout: 10,
      connection: { application_name: 'vigil-train' },
    });
    const where = new URL(url);
    const description = `PostgreSQL at ${where.hostname}:${where.port || 5432}${where.pathname}`;
    log(`train: reading ${description}`);
    try {
      const history = await readStoredHistory(
        async (text, params) =>
          (await sql.unsafe(text, params as string[])) as unknown as StoredRow[],
      );
      return { history, description };
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
  const setTo = env.VIGIL_DATA_DIR?.trim();
  const dataDir = join(setTo || join(REPO_ROOT, '.vigil'), 'pgdata');
  if (!existsSync(dataDir))
    throw new TrainingDataError(
      `--from-db: DATABASE_URL is not set and there is no embedded database at ${dataDir}`,
    );
  let lock;
  try {
    lock = await takeDirLock(dataDir, 'VIGIL_DATA_DIR');
  } catch (e) {
    if (!(e instanceof DirLockedError)) throw e;
    // Not the lock's own message: it would say VIGIL_DATA_DIR=<its pgdata>, a value nobody set.
    const variable = setTo ? `VIGIL_DATA_DIR=${setTo}` : 'VIGIL_DATA_DIR (unset: .vigil)';
    throw new TrainingDataError(
      `--from-db: the embedded database ${dataDir} (in ${variable}) is in use by process ` +
        `${e.pid} — a running Vigil holds it: stop Vigil, or set DATABASE_URL to read from a ` +
        'PostgreSQL server instead',
    );
  }
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dataDir);
    const description = `the embedded database in ${dataDir}`;
    log(`train: reading ${description}`);
    try {
      const history = await readStoredHistory(
        async (text, params) => (await db.query<StoredRow>(text, params)).rows,
      );
      return { history, description };
    } finally {
      await db.close();
    }
  } finally {
    await lock.release();
  }
}
