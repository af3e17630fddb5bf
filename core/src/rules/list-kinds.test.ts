import { describe, expect, it } from 'vitest';
import { compileRuleset } from './compile.js';
import { referencedListKinds } from './list-kinds.js';
import { LIST_KINDS, type ListRef, type Rule, type RuleMode } from './rules-contract.js';

const LISTS: readonly ListRef[] = [
  { name: 'blocked_customers', kind: 'customer_id' },
  { name: 'allowed_customers', kind: 'customer_id' },
  { name: 'blocked_terminals', kind: 'terminal_id' },
  { name: 'bad_devices', kind: 'device_id' },
  { name: 'bad_ips', kind: 'ip' },
  { name: 'sanctioned', kind: 'country' },
];

const rule = (id: string, expression: string, mode: RuleMode = 'active'): Rule => ({
  id,
  name: id,
  description: '',
  expression,
  action: 'block',
  mode,
});

function kindsOf(rules: Rule[]) {
  const r = compileRuleset({ version: 1, rules }, LISTS);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.compiled.listKinds;
}

describe('listKinds of a compiled ruleset', () => {
  it('is empty without in_list', () => {
    expect(kindsOf([])).toEqual([]);
    expect(kindsOf([rule('big', 'tx.amount > 500.0 && velocity.ip_tx_1h > 3.0')])).toEqual([]);
  });

  it('names the kinds of the lists the rules read, in LIST_KINDS order, once each', () => {
    expect(
      kindsOf([
        rule('dev', 'tx.amount > 1.0 && (in_list("bad_devices", tx.device_id) || score > 0.9)'),
        rule('blocked', 'in_list("blocked_customers", tx.customer_id)'),
        rule('allowed', '!in_list("allowed_customers", tx.customer_id)'),
      ]),
    ).toEqual(['customer_id', 'device_id']);
    expect(
      kindsOf([
        rule(
          'all',
          '[1.0].exists(x, in_list("sanctioned", tx.country)) && ' +
            'in_list("bad_ips", tx.ip) && in_list("blocked_terminals", tx.terminal_id)',
        ),
      ]),
    ).toEqual(['terminal_id', 'ip', 'country']);
  });

  it('counts shadow rules (they run) but not disabled ones (they do not)', () => {
    expect(kindsOf([rule('s', 'in_list("bad_ips", tx.ip)', 'shadow')])).toEqual(['ip']);
    expect(kindsOf([rule('d', 'in_list("bad_ips", tx.ip)', 'disabled')])).toEqual([]);
  });

  it('reads every kind when an in_list call is not of the shape compile enforces', () => {
    const odd = {
      op: 'call',
      args: [
        'in_list',
        [
          { op: 'value', args: 'x' },
          { op: 'id', args: 'y' },
        ],
      ],
    };
    expect(referencedListKinds([odd])).toEqual(LIST_KINDS);
  });
});
