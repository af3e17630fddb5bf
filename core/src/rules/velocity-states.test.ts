import { describe, expect, it } from 'vitest';
import { compileRuleset } from './compile.js';
import type { RuleMode } from './rules-contract.js';
import { VELOCITY_STATES, type VelocityStateKind } from './velocity-names.js';
import { referencedVelocityStates } from './velocity-states.js';

/** The velocity states of a ruleset of these expressions, every rule in `mode`. */
function statesOf(expressions: readonly string[], mode: RuleMode = 'active') {
  const rules = expressions.map((expression, i) => ({
    id: `r${i}`,
    name: `rule ${i}`,
    description: '',
    expression,
    action: 'review' as const,
    mode,
  }));
  const r = compileRuleset({ version: 1, rules }, []);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.compiled.velocityStates;
}

describe('velocityStates of a compiled ruleset', () => {
  it.each<[string, readonly string[], readonly VelocityStateKind[]]>([
    ['no rule', [], []],
    ['no velocity', ['tx.amount > 500.0 && score > 0.5'], []],
    ['one IP counter', ['velocity.ip_tx_1h > 3.0'], ['ip']],
    [
      'the card and the device, in VELOCITY_STATES order, once each',
      [
        'tx.amount > 1.0 && velocity.customer_countries_30d > 2.0',
        '[1.0].exists(x, velocity.device_customers_24h > x)',
        'velocity.device_tx_1h > 9.0 || velocity.customer_devices_30d > 3.0',
      ],
      ['device', 'customer'],
    ],
    ['every state when velocity is indexed', ['velocity["ip_tx_1h"] > 3.0'], VELOCITY_STATES],
  ])('%s', (_, expressions, want) => {
    expect(statesOf(expressions)).toEqual(want);
  });

  it('counts shadow rules (they run) but not disabled ones (they do not)', () => {
    expect(statesOf(['velocity.ip_customers_24h > 3.0'], 'shadow')).toEqual(['ip']);
    expect(statesOf(['velocity.ip_customers_24h > 3.0'], 'disabled')).toEqual([]);
  });

  it('reads every state for a counter it does not know (a newer AST or name)', () => {
    const odd = { op: '.', args: [{ op: 'id', args: 'velocity' }, 'email_tx_1h'] };
    expect(referencedVelocityStates([odd])).toEqual(VELOCITY_STATES);
  });
});
