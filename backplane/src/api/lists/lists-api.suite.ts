/**
 * The lists routes and their audit rows, against a migrated database: run on PGlite
 * (lists.test.ts) and on PostgreSQL 15 (backplane/test/rules-lists.test.ts). `run` keeps the
 * suite's lists apart from the rest of the database.
 */
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { callApi as call, type ApiAnswer as Answer } from '../test-support.js';

const errors = (a: Answer) => a.body.errors as { path: string; message: string }[];

/** Every expectation of the lists API on `root` (the API at /api over `sql`), at `now`. */
export async function checkListsApi(root: Hono, sql: Sql, run: string, now: Date): Promise<void> {
  const name = `devices_${run}`;
  const later = new Date(now.getTime() + 86_400_000).toISOString();

  // Create a list; again → 409; bad kind → 400 naming /kind.
  const created = await call(root, 'POST', '/api/lists', { name, kind: 'device_id' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name, kind: 'device_id', description: '', size: 0 });
  expect((await call(root, 'POST', '/api/lists', { name, kind: 'device_id' })).status).toBe(409);
  const badKind = await call(root, 'POST', '/api/lists', { name: `x_${run}`, kind: 'card' });
  expect(badKind.status).toBe(400);
  expect(errors(badKind).map((e) => e.path)).toEqual(['/kind']);

  // One item, then a batch; values checked as the transaction field of the list's kind.
  const one = await call(root, 'POST', `/api/lists/${name}/items`, {
    value: 'dev_1',
    reason: 'emulator farm',
    expires_at: later,
  });
  expect(one.status).toBe(201);
  expect(one.body).toMatchObject({ value: 'dev_1', reason: 'emulator farm', added_by: 'api' });
  expect(one.body.expires_at).toBe(later);
  const batch = await call(root, 'POST', `/api/lists/${name}/items`, {
    items: [{ value: 'dev_2' }, { value: 'dev_3' }, { value: 'dev_4', reason: 'r' }],
  });
  expect(batch.status).toBe(201);
  expect((batch.body.items as unknown[]).length).toBe(3);

  // A bad value for the kind (a card number, a space) → 400 naming /items/3/value; nothing added.
  const bad = await call(root, 'POST', `/api/lists/${name}/items`, {
    items: [{ value: 'dev_5' }, { value: 'dev_6' }, { value: 'dev_7' }, { value: 'not a token' }],
  });
  expect(bad.status).toBe(400);
  expect(errors(bad).map((e) => e.path)).toEqual(['/items/3/value']);
  const ips = await call(root, 'POST', '/api/lists', { name: `ips_${run}`, kind: 'ip' });
  expect(ips.status).toBe(201);
  const badIp = await call(root, 'POST', `/api/lists/ips_${run}/items`, { value: '999.1.1.1' });
  expect(badIp.status).toBe(400);
  expect(errors(badIp)[0]!.path).toBe('/value');
  // An address is stored in one spelling (core's canonicalIp), whatever spelling adds, finds or
  // removes it: the scoring API hands a transaction's ip on in the same one.
  const ipList = `/api/lists/ips_${run}/items`;
  const upper = await call(root, 'POST', ipList, { value: '2001:DB8::1' });
  expect(upper.status).toBe(201);
  expect(upper.body.value).toBe('2001:db8::1');
  const mapped = await call(root, 'POST', ipList, { items: [{ value: '::ffff:10.0.0.1' }] });
  expect((mapped.body.items as { value: string }[])[0]!.value).toBe('10.0.0.1');
  const twoSpellings = await call(root, 'POST', ipList, {
    items: [{ value: '2001:db8::2' }, { value: '2001:0DB8:0:0:0:0:0:2' }],
  });
  expect(errors(twoSpellings)).toEqual([
    { path: '/items/1/value', message: 'repeats the value of item 0' },
  ]);
  const found = await call(root, 'GET', `${ipList}?value=2001:0db8:0000::1`);
  expect((found.body.items as { value: string }[]).map((i) => i.value)).toEqual(['2001:db8::1']);
  const ipGone = await call(root, 'DELETE', `${ipList}/2001:db8:0:0:0:0:0:1`);
  expect(ipGone.status).toBe(200);
  expect((await call(root, 'DELETE', `${ipList}/::FFFF:10.0.0.1`)).status).toBe(200);
  expect(((await call(root, 'GET', ipList)).body.items as unknown[]).length).toBe(0);

  const pan = await call(root, 'POST', `/api/lists/${name}/items`, { value: '4111111111111111' });
  expect(errors(pan)[0]!.message).toMatch(/card number/);
  const dup = await call(root, 'POST', `/api/lists/${name}/items`, {
    items: [{ value: 'dev_8' }, { value: 'dev_8' }],
  });
  expect(errors(dup)).toEqual([{ path: '/items/1/value', message: 'repeats the value of item 0' }]);
  const past = await call(root, 'POST', `/api/lists/${name}/items`, {
    value: 'dev_9',
    expires_at: '2001-01-01T00:00:00Z',
  });
  expect(errors(past)[0]!.path).toBe('/expires_at');
  const tooMany = await call(root, 'POST', `/api/lists/${name}/items`, {
    items: Array.from({ length: 1_001 }, (_, i) => ({ value: `d_${i}` })),
  });
  expect(tooMany.status).toBe(400);
  expect(errors(tooMany)[0]!.path).toBe('/items');
  // 1,000 items at their longest value and reason, with an expiry: past the API's 64 KiB (~1.7 MB,
  // most of it non-ASCII reasons), within the route's own limit; other routes keep 64 KiB.
  const bigList = `big_${run}`;
  expect(
    (await call(root, 'POST', '/api/lists', { name: bigList, kind: 'device_id' })).status,
  ).toBe(201);
  const full = {
    items: Array.from({ length: 1_000 }, (_, i) => ({
      value: `d_${String(i).padStart(4, '0')}_${'x'.repeat(121)}`,
      reason: `${i} ${'é€'.repeat(247)}`,
      expires_at: '2099-12-31T23:59:59.123456789+02:00',
    })),
  };
  const fullBody = JSON.stringify(full);
  expect(new TextEncoder().encode(fullBody).length).toBeGreaterThan(1_000_000);
  const fullRes = await call(root, 'POST', `/api/lists/${bigList}/items`, full);
  expect(fullRes.status, JSON.stringify(fullRes.body).slice(0, 300)).toBe(201);
  expect((fullRes.body.items as unknown[]).length).toBe(1_000);
  const [stored] = await sql`SELECT count(*)::int AS n FROM list_items WHERE list = ${bigList}`;
  expect(stored?.n).toBe(1_000);
  const bigDescription = await call(root, 'POST', '/api/lists', {
    name: `desc_${run}`,
    kind: 'ip',
    description: 'x'.repeat(70_000),
  });
  expect(bigDescription.status).toBe(413);

  expect((await call(root, 'POST', `/api/lists/nope_${run}/items`, { value: 'x' })).status).toBe(
    404,
  );

  // Pages by value, with a cursor; a filter on one value; the size in GET /api/lists.
  const p1 = await call(root, 'GET', `/api/lists/${name}/items?limit=3`);
  expect((p1.body.items as { value: string }[]).map((i) => i.value)).toEqual([
    'dev_1',
    'dev_2',
    'dev_3',
  ]);
  const p2 = await call(
    root,
    'GET',
    `/api/lists/${name}/items?limit=3&cursor=${String(p1.body.next_cursor)}`,
  );
  expect((p2.body.items as { value: string }[]).map((i) => i.value)).toEqual(['dev_4']);
  // A cursor with junk appended is not that cursor (Node's decoder would drop a lone last char).
  for (const junk of ['A', 'x', 'AAAA']) {
    const doctored = await call(
      root,
      'GET',
      `/api/lists/${name}/items?limit=3&cursor=${String(p1.body.next_cursor)}${junk}`,
    );
    expect(doctored.status, junk).toBe(400);
    expect(errors(doctored)[0]!.path).toBe('/cursor');
  }
  expect(p2.body.next_cursor).toBeNull();
  const only = await call(root, 'GET', `/api/lists/${name}/items?value=dev_2`);
  expect((only.body.items as { value: string }[]).map((i) => i.value)).toEqual(['dev_2']);
  const lists = await call(root, 'GET', '/api/lists');
  const mine = (lists.body.lists as { name: string; size: number }[]).find((l) => l.name === name);
  expect(mine?.size).toBe(4);
  expect((lists.body.lists as { name: string }[]).map((l) => l.name)).toContain(
    'blocked_customers',
  );

  // Remove one: gone from the pages, a tombstone with a newer seq; removing again → 404.
  const [seqBefore] = await sql`SELECT seq::text AS seq FROM list_items
                                WHERE list = ${name} AND value = 'dev_2'`;
  const removed = await call(root, 'DELETE', `/api/lists/${name}/items/dev_2`);
  expect(removed.status).toBe(200);
  expect(removed.body).toMatchObject({ value: 'dev_2' });
  expect((await call(root, 'DELETE', `/api/lists/${name}/items/dev_2`)).status).toBe(404);
  const [tomb] = await sql`SELECT seq::text AS seq, removed_by FROM list_items
                           WHERE list = ${name} AND value = 'dev_2'`;
  expect(tomb?.removed_by).toBe('api');
  expect(BigInt(String(tomb?.seq))).toBeGreaterThan(BigInt(String(seqBefore?.seq)));
  const after = await call(root, 'GET', `/api/lists/${name}/items`);
  expect((after.body.items as { value: string }[]).map((i) => i.value)).toEqual([
    'dev_1',
    'dev_3',
    'dev_4',
  ]);

  // The audit log: every change, newest first, with before and after; keyset pages; filters.
  const audit = await call(root, 'GET', `/api/audit?target=list:${name}:dev_2`);
  const rows = audit.body.items as { action: string; before: unknown; after: unknown }[];
  expect(rows.map((r) => r.action)).toEqual(['list.item.remove', 'list.item.add']);
  expect(rows[0]!.before).toMatchObject({ value: 'dev_2' });
  expect(rows[0]!.after).toBeNull();
  expect(rows[1]!.before).toBeNull();
  const created2 = await call(root, 'GET', `/api/audit?action=list.create&target=list:${name}`);
  expect(created2.body.items).toMatchObject([
    { actor: 'api', action: 'list.create', after: { name, kind: 'device_id' } },
  ]);
  const a1 = await call(root, 'GET', '/api/audit?limit=2');
  const a2 = await call(root, 'GET', `/api/audit?limit=2&cursor=${String(a1.body.next_cursor)}`);
  const ids = [...(a1.body.items as { id: string }[]), ...(a2.body.items as { id: string }[])].map(
    (r) => BigInt(r.id),
  );
  expect(ids).toHaveLength(4);
  for (let i = 1; i < ids.length; i++) expect(ids[i]! < ids[i - 1]!).toBe(true);
  expect((await call(root, 'GET', '/api/audit?cursor=abc')).status).toBe(400);
  expect((await call(root, 'GET', '/api/audit?who=me')).status).toBe(400);

  // Change and audit commit together: an audit row Postgres refuses (a trigger stands in for a
  // fault) takes the batch's items with it, and no audit row outlives a failed change.
  await sql.unsafe(`
    CREATE FUNCTION refuse_${run}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit refused'; END $$;
    CREATE TRIGGER refuse_${run} BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.target = 'list:${name}:dev_11') EXECUTE FUNCTION refuse_${run}();`);
  const count = async () =>
    (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM audit_log`)[0]!.n;
  const auditBefore = await count();
  const failed = await call(root, 'POST', `/api/lists/${name}/items`, {
    items: [{ value: 'dev_10' }, { value: 'dev_11' }],
  });
  expect(failed.status).toBe(500);
  expect(await count()).toBe(auditBefore);
  const [gone] = await sql`SELECT 1 FROM list_items WHERE list = ${name} AND value = 'dev_10'`;
  expect(gone).toBeUndefined();
  await sql.unsafe(`DROP TRIGGER refuse_${run} ON audit_log; DROP FUNCTION refuse_${run}();`);
}
