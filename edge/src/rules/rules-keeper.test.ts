import {
  RULES_SYNC_PATH,
  SIGNATURE_HEADER,
  verifyBody,
  type ListChange,
  type Ruleset,
  type RulesSyncAnswer,
} from '@vigil/core';
import { describe, expect, it, vi } from 'vitest';
import { createWebCryptoHmac } from '../events/web-crypto-hmac.js';
import { RulesKeeper, type Compiled } from './rules-keeper.js';

const hmac = createWebCryptoHmac();
const SECRET = 'sync-secret-0123456789';

const rule = (id: string) => ({
  id,
  name: id,
  description: '',
  expression: 'true',
  action: 'review' as const,
  mode: 'active' as const,
});
const ruleset = (version: number, ...ids: string[]): Ruleset => ({
  version,
  rules: ids.map(rule),
});
const add = (value: string): ListChange => ({
  op: 'add',
  list: 'blocked_customers',
  kind: 'customer_id',
  value,
  expiresAtMs: null,
});
const LISTS = [{ name: 'blocked_customers', kind: 'customer_id' as const }];

/** A backplane that answers from a script of pages and records what it was asked. */
function backplane(pages: (RulesSyncAnswer | number)[]) {
  const asked: { ruleset_version: number; cursor: string | null }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    expect(url).toBe('http://bp' + RULES_SYNC_PATH);
    const body = init.body as string;
    const sig = (init.headers as Record<string, string>)[SIGNATURE_HEADER]!;
    const check = await verifyBody(hmac, SECRET, body, sig, Date.now() / 1000);
    expect(check.ok).toBe(true);
    asked.push(JSON.parse(body) as (typeof asked)[number]);
    const next = pages.shift();
    if (next === undefined) throw new Error('no more pages scripted');
    if (typeof next === 'number') return new Response('down', { status: next });
    return new Response(JSON.stringify(next), { status: 200 });
  }) as unknown as typeof fetch;
  return { asked, fetchFn };
}

const MODEL = { version: 'gbdt-x', thresholds: { review: 0.2, decline: 0.8 } };

function keeper(
  fetchFn: typeof fetch,
  compile?: (r: Ruleset) => Compiled<string>,
  model?: typeof MODEL,
) {
  const applied: ListChange[][] = [];
  const logs: string[] = [];
  // The store keeps the cursor of the changes it holds.
  let held: string | null = null;
  const k = new RulesKeeper<string>({
    backplaneUrl: 'http://bp',
    secret: SECRET,
    hmac,
    store: {
      applyListChanges: (c, k) => {
        applied.push([...c]);
        if (k !== undefined) held = k;
        return Promise.resolve();
      },
      listCursor: () => Promise.resolve(held),
    },
    compile: compile ?? ((r) => ({ ok: true, compiled: `v${r.version}:${r.rules.length}` })),
    initial: 'none',
    intervalMs: 1_000,
    log: (e) => logs.push(e.msg),
    fetch: fetchFn,
    ...(model ? { model } : {}),
  });
  return { k, applied, logs };
}

const metrics = (k: RulesKeeper<string>) => {
  const out: string[] = [];
  k.render(out);
  return out.join('\n');
};

