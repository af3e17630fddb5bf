/**
 * For the API's tests, on PGlite (bad-input.test.ts) and on a real PostgreSQL
 * (backplane/test/api-bad-input.test.ts): every parameter of every /api route with values a
 * careless or hostile client sends, each of which must answer a 400 problem+json naming the
 * parameter; and the edges of what is allowed, which must answer 200 (so the limits are the
 * database's, not tighter). One table, so both databases are held to the same list.
 */
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { expect } from 'vitest';
import { encodeCursor } from './cursor.js';
import { apiErrorHandler } from './error-handler.js';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.js';
import { bearer, DEPLOYED_VERSION, insertTransaction } from './test-support.js';
import type { Sql } from 'postgres';

export interface BadInput {
  readonly method: 'GET' | 'POST';
  /** Path and raw query string, as sent. */
  readonly url: string;
  readonly body?: string;
  /** The JSON Pointer the answer must name. */
  readonly pointer: string;
}

/** A transaction and its case every request of the table may refer to. */
export const TABLE_TX = 'tx_bad_input_1';
const CASE = `case_${TABLE_TX}`;

const tx = (key: readonly (string | number)[]) => encodeCursor('tx', key);
const cs = (key: readonly (string | number)[]) => encodeCursor('case', key);
const enc = encodeURIComponent;
const ver = (key: readonly (string | number)[]) => encodeCursor('version', key);
const item = (key: readonly (string | number)[]) => encodeCursor('item', key);
const audit = (key: readonly (string | number)[]) => encodeCursor('audit', key);
/** A rule every check but the one under test accepts. */
const RULE = { id: 'ok_rule', name: 'ok', expression: 'true', action: 'review', mode: 'shadow' };

/** A backtest every check but the one under test accepts. */
const BACKTEST = { expression: 'tx.amount > 500.0', action: 'review' };

/** Times Postgres cannot hold, or that are no times at all. */
const BAD_TIMES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00', // year 0 once in UTC
  '9999-12-31T23:59:59-01:00', // year 10000 once in UTC
  '10000-01-01T00:00:00Z',
  '2026-01-01T00:00:00+99:99',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T23:59:60Z',
  '2026-01-01',
  '1767225600',
  'now',
  '',
  '2026-01-01T00:00:00Z\u0000',
  'x'.repeat(2_000),
];

/** Cursor timestamps Postgres refuses, or that no cursor of ours holds. */
const BAD_CURSOR_TIMES = [
  '2026-13-01T00:00:00+00:00',
  '2026-02-30T00:00:00+00:00',
  '2026-01-01T00:00:00+99:99',
  '2026-01-01T00:00:00+16:00',
  '2026-01-01T00:00:00-16',
  '0000-01-01T00:00:00+00:00',
  '0001-01-01T00:30:00+01:00',
  '9999-12-31T23:59:59-01:00',
  '2026-01-01T24:00:00+00:00',
  '2026-01-01T23:59:60+00:00',
  '2026-01-01T00:00:00.1234567+00:00',
  '2026-01-01 00:00:00+00',
  'infinity',
  'epoch',
  '',
];

/** Ids: NUL, spaces, too long, a lone surrogate, invalid percent-encoding. */
const BAD_IDS = ['%00', 'a%20b', 'x'.repeat(201), '%ED%A0%80', '%FF', 'a%0Ab'];

const NUMBERS_OUT = ['1e400', '-1e400', 'NaN', 'Infinity', '2', '-0.1', '0x1', '', '1,2', 'abc'];
const LIMITS_OUT = ['0', '501', '1e3', '-1', '99999999999', '1.5', '', '%00'];

function query(path: string, name: string, values: readonly string[], raw = false): BadInput[] {
  return values.map((v) => ({
    method: 'GET',
    url: `${path}?${name}=${raw ? v : enc(v)}`,
    pointer: `/${name}`,
  }));
}

function post(path: string, body: unknown, pointer: string): BadInput {
  return { method: 'POST', url: path, body: JSON.stringify(body), pointer };
}

