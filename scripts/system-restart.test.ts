/**
 * A restart of the whole system on the same data dir changes nothing the edge knows, with the edge
 * in workerd (npm start) and on Node (npm run start:node): after score → stop → start, an
 * analyst's verdict and a POST /v1/feedback on a transaction of the first run are applied at the
 * edge, a reuse of its id with another amount is 422 transaction-id-reused, its retry replays the
 * first answer, and the generated API key and dashboard session still work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './system.js';
import { poll, postJson } from './system-test-support.js';

const tx = (id: string, amount: number) => ({
  transaction_id: id,
  timestamp: '2018-08-08T09:00:00Z',
  customer_id: `c_${id}`,
  terminal_id: `t_${id}`,
  amount,
});

describe.each(['workerd', 'node'] as const)(
  'a restart of the system with the edge on %s',
  (edge) => {
    const dir = mkdtempSync(join(tmpdir(), `vigil-restart-${edge}-`));
    let system: RunningSystem | undefined;
    afterAll(async () => {
      await system?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('forgets nothing: verdicts apply, a reused id is 422, the key and the session still work', async () => {
      system = await startSystem({ edge, env: {}, port: 0, dataDir: dir });
      const key = system.apiKey;
      const auth = { authorization: `Bearer ${key}` };
      const post = (s: RunningSystem, path: string, body: object) =>
        postJson(s.origin, path, body, auth);

      // First run: two transactions scored (one a decline, which opens a case), answers saved,
      // decisions landed; a dashboard signs in.
      const first = await post(system, '/v1/score', tx('tx_rs_case', 900));
      expect(first.status).toBe(200);
      const answer = (await first.json()) as { score: number; decision: string };
      expect(answer.decision).toBe('decline');
      expect((await post(system, '/v1/score', tx('tx_rs_label', 30))).status).toBe(200);
      const s1 = system;
      await poll(async () => {
        const r = await post(s1, '/v1/score', tx('tx_rs_case', 900));
        return r.status === 200 && ((await r.json()) as { replayed: boolean }).replayed
          ? true
          : null;
      }, 5_000);
      const opened = await poll(async () => {
        const r = await fetch(`${s1.origin}/api/cases/case_tx_rs_case`, { headers: auth });
        return r.status === 200 ? ((await r.json()) as { version: number }) : null;
      }, 10_000);
      const token = new URL(system.signInUrl).searchParams.get('token');
      const signIn = await postJson(system.origin, '/api/session', { token });
      expect(signIn.status).toBe(200);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      await system.close();
      system = undefined;

      // Second run on the same data dir, nothing set in the environment.
      system = await startSystem({ edge, env: {}, port: 0, dataDir: dir });
      const s2 = system;
      expect(s2.apiKey).toBe(key);
      expect(s2.secretsFile).toBe(join(dir, 'secrets.json'));
      const me = await fetch(`${s2.origin}/api/session`, { headers: { cookie } });
      expect(((await me.json()) as { authenticated: boolean }).authenticated).toBe(true);

      const feedback = await post(s2, '/v1/feedback', {
        transaction_id: 'tx_rs_label',
        label: 'fraud',
        timestamp: '2018-08-09T09:00:00Z',
      });
      expect(feedback.status).toBe(202);
      const resolved = await post(s2, '/api/cases/case_tx_rs_case/resolve', {
        resolution: 'fraud',
        version: opened.version,
      });
      expect(resolved.status).toBe(200);
      expect(((await resolved.json()) as { edge_forwarded: boolean }).edge_forwarded).toBe(true);

      const reused = await post(s2, '/v1/score', tx('tx_rs_case', 901));
      expect(reused.status).toBe(422);
      const problem = (await reused.json()) as { type: string; errors: { path: string }[] };
      expect(problem.type).toMatch(/transaction-id-reused$/);
      expect(problem.errors[0]?.path).toBe('/transaction_id');
      const replay = await post(s2, '/v1/score', tx('tx_rs_case', 900));
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ score: answer.score, replayed: true });
    }, 240_000);
  },
);
