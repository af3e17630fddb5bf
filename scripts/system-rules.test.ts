/**
 * Rules and lists through the whole system (issue 15): a change made through the analysts' API
 * reaches the edge within 5 s without a restart — on workerd and on Node, with the embedded
 * store and with Redis (TCP on Node, Upstash REST on workerd) — and decides there: the answer
 * carries the rules and names the deciding one, and /api/transactions/{id} shows what was
 * decided with. A confirmed fraud blocks its card; an analyst takes it off again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUpstashRest, type UpstashRest } from '@vigil/upstash-rest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSystem, type RunningSystem } from './system.js';
import { poll } from './system-test-support.js';

/** ARCHITECTURE.md's promise: a change is applied by every edge within 5 s. */
const PROPAGATION_MS = 5_000;

interface Answer {
  decision: string;
  score: number;
  rules: { id: string; action: string }[];
  reasons: { code: string; rule?: string; message?: string }[];
}

const setups = [
  { name: 'workerd, embedded store', edge: 'workerd', store: 'embedded' },
  { name: 'node, embedded store', edge: 'node', store: 'embedded' },
  { name: 'node, Redis over TCP', edge: 'node', store: 'redis' },
  { name: 'workerd, Redis over Upstash REST', edge: 'workerd', store: 'upstash' },
] as const;

describe.each(setups)('rules and lists with the edge on $name', (setup) => {
  let system: RunningSystem;
  let bridge: UpstashRest | undefined;
  let dir: string;
  let auth: Record<string, string>;
  // Ids unique to this setup: the Redis setups share one Redis (its lists and states).
  const id = (s: string) => `${setup.edge}_${setup.store}_${s}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `vigil-rules-${setup.edge}-`));
    const env: Record<string, string> = {};
    if (setup.store === 'redis') env.REDIS_URL = inject('redisUrl');
    if (setup.store === 'upstash') {
      const token = `token-${crypto.randomUUID()}`;
      bridge = await startUpstashRest({
        redisUrl: inject('redisUrl'),
        token,
        port: 0,
        log: () => {},
      });
      env.UPSTASH_REDIS_REST_URL = bridge.url;
      env.UPSTASH_REDIS_REST_TOKEN = token;
    }
    if (setup.store !== 'embedded') env.VIGIL_FEATURE_TIMEOUT_MS = '2000';
    system = await startSystem({ edge: setup.edge, env, port: 0, dataDir: dir });
    auth = { authorization: `Bearer ${system.apiKey}`, 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await system?.close();
    await bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  const score = async (customer: string, amount = 40): Promise<Answer & { id: string }> => {
    const txId = id(`tx_${++seq}`);
    const r = await fetch(`${system.origin}/v1/score`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        transaction_id: txId,
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        customer_id: customer,
        terminal_id: id('t_1'),
        amount,
        device_id: id('dev_1'),
      }),
    });
    expect(r.status).toBe(200);
    return { ...((await r.json()) as Answer), id: txId };
  };
  const api = async (method: string, path: string, body?: object) => {
    const r = await fetch(`${system.origin}${path}`, {
      method,
      headers: auth,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: r.status,
      body: (await r.json().catch(() => null)) as Record<string, unknown>,
    };
  };
  /** Score the card until `want` holds: the change reached the edge. */
  const until = (customer: string, want: (a: Answer) => boolean, amount?: number) =>
    poll(async () => {
      const a = await score(customer, amount);
      return want(a) ? a : null;
    }, PROPAGATION_MS);

  it('blocks a listed card within 5 s, names the rule, stores it; unlisting lets it pass', async () => {
    const card = id('c_blocked');
    expect((await score(card)).rules).toEqual([]);
    const added = await api('POST', '/api/lists/blocked_customers/items', {
      value: card,
      reason: 'system test',
    });
    expect(added.status).toBe(201);
    const blocked = await until(card, (a) => a.decision === 'decline');
    expect(blocked.rules).toEqual([{ id: 'block_listed_customers', action: 'block' }]);
    expect(blocked.reasons[0]).toMatchObject({
      code: 'RULE_BLOCK',
      rule: 'block_listed_customers',
    });
    const stored = await poll(async () => {
      const r = await api('GET', `/api/transactions/${blocked.id}`);
      return r.status === 200 ? r.body : null;
    }, PROPAGATION_MS);
    expect(stored.decision).toBe('decline');
    expect(stored.rules).toEqual([{ id: 'block_listed_customers', action: 'block' }]);
    expect(stored.ruleset_version).toBeGreaterThanOrEqual(1);

    expect((await api('DELETE', `/api/lists/blocked_customers/items/${card}`)).status).toBeLessThan(
      300,
    );
    const freed = await until(card, (a) => a.rules.length === 0);
    expect(freed.decision).not.toBe('decline');
  });

  it('applies a new rule and a shadow rule within 5 s, without a restart', async () => {
    const ruleId = `big_${setup.edge}_${setup.store}`;
    const created = await api('POST', '/api/rules', {
      id: ruleId,
      name: 'Review big payments from this terminal',
      expression: `tx.terminal_id == "${id('t_1')}" && tx.amount > 100`,
      action: 'review',
      mode: 'active',
    });
    expect(created.status).toBe(201);
    const shadowId = `shadow_${setup.edge}_${setup.store}`;
    expect(
      (
        await api('POST', '/api/rules', {
          id: shadowId,
          name: 'Would block this device',
          expression: `has(tx.device_id) && tx.device_id == "${id('dev_1')}"`,
          action: 'block',
          mode: 'shadow',
        })
      ).status,
    ).toBe(201);
    const card = id('c_rule');
    const reviewed = await until(card, (a) => a.rules.some((r) => r.id === ruleId), 150);
    expect(reviewed.decision).not.toBe('approve');
    // The shadow rule never acts, but is recorded on the stored decision.
    const stored = await poll(async () => {
      const r = await api('GET', `/api/transactions/${reviewed.id}`);
      return r.status === 200 &&
        Array.isArray(r.body.shadow_rules) &&
        r.body.shadow_rules.length > 0
        ? r.body
        : null;
    }, PROPAGATION_MS);
    expect(stored.shadow_rules).toContain(shadowId);
    expect(reviewed.rules.some((r) => r.id === shadowId)).toBe(false);
    // Disabled: no longer applied.
    const off = await api('PUT', `/api/rules/${ruleId}`, {
      id: ruleId,
      name: 'Review big payments from this terminal',
      expression: `tx.terminal_id == "${id('t_1')}" && tx.amount > 100`,
      action: 'review',
      mode: 'disabled',
    });
    expect(off.status).toBe(200);
    await until(card, (a) => !a.rules.some((r) => r.id === ruleId), 150);
  });

  it('a fraud label on a payment blocks its card within 5 s', async () => {
    const card = id('c_fraud');
    const first = await score(card);
    // The decision must be in Postgres before its card can be found from the label.
    await poll(async () => {
      const r = await api('GET', `/api/transactions/${first.id}`);
      return r.status === 200 ? true : null;
    }, PROPAGATION_MS);
    const fb = await fetch(`${system.origin}/v1/feedback`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        transaction_id: first.id,
        label: 'fraud',
        timestamp: new Date().toISOString(),
      }),
    });
    expect(fb.status).toBe(202);
    const next = await until(card, (a) => a.decision === 'decline');
    expect(next.rules).toEqual([{ id: 'block_listed_customers', action: 'block' }]);
  });
});