/** Every bad input of the table. */
export function badInputs(): BadInput[] {
  const list = '/api/transactions';
  const cases = '/api/cases';
  const items = '/api/lists/blocked_customers/items';
  const compare = '/api/models/compare?champion=a&challenger=b';
  return [
    // GET /api/transactions
    ...query(list, 'from', BAD_TIMES),
    ...query(list, 'to', BAD_TIMES),
    ...query(list, 'min_score', NUMBERS_OUT),
    ...query(list, 'max_score', NUMBERS_OUT),
    ...query(list, 'limit', LIMITS_OUT, true),
    ...query(list, 'decision', ['approve,bogus', '', '\u0000', 'approve,'.repeat(500)]),
    ...query(list, 'label', ['bogus', '', 'fraud\u0000']),
    ...query(list, 'customer_id', BAD_IDS, true),
    ...query(list, 'terminal_id', BAD_IDS, true),
    ...query(list, 'foo', ['1']),
    ...query(list, '__proto__', ['1']),
    ...query(list, 'constructor', ['1']),
    { method: 'GET', url: `${list}?limit=1&limit=2`, pointer: '/limit' },
    {
      method: 'GET',
      url: `${list}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
      pointer: '/from',
    },
    ...query(
      list,
      'cursor',
      [
        ...BAD_CURSOR_TIMES.map((t) => tx([t, 'tx_1'])),
        tx(['2026-01-01T00:00:00+00:00', 'tx\u00001']),
        tx(['2026-01-01T00:00:00+00:00', 'tx 1']),
        tx(['2026-01-01T00:00:00+00:00', '\ud800']),
        tx(['2026-01-01T00:00:00+00:00', 'x'.repeat(201)]),
        tx(['2026-01-01T00:00:00+00:00']),
        tx(['2026-01-01T00:00:00+00:00', 'tx_1', 'extra']),
        tx([1_767_225_600, 'tx_1']),
        cs([0, '2026-01-01T00:00:00+00:00', CASE]),
        'not a cursor',
        '%00',
        'W10',
        'x'.repeat(2_000),
        '',
      ],
      false,
    ),
    // GET /api/transactions/{transaction_id}
    ...BAD_IDS.filter((id) => id !== 'x'.repeat(201)).map((id): BadInput => ({
      method: 'GET',
      url: `${list}/${id}`,
      pointer: '/transaction_id',
    })),
    { method: 'GET', url: `${list}/${'x'.repeat(129)}`, pointer: '/transaction_id' },
    // GET /api/cases
    ...query(cases, 'status', ['bogus', '', 'open,\u0000']),
    ...query(cases, 'assignee', ['\u0000', 'x'.repeat(65), ' Ada', 'Ada ', 'Ad\u00e9', '']),
    ...query(cases, 'decision', ['bogus']),
    ...query(cases, 'limit', LIMITS_OUT, true),
    ...query(cases, 'bogus', ['1']),
    ...query(cases, 'sort', ['bogus', '', 'risk', '+risk', '-risk\u0000', '-risk,-score']),
    ...[
      cs(['-risk', 0, '0.5', CASE]),
      cs(['-risk', 0, null as unknown as number, CASE]),
      cs(['-risk', 0, 0.5]),
      cs(['-opened_at', 0, '2026-01-01T00:00:00+00:00', CASE]),
    ].map((v): BadInput => ({
      method: 'GET',
      url: `${cases}?sort=-risk&cursor=${v}`,
      pointer: '/cursor',
    })),
    // POST /api/cases/next and POST /api/cases/resolve (bulk)
    post(`${cases}/next`, { decision: ['approve'] }, '/decision/0'),
    post(`${cases}/next`, { decision: 'review' }, '/decision'),
    post(`${cases}/next`, { decision: [] }, '/decision'),
    post(`${cases}/next`, { sort: 'risk' }, '/sort'),
    post(`${cases}/next`, { extra: 1 }, '/extra'),
    post(`${cases}/next?sort=-risk`, {}, '/sort'),
    post(`${cases}/resolve`, { case_ids: [], resolution: 'fraud' }, '/case_ids'),
    post(`${cases}/resolve`, { case_ids: CASE, resolution: 'fraud' }, '/case_ids'),
    post(`${cases}/resolve`, { resolution: 'fraud' }, '/case_ids'),
    post(
      `${cases}/resolve`,
      { case_ids: Array.from({ length: 501 }, (_, i) => `case_tx_${i}`), resolution: 'fraud' },
      '/case_ids',
    ),
    post(`${cases}/resolve`, { case_ids: [CASE, CASE], resolution: 'fraud' }, '/case_ids/1'),
    post(`${cases}/resolve`, { case_ids: [CASE, 'case a'], resolution: 'fraud' }, '/case_ids/1'),
    post(`${cases}/resolve`, { case_ids: [CASE, 7], resolution: 'fraud' }, '/case_ids/1'),
    post(`${cases}/resolve`, { case_ids: ['x'.repeat(201)], resolution: 'fraud' }, '/case_ids/0'),
    post(`${cases}/resolve`, { case_ids: [CASE], resolution: 'legit' }, '/resolution'),
    post(`${cases}/resolve`, { case_ids: [CASE] }, '/resolution'),
    post(
      `${cases}/resolve`,
      { case_ids: [CASE], resolution: 'fraud', comment: 'a\u0000' },
      '/comment',
    ),
    post(`${cases}/resolve`, { case_ids: [CASE], resolution: 'fraud', version: 1 }, '/version'),
    // GET /api/search
    ...query('/api/search', 'q', ['', '%00', 'a%20b', 'x'.repeat(129), '%ED%A0%80', 'c*'], true),
    { method: 'GET', url: '/api/search', pointer: '/q' },
    { method: 'GET', url: '/api/search?q=c_1&limit=5', pointer: '/limit' },
    { method: 'GET', url: '/api/search?q=c_1&q=c_2', pointer: '/q' },
    ...query(
      cases,
      'cursor',
      [
        cs(['-opened_at', 2 ** 31, '2026-01-01T00:00:00+00:00', CASE]),
        cs(['-opened_at', -(2 ** 31) - 1, '2026-01-01T00:00:00+00:00', CASE]),
        cs(['-opened_at', 2 ** 53, '2026-01-01T00:00:00+00:00', CASE]),
        cs(['-opened_at', 0.5, '2026-01-01T00:00:00+00:00', CASE]),
        cs(['-opened_at', '0', '2026-01-01T00:00:00+00:00', CASE]),
        ...BAD_CURSOR_TIMES.map((t) => cs(['-opened_at', 0, t, CASE])),
        cs(['-opened_at', 0, '2026-01-01T00:00:00+00:00', 'case\u0000']),
        // Without its sort (before issue 17), or of another sort than the one asked for.
        cs([0, '2026-01-01T00:00:00+00:00', CASE]),
        cs(['-risk', 0, 0.5, CASE]),
        cs(['opened_at', 0, '2026-01-01T00:00:00+00:00', CASE]),
        tx(['2026-01-01T00:00:00+00:00', TABLE_TX]),
      ],
      false,
    ),
    // GET /api/cases/{case_id} and the changes
    ...BAD_IDS.map((id): BadInput => ({
      method: 'GET',
      url: `${cases}/${id}`,
      pointer: '/case_id',
    })),
    post(`${cases}/%00/assign`, { assignee: 'Ada' }, '/case_id'),
    post(`${cases}/${CASE}/assign`, { assignee: 'A\u0000a' }, '/assignee'),
    post(`${cases}/${CASE}/assign`, { assignee: 'Ada', version: 0 }, '/version'),
    post(`${cases}/${CASE}/assign`, { assignee: 'Ada', version: 2 ** 31 }, '/version'),
    post(`${cases}/${CASE}/assign`, { assignee: 'Ada', version: 1.5 }, '/version'),
    post(`${cases}/${CASE}/assign`, { assignee: 'Ada', version: '1' }, '/version'),
    post(`${cases}/${CASE}/assign`, { assignee: 'Ada', extra: 1 }, '/extra'),
    post(`${cases}/${CASE}/comments`, { body: 'a\u0000b' }, '/body'),
    post(`${cases}/${CASE}/comments`, { body: 'a\ud800b' }, '/body'),
    post(`${cases}/${CASE}/comments`, { body: 'x'.repeat(4_001) }, '/body'),
    post(`${cases}/${CASE}/comments`, { body: '  ' }, '/body'),
    post(`${cases}/${CASE}/comments`, { body: 'ok', version: 2 ** 31 }, '/version'),
    post(`${cases}/${CASE}/resolve`, { resolution: 'bogus' }, '/resolution'),
    post(`${cases}/${CASE}/resolve`, { resolution: 'fraud', comment: '\u0000' }, '/comment'),
    post(`${cases}/${CASE}/resolve`, { resolution: 'fraud', comment: '\udc00' }, '/comment'),
    post(`${cases}/${CASE}/resolve`, { resolution: 'fraud', version: -1 }, '/version'),
    {
      method: 'POST',
      url: `${cases}/${CASE}/resolve`,
      body: '{"resolution":"fraud","version":1e400}',
      pointer: '/version',
    },
    // GET /api/stats
    ...query('/api/stats', 'window', ['bogus', '', '1h\u0000', '5M']),
    ...query('/api/stats', 'from', ['2026-01-01T00:00:00Z']),
    // The traffic panel
    post('/api/traffic', { running: 'yes' }, '/running'),
    post('/api/traffic', { running: true, rate: 0 }, '/rate'),
    post('/api/traffic', { running: true, rate: 2 ** 53 }, '/rate'),
    post('/api/traffic', { running: true, rate: 1.5 }, '/rate'),
    post('/api/traffic/inject', { scenario: 4 }, '/scenario'),
    post('/api/traffic/inject', { scenario: '1' }, '/scenario'),
    post('/api/traffic/one', { kind: 'bogus' }, '/kind'),
    // Rules, lists and the audit log
    ...query('/api/rules/versions', 'limit', LIMITS_OUT, true),
    ...query('/api/rules/versions', 'cursor', [
      ver([2 ** 31]),
      ver(['1']),
      cs([0, 'x', CASE]),
      '%00',
    ]),
    ...query('/api/rules', 'x', ['1']),
    post('/api/rules', { ...RULE, id: 'Bad Id' }, '/id'),
    post('/api/rules', { ...RULE, expression: 'true\u0000' }, '/expression'),
    post('/api/rules', { ...RULE, expression: 'x'.repeat(4_001) }, '/expression'),
    post('/api/rules', { ...RULE, name: '\ud800' }, '/name'),
    post('/api/rules', { ...RULE, mode: 'on' }, '/mode'),
    post('/api/rules', { ...RULE, extra: 1 }, '/extra'),
    // Any run of digits is a version (one never written, however large, is a 404: rules.test.ts).
    post('/api/rules/versions/-1/restore', {}, '/version'),
    post('/api/rules/versions/1.5/restore', {}, '/version'),
    post(`/api/rules/versions/${'9'.repeat(41)}/restore`, {}, '/version'),
    ...BAD_TIMES.map((t) => post('/api/rules/backtest', { ...BACKTEST, from: t }, '/from')),
    ...BAD_TIMES.map((t) => post('/api/rules/backtest', { ...BACKTEST, to: t }, '/to')),
    post('/api/rules/backtest', { ...BACKTEST, expression: 'tx.amount >' }, '/expression'),
    post('/api/rules/backtest', { ...BACKTEST, expression: 'x'.repeat(4_001) }, '/expression'),
    post('/api/rules/backtest', { ...BACKTEST, action: 'deny' }, '/action'),
    post('/api/rules/backtest', { ...BACKTEST, rule_id: 'a\u0000' }, '/rule_id'),
    post('/api/rules/backtest', { ...BACKTEST, mode: 'active' }, '/mode'),
    post('/api/lists', { name: 'a\u0000', kind: 'ip' }, '/name'),
    post('/api/lists', { name: 'ok_list', kind: 'ip', description: '\udc00' }, '/description'),
    ...query(`${items}`, 'limit', LIMITS_OUT, true),
    ...query(`${items}`, 'value', ['%00', 'a%20b', 'x'.repeat(129), ''], true),
    ...query(`${items}`, 'cursor', [item(['a\u0000']), item([1]), tx(['x', 'y']), '%00']),
    post(items, { value: 'c\u0000' }, '/value'),
    post(items, { value: 'x'.repeat(129) }, '/value'),
    post(items, { value: 'c_1', reason: '\u0000' }, '/reason'),
    post(items, { value: 'c_1', expires_at: '0000-01-01T00:00:00Z' }, '/expires_at'),
    post(items, { value: 'c_1', expires_at: '9999-12-31T23:59:59-01:00' }, '/expires_at'),
    post(items, { items: [{ value: 'c_1' }, { value: 'c 2' }] }, '/items/1/value'),
    post('/api/lists/%00/items', { value: 'c_1' }, '/name'),
    ...query('/api/audit', 'limit', LIMITS_OUT, true),
    ...query('/api/audit', 'actor', ['%00', '', 'x'.repeat(301)], true),
    ...query('/api/audit', 'target', ['%00'], true),
    ...query('/api/audit', 'cursor', [audit(['1e3']), audit(['-1']), audit([1]), tx(['x', 'y'])]),
    ...query('/api/audit', 'bogus', ['1']),
    // The model registry: the comparison's query, a registration's body, a version in the path.
    ...[...BAD_TIMES.map((v) => ['from', enc(v)]), ...BAD_TIMES.map((v) => ['to', enc(v)])].map(
      ([name, v]): BadInput => ({
        method: 'GET',
        url: `${compare}&${name}=${v}`,
        pointer: `/${name}`,
      }),
    ),
    ...['%00', '', 'x'.repeat(201)].map((v): BadInput => ({
      method: 'GET',
      url: `/api/models/compare?challenger=b&champion=${v}`,
      pointer: '/champion',
    })),
    // Given twice.
    { method: 'GET', url: `${compare}&champion=c`, pointer: '/champion' },
    { method: 'GET', url: `${compare}&bogus=1`, pointer: '/bogus' },
    {
      method: 'GET',
      url: `${compare}&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
      pointer: '/from',
    },
    post('/api/models', { onnx: 'AAAA' }, '/metadata'),
    post('/api/models', { metadata: {}, onnx: 1 }, '/onnx'),
    post('/api/models', { metadata: { version: 'v\u0000' }, onnx: 'AAAA' }, '/metadata/version'),
    post('/api/models/%00/promote', {}, '/version'),
    post(`/api/models/${'x'.repeat(201)}/challenge`, {}, '/version'),
    post('/api/models/v1/retire?force=1', {}, '/force'),
    // GET /api/drift takes no parameter
    ...query('/api/drift', 'window', ['60']),
    // Signing in
    post('/api/session', { token: '' }, '/token'),
    post('/api/session', { token: 'x'.repeat(513) }, '/token'),
    post('/api/session', { token: 'x', name: 'A\u0000' }, '/name'),
    post('/api/session', { token: 'x', name: 'x'.repeat(65) }, '/name'),
    // Routes that take no query parameter refuse every one, as the others refuse unknown ones.
    ...['constructor', 'a[b]', 'x'].flatMap((name) => [
      ...query('/api/session', name, ['1']),
      ...query('/api/traffic', name, ['1']),
      ...query(`${list}/${TABLE_TX}`, name, ['1']),
      ...query(`${cases}/${CASE}`, name, ['1']),
      post(`/api/traffic?${enc(name)}=1`, { running: false }, `/${name}`),
      post(`${cases}/${CASE}/comments?${enc(name)}=1`, { body: 'ok' }, `/${name}`),
    ]),
  ];
}