describe('RulesKeeper', () => {
  it('applies every page of list changes, then switches the whole ruleset in', async () => {
    const { asked, fetchFn } = backplane([
      {
        ruleset: ruleset(3, 'a', 'b'),
        lists: LISTS,
        changes: [add('c1')],
        cursor: '1',
        more: true,
      },
      {
        ruleset: ruleset(3, 'a', 'b'),
        lists: LISTS,
        changes: [add('c2')],
        cursor: '2',
        more: false,
      },
    ]);
    const { k, applied } = keeper(fetchFn);
    expect(k.current).toBe('none');
    expect(await k.sync()).toBe(true);
    expect(applied.map((c) => c.map((x) => x.value))).toEqual([['c1'], ['c2']]);
    expect(k.current).toBe('v3:2');
    expect(k.version).toBe(3);
    expect(asked).toEqual([
      { ruleset_version: 0, cursor: null },
      { ruleset_version: 3, cursor: '1' },
    ]);
    expect(metrics(k)).toContain('vigil_ruleset_version 3');
    expect(metrics(k)).toContain('vigil_rules_stale 0');
  });

  it('names its model and takes the thresholds set for it, or none, from each sync', async () => {
    const page = (thresholds?: { review: number; decline: number } | null) => ({
      ruleset: null,
      lists: LISTS,
      changes: [],
      cursor: '0',
      more: false,
      ...(thresholds === undefined ? {} : { thresholds }),
    });
    const { asked, fetchFn } = backplane([
      page({ review: 0.1, decline: 0.5 }),
      500,
      page(null),
      page(),
      page({ review: 0.6, decline: 0.5 }),
    ]);
    const { k } = keeper(fetchFn, undefined, MODEL);
    expect(k.thresholds).toBeNull();
    expect(await k.sync()).toBe(true);
    expect(asked[0]).toEqual({ ruleset_version: 0, cursor: null, model: MODEL });
    expect(k.thresholds).toEqual({ review: 0.1, decline: 0.5 });
    expect(metrics(k)).toContain(
      'vigil_decision_threshold{threshold="review",source="backplane"} 0.1',
    );
    // A failed sync keeps what the edge had.
    expect(await k.sync()).toBe(false);
    expect(k.thresholds).toEqual({ review: 0.1, decline: 0.5 });
    // None set any more, or a backplane that does not send them: the model's own stand.
    expect(await k.sync()).toBe(true);
    expect(k.thresholds).toBeNull();
    expect(metrics(k)).toContain(
      'vigil_decision_threshold{threshold="decline",source="model"} 0.8',
    );
    await k.sync();
    expect(k.thresholds).toBeNull();
    // review above decline is not a pair of thresholds: the answer is refused, nothing changes.
    expect(await k.sync()).toBe(false);
    expect(k.thresholds).toBeNull();
  });

  it('keeps the ruleset it had when a later page fails, and asks again from its cursor', async () => {
    const { asked, fetchFn } = backplane([
      { ruleset: ruleset(1, 'a'), lists: LISTS, changes: [], cursor: '0', more: false },
      {
        ruleset: ruleset(2, 'a', 'b'),
        lists: LISTS,
        changes: [add('c1')],
        cursor: '5',
        more: true,
      },
      503,
      {
        ruleset: ruleset(2, 'a', 'b'),
        lists: LISTS,
        changes: [add('c2')],
        cursor: '6',
        more: false,
      },
    ]);
    const { k } = keeper(fetchFn);
    await k.sync();
    expect(k.current).toBe('v1:1');
    expect(await k.sync()).toBe(false);
    expect(k.current).toBe('v1:1');
    expect(metrics(k)).toContain('vigil_rules_sync_failures_total 1');
    expect(await k.sync()).toBe(true);
    expect(k.current).toBe('v2:2');
    expect(asked.at(-1)).toEqual({ ruleset_version: 1, cursor: '5' });
  });

  it('refuses a ruleset it cannot compile and keeps the one in force', async () => {
    const { fetchFn } = backplane([
      { ruleset: ruleset(1, 'a'), lists: LISTS, changes: [], cursor: '0', more: false },
      { ruleset: ruleset(2, 'bad'), lists: LISTS, changes: [], cursor: '0', more: false },
    ]);
    const { k, logs } = keeper(fetchFn, (r) =>
      r.rules.some((x) => x.id === 'bad')
        ? { ok: false, message: 'nope' }
        : { ok: true, compiled: `v${r.version}` },
    );
    await k.sync();
    expect(await k.sync()).toBe(false);
    expect(k.current).toBe('v1');
    expect(metrics(k)).toContain('vigil_rules_compile_failures_total 1');
    expect(logs).toContain('rules: ruleset refused, the one in force is kept');
  });

  it('refuses an answer of the wrong shape', async () => {
    const { fetchFn } = backplane([
      {
        ruleset: { version: 1, rules: [{ id: 'BAD ID' }] },
        lists: [],
        changes: [],
        cursor: '0',
        more: false,
      } as unknown as RulesSyncAnswer,
    ]);
    const { k } = keeper(fetchFn);
    expect(await k.sync()).toBe(false);
    expect(k.version).toBe(0);
    expect(metrics(k)).toContain('vigil_rules_stale 1');
  });

  it('on a Worker request: waits when stale, runs in the background otherwise', async () => {
    const page = { ruleset: null, lists: LISTS, changes: [], cursor: '0', more: false };
    const { asked, fetchFn } = backplane([
      { ...page, ruleset: ruleset(1, 'a') },
      { ...page },
      { ...page },
    ]);
    const { k } = keeper(fetchFn);
    const background: Promise<unknown>[] = [];
    // First request of an isolate: never synced, so it waits (the sync answers at once here).
    await k.onRequest((w) => background.push(w));
    expect(background).toHaveLength(1);
    expect(k.version).toBe(1);
    // Within the interval: nothing.
    await k.onRequest((w) => background.push(w));
    expect(asked).toHaveLength(1);
  });

  it('a stale Worker request waits for a slow backplane only so long, then goes on', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let release: (r: Response) => void = () => {};
      const hanging = (() =>
        new Promise<Response>((resolve) => (release = resolve))) as unknown as typeof fetch;
      const { k } = keeper(hanging);
      const background: Promise<unknown>[] = [];
      let done = false;
      const request = k.onRequest((w) => background.push(w)).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(249);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await request;
      expect(done).toBe(true);
      // The sync goes on in the background and still lands.
      expect(background).toHaveLength(1);
      release(
        new Response(
          JSON.stringify({
            ruleset: ruleset(4, 'a'),
            lists: [],
            changes: [],
            cursor: '0',
            more: false,
          }),
        ),
      );
      await background[0];
      expect(k.version).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
