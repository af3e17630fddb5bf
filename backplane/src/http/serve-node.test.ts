/**
 * The backplane's HTTP hygiene on a real socket (issue 13), with its embedded defaults (the
 * in-process log, PGlite): a request that stalls — on the unauthenticated `POST /api/session` or
 * the ingest — is cut by the request deadline with a 408 while others are served, and an
 * oversized body gets its 413 rather than a reset connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBigBodies, stallRequest } from '../../../scripts/http-test-clients.js';
import { loadConfig } from '../config/index.js';
import { startBackplane, type Backplane } from '../main.js';

const KEY = 'analyst-key-0123456789abcdef';
let dir: string;
let bp: Backplane;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-bp-http-'));
  const config = loadConfig({
    VIGIL_BACKPLANE_PORT: '0',
    VIGIL_EVENTS_SECRET: 'events-secret-0123456789',
    VIGIL_API_KEYS: KEY,
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_WEB_DIST: join(dir, 'web'),
    VIGIL_INGEST_MAX_BYTES: '1048576',
    // The shortest deadline loadConfig allows, so that the stalled requests end soon.
    VIGIL_REQUEST_TIMEOUT_MS: '1000',
  });
  bp = await startBackplane(config, { log: pino({ level: 'silent' }), processMetrics: false });
}, 60_000);

afterAll(async () => {
  await bp?.close();
  rmSync(dir, { recursive: true, force: true });
});

const halfBody = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: backplane\r\nContent-Type: application/json\r\n` +
  'Content-Length: 300\r\n\r\n{"token":"';

describe('the backplane: request deadline', () => {
  it('answers 408 and closes stalled requests (sign-in, ingest, headers), serving others meanwhile', async () => {
    const stalled = [
      stallRequest(bp.url, halfBody('/api/session')),
      stallRequest(bp.url, halfBody('/ingest/events')),
      stallRequest(bp.url, 'GET /api/session HTTP/1.1\r\nHost: backplane\r\nCookie: '),
    ];
    const session = await fetch(`${bp.url}/api/session`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ authenticated: true });
    for (const got of await Promise.all(stalled)) expect(got).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('the backplane: oversized bodies', () => {
  const refused = new Array<string>(20).fill('413 urn:vigil:problem:payload-too-large');

  it.each(['/api/session', '/ingest/events'])(
    'answers 413 to 5 MB bodies on %s, declared or chunked, every time (no reset)',
    async (path) => {
      for (const chunked of [false, true]) {
        const got = await postBigBodies(`${bp.url}${path}`, { n: 20, bytes: 5_000_000, chunked });
        expect(got, chunked ? 'chunked' : 'declared').toEqual(refused);
      }
    },
  );
});
