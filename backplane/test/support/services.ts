/** The drills' hands on the real services: stop, start and restart them on the project's ports. */
import postgresClient, { type Sql } from 'postgres';
import { inject } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import * as kafka from '../../../scripts/services/kafka-test-setup.js';
import * as postgres from '../../../scripts/services/postgres-test-setup.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Stop PostgreSQL (fast: sessions cut), keep it down `downMs`, start it again. */
export async function restartPostgres(o: { downMs: number }): Promise<void> {
  const port = inject('postgresPort');
  await postgres.stopPostgres(port);
  await sleep(o.downMs);
  await postgres.startPostgres(port);
}

export function stopKafka(): Promise<void> {
  return kafka.stopKafka(inject('kafkaPort'));
}

export async function startKafka(): Promise<void> {
  await kafka.startKafka(inject('kafkaPort'));
}

/** A fresh, empty database `name` on the project's PostgreSQL; its URL. */
export async function createDatabase(name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`createDatabase: bad name ${name}`);
  const admin = postgresClient(inject('databaseUrl'), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(inject('databaseUrl'));
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh database `<prefix>_<time>` with the backplane's migrations applied, and a client of it. */
export async function freshMigratedDatabase(prefix: string, max = 2): Promise<Sql> {
  const url = await createDatabase(`${prefix}_${Date.now().toString(36)}`);
  const sql = postgresClient(url, { max, onnotice: () => undefined });
  await migrate(sql);
  return sql;
}
