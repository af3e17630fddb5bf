/**
 * The Rules page and the drawer's list buttons, rendered by Solid's server renderer from stores
 * loaded from a fake client, and read as an analyst would.
 */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'solid-js/web';
import type { ListActionsStore } from '../stores/list-actions-store.js';
import { createRuleEditor } from '../stores/rule-editor-store.js';
import { createRulesStore } from '../stores/rules-store.js';
import { ListActions } from './list-actions.js';
import { RulesPage } from './rules-page.js';

const text = (html: string) =>
  html
    .replace(/<!--[^>]*-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

describe('RulesPage', () => {
  it('shows the version, each rule with its hits, and Restore on every other version', async () => {
    const rules = createRulesStore({
      client: {
        listRules: () =>
          Promise.resolve({
            version: 2,
            rules: [
              {
                id: 'block_listed_card',
                name: 'Blocked card',
                description: '',
                expression: 'in_list("blocked_customers", tx.customer_id)',
                action: 'block',
                mode: 'active',
                hits: { hour: 3, day: 1234 },
              },
            ],
          }),
        listRuleVersions: () =>
          Promise.resolve([
            { version: 1, created_at: '2026-05-01T00:00:00Z', created_by: 'system', summary: 'a' },
            { version: 2, created_at: '2026-05-02T00:00:00Z', created_by: 'ana', summary: 'b' },
          ]),
        listLists: () => Promise.resolve([]),
        updateRule: () => Promise.reject(new Error('unused')),
        deleteRule: () => Promise.reject(new Error('unused')),
        restoreRuleVersion: () => Promise.reject(new Error('unused')),
      },
    });
    await rules.load();
    const html = renderToString(() => (
      <RulesPage
        rules={rules}
        checksLive={false}
        newEditor={(initial) =>
          createRuleEditor({
            client: {
              createRule: () => Promise.reject(new Error('unused')),
              updateRule: () => Promise.reject(new Error('unused')),
            },
            lists: () => [],
            ...(initial ? { initial } : {}),
          })
        }
      />
    ));
    const t = text(html);
    expect(t).toContain('Ruleset version 2');
    expect(t).toContain('block_listed_card');
    expect(t).toContain('in_list("blocked_customers", tx.customer_id)');
    expect(t).toMatch(/ 3 1,234 /);
    // Newest first; the version in force says so instead of offering a restore.
    expect(html.indexOf('data-version="2"')).toBeLessThan(html.indexOf('data-version="1"'));
    expect(html.match(/data-testid="rule-version-restore"/g)).toHaveLength(1);
    expect(t).toContain('in force');
  });
});

describe('ListActions', () => {
  it('says what is on a list, until when, and what an action answered', () => {
    const store: ListActionsStore = {
      state: (key) =>
        key === 'block_card'
          ? { onList: true, until: '2026-08-01T00:00:00.000Z', busy: false, result: null }
          : key === 'block_terminal'
            ? {
                onList: false,
                until: null,
                busy: false,
                result: { ok: false, message: 'No list blocked_terminals' },
              }
            : { onList: null, until: null, busy: false, result: null },
      lookup: () => Promise.resolve(),
      run: () => Promise.resolve(true),
      warning: () => null,
      undo: () => Promise.resolve(true),
      reset: () => undefined,
    };
    const html = renderToString(() => <ListActions store={store} />);
    const t = text(html);
    // On the list: what it is and until when in the button's place, and the way back.
    expect(t).toContain('Blocked until 2026-08-01 00:00:00 UTC (on blocked_customers) Unblock');
    expect(t).not.toContain('Block this card');
    expect(t).toContain('Not on blocked_terminals.');
    expect(t).toContain('No list blocked_terminals');
    expect(html).toContain('data-on-list="unknown"');
    expect(t).toContain('Block this terminal');
    expect(t).toContain('Allow this card');
  });
});
