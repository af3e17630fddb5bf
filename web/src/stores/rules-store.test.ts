import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { RuleVersion, RuleWithHits } from '../api/rules-types.js';
import { fakeClock } from '../test/fakes.js';
import { createRulesStore, HITS_REFRESH_MS, type RulesStoreOptions } from './rules-store.js';

const settle = () => new Promise((r) => setTimeout(r, 0));

const rule = (id: string, over: Partial<RuleWithHits> = {}): RuleWithHits => ({
  id,
  name: id,
  description: '',
  expression: 'tx.amount > 1.0',
  action: 'review',
  mode: 'active',
  hits: { hour: 0, day: 0 },
  ...over,
});

/** A backplane in memory: the ruleset, its versions, and a log of the writes. */
function server(rules: RuleWithHits[]) {
  let version = 1;
  const versions: RuleVersion[] = [
    { version: 1, created_at: 't1', created_by: 'ana', summary: 'start' },
  ];
  const writes: string[] = [];
  let refuse: ApiError | null = null;
  const bump = (summary: string) => {
    version++;
    versions.push({ version, created_at: `t${version}`, created_by: 'ana', summary });
  };
  const client: RulesStoreOptions['client'] = {
    listRules: () => Promise.resolve({ version, rules: rules.map((r) => ({ ...r })) }),
    listRuleVersions: () => Promise.resolve([...versions]),
    listLists: () =>
      Promise.resolve([
        { name: 'blocked_customers', kind: 'customer_id', description: '', size: 0 },
      ]),
    updateRule: (r) => {
      writes.push(`PUT ${r.id} ${r.mode}`);
      if (refuse) return Promise.reject(refuse);
      rules = rules.map((x) => (x.id === r.id ? { ...x, ...r } : x));
      bump(`edited ${r.id}`);
      return Promise.resolve({ version, rule: r });
    },
    deleteRule: (id) => {
      writes.push(`DELETE ${id}`);
      rules = rules.filter((x) => x.id !== id);
      bump(`deleted ${id}`);
      return Promise.resolve(null);
    },
    restoreRuleVersion: (v) => {
      writes.push(`RESTORE ${v}`);
      if (refuse) return Promise.reject(refuse);
      bump(`restored ${v}`);
      return Promise.resolve();
    },
  };
  return {
    client,
    writes,
    /** Matches counted meanwhile: the rule's hits change, not the ruleset. */
    hit(id: string, hits: RuleWithHits['hits']) {
      rules = rules.map((x) => (x.id === id ? { ...x, hits } : x));
    },
    refuseWith(e: ApiError | null) {
      refuse = e;
    },
  };
}

describe('rules store', () => {
  it('loads the ruleset, versions newest first, and the lists a rule can name', async () => {
    const s = server([rule('a'), rule('b')]);
    const store = createRulesStore({ client: s.client });
    await store.load();
    expect(store.version()).toBe(1);
    expect(store.rules().map((r) => r.id)).toEqual(['a', 'b']);
    expect(store.lists()).toEqual([{ name: 'blocked_customers', kind: 'customer_id' }]);
    await store.remove('a');
    expect(store.versions().map((v) => v.version)).toEqual([2, 1]);
    expect(store.rules().map((r) => r.id)).toEqual(['b']);
  });

  it('switches a mode by sending the rule without its hits, then shows the new version', async () => {
    const s = server([rule('a', { hits: { hour: 3, day: 7 } })]);
    const store = createRulesStore({ client: s.client });
    await store.load();
    const done = store.setMode('a', 'shadow');
    expect(store.rules()[0]!.mode).toBe('shadow'); // at once
    expect(store.pending()).toBe('a');
    await expect(done).resolves.toBe(true);
    expect(s.writes).toEqual(['PUT a shadow']);
    expect(store.version()).toBe(2);
    expect(store.pending()).toBeNull();
  });

  it('puts the mode back and says why when the server refuses', async () => {
    const s = server([rule('a')]);
    const store = createRulesStore({ client: s.client });
    await store.load();
    s.refuseWith(new ApiError('http', 409, null, 'The ruleset changed meanwhile'));
    await expect(store.setMode('a', 'disabled')).resolves.toBe(false);
    expect(store.rules()[0]!.mode).toBe('active');
    expect(store.changeError()).toBe(
      'Could not switch a to disabled: The ruleset changed meanwhile',
    );
  });

  it('restores a version and reports a refused restore', async () => {
    const s = server([rule('a')]);
    const store = createRulesStore({ client: s.client });
    await store.load();
    await expect(store.restore(1)).resolves.toBe(true);
    expect(store.version()).toBe(2);
    expect(store.versions()[0]!.summary).toBe('restored 1');
    s.refuseWith(new ApiError('http', 404, null, 'No version 9'));
    await expect(store.restore(9)).resolves.toBe(false);
    expect(store.changeError()).toBe('Could not restore version 9: No version 9');
  });

  it('refreshes the hits every 30 s while watched; an unchanged rule keeps its object', async () => {
    const s = server([rule('a', { hits: { hour: 1, day: 2 } }), rule('b')]);
    const clock = fakeClock();
    let asked = 0;
    const store = createRulesStore({
      client: {
        ...s.client,
        listRules: () => {
          asked++;
          return s.client.listRules();
        },
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    const stop = store.watch();
    await settle();
    expect(store.hits('a')).toEqual({ hour: 1, day: 2 });
    const a = store.rules()[0];
    s.hit('a', { hour: 5, day: 9 });
    clock.advance(HITS_REFRESH_MS - 1);
    await settle();
    expect(store.hits('a')).toEqual({ hour: 1, day: 2 });
    clock.advance(1);
    await settle();
    expect(store.hits('a')).toEqual({ hour: 5, day: 9 });
    expect(store.rules()[0]).toBe(a); // the page's row for it is not rebuilt
    expect(store.version()).toBe(1);

    // Another analyst changed the ruleset: the next refresh loads it and its versions whole.
    await s.client.deleteRule('b');
    clock.advance(HITS_REFRESH_MS);
    await settle();
    expect(store.version()).toBe(2);
    expect(store.rules().map((r) => r.id)).toEqual(['a']);
    expect(store.versions()[0]!.summary).toBe('deleted b');

    stop();
    const before = asked;
    clock.advance(3 * HITS_REFRESH_MS);
    await settle();
    expect(asked).toBe(before);
  });

  it('shows why loading failed and forgets everything on reset', async () => {
    const s = server([rule('a')]);
    const store = createRulesStore({
      client: {
        ...s.client,
        listRules: () => Promise.reject(new ApiError('network', 0, null, 'x')),
      },
    });
    await store.load();
    expect(store.error()).toMatch(/could not be reached/);
    store.reset();
    expect(store.error()).toBeNull();
    expect(store.version()).toBeNull();
  });
});