/** Values at the edge of what is allowed: each is answered 200. */
export function goodEdges(): string[] {
  return [
    '/api/transactions?from=0001-01-01T00:00:00Z',
    '/api/transactions?to=9999-12-31T23:59:59.999Z',
    `/api/transactions?from=${enc('0001-01-01T23:59:00+23:59')}`,
    `/api/transactions?to=${enc('9999-12-31T00:00:00-23:59')}`,
    '/api/transactions?min_score=0&max_score=1&limit=500',
    `/api/transactions?cursor=${tx(['0001-01-01T00:00:00+00:00', TABLE_TX])}`,
    `/api/transactions?cursor=${tx(['9999-12-31T23:59:59.999999+00:00', TABLE_TX])}`,
    `/api/transactions?cursor=${tx(['2026-01-01T00:00:00+15:59', TABLE_TX])}`,
    `/api/transactions?cursor=${tx(['2026-01-01T00:00:00-15:59', TABLE_TX])}`,
    `/api/transactions?cursor=${tx(['2024-02-29T12:00:00Z', TABLE_TX])}`,
    `/api/cases?cursor=${cs(['-opened_at', 2 ** 31 - 1, '2026-01-01T00:00:00+00:00', CASE])}`,
    `/api/cases?cursor=${cs(['-opened_at', -(2 ** 31), '9999-12-31T23:59:59+00:00', CASE])}`,
    `/api/cases?sort=opened_at&cursor=${cs(['opened_at', 0, '0001-01-01T00:00:00+00:00', CASE])}`,
    `/api/cases?sort=-risk&status=open&cursor=${cs(['-risk', 0, Number.MAX_VALUE, CASE])}`,
    `/api/cases?sort=-amount&decision=review&cursor=${cs(['-amount', 1, -Number.MAX_VALUE, CASE])}`,
    `/api/cases?sort=-score&decision=approve`,
    `/api/search?q=${'x'.repeat(128)}`,
    '/api/search?q=-',
    `/api/rules/versions?limit=500&cursor=${ver([2 ** 31 - 1])}`,
    `/api/lists/blocked_customers/items?limit=500&value=${'x'.repeat(128)}`,
    `/api/lists/blocked_customers/items?cursor=${item(['2001:db8::1'])}`,
    `/api/audit?limit=500&actor=system:feedback&cursor=${audit(['999999999999999999'])}`,
    // The champion must be a known model (its thresholds decide its side): the deployed one.
    `/api/models/compare?champion=${DEPLOYED_VERSION}&challenger=${'x'.repeat(200)}&from=0001-01-01T00:00:00Z`,
    `/api/models/compare?champion=${DEPLOYED_VERSION}&challenger=a%20b&to=9999-12-31T23:59:59.999Z`,
  ];
}

