/** The API client's rules and lists routes: paths, methods, bodies and the answers' checks. */
import { describe, expect, it } from 'vitest';
import type { Rule } from '@vigil/core';
import { ApiError } from './api-error.js';
import { fakeFetch, jsonResponse as json } from '../test/fakes.js';
import { createApiClient } from './client.js';

const rule: Rule = {
  id: 'big_new_card',
  name: 'Big amount, new card',
  description: '',
  expression: 'tx.amount > 500.0',
  action: 'review',
  mode: 'active',
};

describe('the rules and lists routes', () => {
  it('reads the ruleset and refuses a rule that breaks core’s schema', async () => {
    const good = { version: 3, rules: [{ ...rule, hits: { hour: 1, day: 9 } }] };
    const f = fakeFetch(() => json(good));
    await expect(createApiClient({ fetch: f.fetch }).listRules()).resolves.toEqual(good);

    const bad = { version: 3, rules: [{ ...rule, action: 'hold', hits: { hour: 1, day: 9 } }] };
    const g = fakeFetch(() => json(bad));
    await expect(createApiClient({ fetch: g.fetch }).listRules()).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('creates with POST and edits with PUT to the rule’s own path', async () => {
    const f = fakeFetch(() => json({ version: 4, rule }, 201));
    const api = createApiClient({ fetch: f.fetch });
    await expect(api.createRule(rule)).resolves.toEqual({ version: 4, rule });
    await api.updateRule({ ...rule, mode: 'shadow' });
    expect(f.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'POST /api/rules',
      'PUT /api/rules/big_new_card',
    ]);
    expect(JSON.parse(f.calls[1]!.init.body as string)).toMatchObject({ mode: 'shadow' });
  });

  it('hands the server’s field errors of a bad expression to the caller', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The rule is invalid',
      errors: [{ path: '/expression', message: 'at 10: undeclared reference to "txx"' }],
    };
    const f = fakeFetch(() => json(problem, 400, 'application/problem+json'));
    const err = await createApiClient({ fetch: f.fetch })
      .createRule(rule)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fieldErrors).toEqual(problem.errors);
  });

  it('lists versions, restores one and pages list items with a value filter', async () => {
    const version = { version: 2, created_at: 't', created_by: 'ana', summary: 'created x' };
    const f = fakeFetch((url) => {
      if (url.endsWith('/versions')) return json({ versions: [version] });
      if (url.includes('/restore')) return json({ version: 5, rules: [] });
      if (url.startsWith('/api/lists/blocked_customers/items?'))
        return json({ items: [], next_cursor: null });
      return json({
        lists: [{ name: 'blocked_customers', kind: 'customer_id', description: '', size: 3 }],
      });
    });
    const api = createApiClient({ fetch: f.fetch });
    await expect(api.listRuleVersions()).resolves.toEqual([version]);
    await api.restoreRuleVersion(2);
    await expect(api.listLists()).resolves.toMatchObject([{ name: 'blocked_customers', size: 3 }]);
    await api.listItems('blocked_customers', { value: 'c 1/2', limit: 1 });
    await api.removeListItem('blocked_customers', 'c 1/2');
    expect(f.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET /api/rules/versions',
      'POST /api/rules/versions/2/restore',
      'GET /api/lists',
      'GET /api/lists/blocked_customers/items?value=c+1%2F2&limit=1',
      'DELETE /api/lists/blocked_customers/items/c%201%2F2',
    ]);
  });
});
