import { describe, expect, it } from 'vitest';
import type { Case, LiveItem, Page, VerdictDelivery } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import type { ApiClient } from '../api/client.js';
import type { CaseQuery } from '../api/types.js';
import { createCasesStore } from './cases-store.js';
import { aCase, decision, manualFrames } from '../test/fakes.js';

/** A deferred answer the test settles. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(list: Case[], extra: Partial<Pick<ApiClient, 'nextCase' | 'resolveCases'>> = {}) {
  const calls: { op: string; args: unknown[] }[] = [];
  let next: ReturnType<typeof deferred<Case | null>> = deferred();
  let listQueries: CaseQuery[] = [];
  let listAnswer: Case[] = list;
  const store = createCasesStore({
    client: {
      listCases: (q = {}): Promise<Page<Case>> => {
        listQueries.push(q);
        return Promise.resolve({ items: listAnswer, next_cursor: null });
      },
      assignCase: (...args) => {
        calls.push({ op: 'assign', args });
        return next.promise;
      },
      commentCase: (...args) => {
        calls.push({ op: 'comment', args });
        return next.promise;
      },
      resolveCase: async (...args) => {
        calls.push({ op: 'resolve', args });
        const c = await next.promise;
        if (!c) throw new Error('resolve answers a case');
        return c;
      },
      nextCase: extra.nextCase ?? (() => Promise.resolve(null)),
      resolveCases:
        extra.resolveCases ?? (() => Promise.reject(new Error('no bulk resolve in this test'))),
    },
    me: () => 'ana',
    schedule: manualFrames().schedule,
    now: () => new Date('2024-02-02T10:00:00Z'),
  });
  return {
    store,
    calls,
    answer: () => next,
    fresh: () => (next = deferred()),
    listQueries: () => listQueries,
    setList: (l: Case[]) => (listAnswer = l),
    resetQueries: () => (listQueries = []),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('cases store', () => {
  it('loads what needs review by default: unresolved review cases, highest risk × amount first', async () => {
    const t = setup([aCase('a'), aCase('b')]);
    await t.store.load();
    expect(t.store.cases().map((c) => c.case_id)).toEqual(['a', 'b']);
    expect(t.listQueries()[0]).toEqual({
      status: ['open', 'assigned'],
      decision: ['review'],
      sort: '-risk',
      limit: 50,
    });
  });

  it('asks for declines in their own view, and for the chosen sort', async () => {
    const t = setup([aCase('a')]);
    await t.store.setFilter('decline');
    await t.store.setSort('opened_at');
    expect(t.listQueries()).toEqual([
      { status: ['open', 'assigned'], decision: ['decline'], sort: '-risk', limit: 50 },
      { status: ['open', 'assigned'], decision: ['decline'], sort: 'opened_at', limit: 50 },
    ]);
    await t.store.setFilter('all');
    expect(t.listQueries()[2]).toEqual({ sort: 'opened_at', limit: 50 });
  });

  it('takes the next case of the view: asks with its decisions and sort, keeps it in place or puts it first', async () => {
    const asked: unknown[] = [];
    const mine = aCase('z', { status: 'assigned', assignee: 'ana', version: 2 });
    const other = aCase('y', { status: 'assigned', assignee: 'ana', version: 2 });
    const t = setup([aCase('a'), aCase('z')], {
      nextCase: (req) => {
        asked.push(req);
        return Promise.resolve([mine, other][asked.length - 1] ?? null);
      },
    });
    await t.store.load();
    expect(await t.store.nextCase()).toEqual(mine);
    expect(asked).toEqual([{ sort: '-risk', decision: ['review'] }]);
    // On the page: updated where the server's order has it, so a reload moves nothing.
    expect(t.store.cases().map((c) => [c.case_id, c.assignee])).toEqual([
      ['a', null],
      ['z', 'ana'],
    ]);
    // Not on the page: first.
    expect(await t.store.nextCase()).toEqual(other);
    expect(t.store.cases().map((c) => c.case_id)).toEqual(['y', 'a', 'z']);
    // None left: said, not thrown.
    expect(await t.store.nextCase()).toBeNull();
    expect(t.store.error()).toMatch(/No unassigned case/);
  });

  it('resolves the ticked cases all at once, or none with the server’s reason', async () => {
    const bulk: unknown[] = [];
    let refuse = true;
    const t = setup([aCase('a'), aCase('r', { status: 'resolved' }), aCase('b'), aCase('c')], {
      resolveCases: (req) => {
        bulk.push(req);
        if (refuse) {
          return Promise.reject(
            new ApiError(
              'http',
              409,
              { type: 'about:blank', title: 'Conflict', status: 409 },
              'case b is already resolved (/case_ids/1)',
            ),
          );
        }
        return Promise.resolve({
          resolution: 'fraud',
          cases: req.case_ids.map((id) =>
            aCase(id, { status: 'resolved', resolution: 'fraud', version: 2 }),
          ),
        });
      },
    });
    await t.store.load();
    t.store.select('a', false);
    t.store.select('b', true); // shift: a..b, past the resolved r
    expect([...t.store.selected()]).toEqual(['a', 'b']);
    t.store.select('r', false); // a resolved case is not selectable
    expect([...t.store.selected()]).toEqual(['a', 'b']);

    expect(await t.store.resolveSelected('fraud')).toBe(false);
    expect(t.store.bulkError()).toBe(
      'Nothing was resolved: case b is already resolved (/case_ids/1)',
    );
    expect(t.store.cases().map((c) => c.status)).toEqual(['open', 'resolved', 'open', 'open']);
    expect([...t.store.selected()]).toEqual(['a', 'b']);

    refuse = false;
    expect(await t.store.resolveSelected('fraud')).toBe(true);
    expect(bulk).toEqual([
      { case_ids: ['a', 'b'], resolution: 'fraud' },
      { case_ids: ['a', 'b'], resolution: 'fraud' },
    ]);
    expect(t.store.cases().map((c) => c.status)).toEqual([
      'resolved',
      'resolved',
      'resolved',
      'open',
    ]);
    expect(t.store.selected().size).toBe(0);
    expect(t.store.bulkError()).toBeNull();
  });

  it('assigns optimistically and keeps the server answer', async () => {
    const t = setup([aCase('a')]);
    await t.store.load();
    const done = t.store.assignToMe('a');
    // shown at once, before the server answers
    expect(t.store.cases()[0]).toMatchObject({ status: 'assigned', assignee: 'ana' });
    expect(t.store.isPending('a')).toBe(true);
    expect(t.calls[0]).toEqual({ op: 'assign', args: ['a', 'ana', 1] });
    t.answer().resolve(aCase('a', { status: 'assigned', assignee: 'ana', version: 2 }));
    expect(await done).toBe(true);
    expect(t.store.cases()[0]).toMatchObject({ assignee: 'ana', version: 2 });
    expect(t.store.isPending('a')).toBe(false);
    expect(t.store.errorFor('a')).toBeNull();
  });

  it('reverts a refused resolution exactly and shows why', async () => {
    const t = setup([aCase('a', { status: 'assigned', assignee: 'bob', version: 4 })]);
    await t.store.load();
    const before = t.store.cases()[0];
    const done = t.store.resolve('a', 'fraud', '  card reported stolen ');
    expect(t.store.cases()[0]).toMatchObject({ status: 'resolved', resolution: 'fraud' });
    expect(t.calls[0]).toEqual({ op: 'resolve', args: ['a', 'fraud', 4, 'card reported stolen'] });
    t.answer().reject(new ApiError('http', 500, null, 'Kafka is unavailable'));
    expect(await done).toBe(false);
    expect(t.store.cases()[0]).toBe(before);
    expect(t.store.errorFor('a')).toBe('Kafka is unavailable');
    t.store.dismissError('a');
    expect(t.store.errorFor('a')).toBeNull();
  });

  it('on a stale version (409) reverts, explains and reloads the list', async () => {
    const t = setup([aCase('a')]);
    await t.store.load();
    t.resetQueries();
    t.setList([aCase('a', { status: 'assigned', assignee: 'bob', version: 2 })]);
    const done = t.store.assignToMe('a');
    t.answer().reject(
      new ApiError(
        'http',
        409,
        { type: 'urn:vigil:problem:stale-version', title: 'Stale version', status: 409 },
        'Stale version',
      ),
    );
    expect(await done).toBe(false);
    expect(t.store.errorFor('a')).toMatch(/someone else changed this case/);
    expect(t.listQueries()).toHaveLength(1);
    expect(t.store.cases()[0]).toMatchObject({ assignee: 'bob', version: 2 });
  });

  it('reverts an optimistic comment and keeps the others', async () => {
    const t = setup([aCase('a', { comments: [{ author: 'bob', body: 'hi', created_at: 'x' }] })]);
    await t.store.load();
    const done = t.store.comment('a', 'looks like scenario 2');
    expect(t.store.cases()[0]!.comments.map((c) => c.body)).toEqual([
      'hi',
      'looks like scenario 2',
    ]);
    expect(t.store.cases()[0]!.comments[1]).toMatchObject({
      author: 'ana',
      created_at: '2024-02-02T10:00:00.000Z',
    });
    t.answer().reject(new ApiError('network', 0, null, 'The server could not be reached'));
    expect(await done).toBe(false);
    expect(t.store.cases()[0]!.comments.map((c) => c.body)).toEqual(['hi']);
    expect(t.store.errorFor('a')).toMatch(/could not be reached/);
  });

  it('allows one change per case at a time', async () => {
    const t = setup([aCase('a')]);
    await t.store.load();
    const first = t.store.assignToMe('a');
    expect(await t.store.resolve('a', 'false_positive')).toBe(false);
    expect(t.calls).toHaveLength(1);
    t.answer().resolve(aCase('a', { status: 'assigned', assignee: 'ana', version: 2 }));
    await first;
  });

  it('resyncs when the server accepts without returning the case', async () => {
    const t = setup([aCase('a')]);
    await t.store.load();
    t.resetQueries();
    const done = t.store.comment('a', 'ok');
    t.answer().resolve(null);
    expect(await done).toBe(true);
    expect(t.listQueries()).toHaveLength(1);
  });

  it('applies newer live case events, never older ones, and not over a pending change', async () => {
    const t = setup([aCase('a', { version: 3 }), aCase('b', { version: 1 })]);
    await t.store.load();
    const ev = (id: string, version: number, assignee: string): LiveItem => ({
      seq: version,
      event: {
        kind: 'case',
        event_id: `case:${id}:${version}`,
        case_id: id,
        transaction_id: `tx_${id}`,
        status: 'assigned',
        assignee,
        resolution: null,
        updated_at: '2024-01-01T01:00:00Z',
        version,
      },
    });
    t.store.applyLive([ev('a', 2, 'old'), ev('a', 4, 'bob')]);
    expect(t.store.cases()[0]).toMatchObject({ assignee: 'bob', version: 4 });

    const pending = t.store.assignToMe('b');
    t.store.applyLive([ev('b', 2, 'carol')]);
    expect(t.store.cases()[1]).toMatchObject({ assignee: 'ana' });
    t.answer().resolve(aCase('b', { status: 'assigned', assignee: 'ana', version: 2 }));
    await pending;
    await tick();
  });

  it('updates a resolved case with its verdict delivery, newer states only', async () => {
    const pendingAt = (attempts: number, updated_at: string): VerdictDelivery => ({
      state: 'pending',
      attempts,
      last_status: null,
      detail: 'the edge could not be reached',
      next_attempt_at: '2024-01-01T02:00:00Z',
      updated_at,
    });
    const t = setup([
      aCase('r', {
        status: 'resolved',
        resolution: 'fraud',
        version: 2,
        verdict_delivery: pendingAt(1, '2024-01-01T01:00:00Z'),
      }),
    ]);
    await t.store.load();
    const ev = (d: VerdictDelivery): LiveItem => ({
      seq: d.attempts,
      event: {
        kind: 'case',
        event_id: `case:r:2:verdict:${d.attempts}:${d.state}`,
        case_id: 'r',
        transaction_id: 'tx_r',
        status: 'resolved',
        assignee: null,
        resolution: 'fraud',
        updated_at: '2024-01-01T00:00:00Z',
        version: 2,
        verdict_delivery: d,
      },
    });
    const applied: VerdictDelivery = {
      state: 'applied',
      attempts: 3,
      last_status: 202,
      detail: null,
      next_attempt_at: null,
      updated_at: '2024-01-01T01:10:00Z',
    };
    t.store.applyLive([ev(applied)]);
    expect(t.store.cases()[0]).toMatchObject({ version: 2, verdict_delivery: applied });
    // A late pending event from an earlier try does not undo it.
    t.store.applyLive([ev(pendingAt(2, '2024-01-01T01:05:00Z'))]);
    expect(t.store.cases()[0]!.verdict_delivery).toEqual(applied);
  });

  it('counts cases opened by live decisions that belong in the view, until the next load', async () => {
    const t = setup(Array.from({ length: 10 }, (_, i) => aCase(`c${i}`)));
    await t.store.load();
    const live = [
      { seq: 1, event: decision(1, { decision: 'review', case_id: 'k1' }) },
      { seq: 2, event: decision(2) },
      { seq: 3, event: decision(3, { decision: 'decline', case_id: 'k2' }) },
    ];
    // "Needs review" counts the review only; "All unresolved" both.
    t.store.applyLive(live);
    expect(t.store.newCases()).toBe(1);
    await t.store.setFilter('open');
    t.store.applyLive(live);
    expect(t.store.newCases()).toBe(2);
    await t.store.load();
    expect(t.store.newCases()).toBe(0);
  });

  it('fills a short queue by itself when cases open, at most every 2 s', async () => {
    const t = setup([]);
    await t.store.load();
    t.resetQueries();
    t.setList([aCase('k1')]);
    t.store.applyLive([{ seq: 1, event: decision(1, { decision: 'review', case_id: 'k1' }) }]);
    await Promise.resolve();
    expect(t.listQueries()).toHaveLength(1);
    expect(t.store.newCases()).toBe(0);
    // Within 2 s a second opening is counted instead of reloading again.
    t.store.applyLive([{ seq: 2, event: decision(2, { decision: 'review', case_id: 'k2' }) }]);
    expect(t.listQueries()).toHaveLength(1);
    expect(t.store.newCases()).toBe(1);
  });
});