/** Seed the row the table's case routes name (a review, so it has a case). */
export async function seedTable(sql: Sql): Promise<void> {
  await insertTransaction(sql, { transaction_id: TABLE_TX, decision: 'review', score: 0.6 });
}

/** Send one bad input and check it is a 400 problem+json naming its pointer. */
export async function expectRefused(root: Hono, b: BadInput): Promise<void> {
  const res = await root.request(b.url, {
    method: b.method,
    headers: bearer(),
    ...(b.body === undefined ? {} : { body: b.body }),
  });
  const text = await res.text();
  expect(res.status, `${b.method} ${b.url.slice(0, 200)} → ${text.slice(0, 300)}`).toBe(400);
  expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  const body = JSON.parse(text) as { errors?: { path: string }[]; detail: string };
  expect(
    body.errors?.map((e) => e.path),
    body.detail,
  ).toContain(b.pointer);
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

/** Send one edge value and check it is answered 200. */
export async function expectAccepted(root: Hono, url: string): Promise<void> {
  const res = await root.request(url, { headers: bearer() });
  expect(res.status, `${url} → ${(await res.clone().text()).slice(0, 300)}`).toBe(200);
}

/**
 * Values the database refuses with a "data exception" (SQLSTATE class 22), each as a parameter of
 * a one-value SELECT: what the error handler must turn into a 400 should validation miss one.
 */
export const DATA_EXCEPTIONS: readonly { readonly cast: string; readonly value: string }[] = [
  { cast: 'timestamptz', value: '0000-01-01T00:00:00Z' }, // 22008
  { cast: 'timestamptz', value: '2026-13-01T00:00:00Z' }, // 22008
  { cast: 'timestamptz', value: 'not a time' }, // 22007
  { cast: 'int4', value: '2147483648' }, // 22003
  { cast: 'numeric', value: 'abc' }, // 22P02
  { cast: 'text', value: 'a\u0000b' }, // 22021
];

/** An app with the API's error handler whose one route casts `?v=` to `?cast=` in `sql`. */
export function castingApp(sql: Sql, log: Logger): Hono {
  const app = new Hono();
  app.get('/cast', async (c) => {
    const cast = c.req.query('cast') ?? 'text';
    if (!/^[a-z0-9]+$/.test(cast)) throw new Error('castingApp: cast must be a type name');
    // As text, as the API binds cursor times: Postgres, not the client, reads the value.
    await sql`SELECT ${c.req.query('v') ?? ''}::text::${sql.unsafe(cast)} AS v`;
    return c.text('cast');
  });
  app.onError(apiErrorHandler(log));
  return app;
}
