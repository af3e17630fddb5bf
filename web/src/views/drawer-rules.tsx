/**
 * The drawer's Rules section: the active rules that matched the transaction (the one that decided
 * first, by the precedence of ARCHITECTURE.md), the shadow rules that matched, and the ruleset
 * version the edge decided with.
 */
import { For, Show, type JSX } from 'solid-js';
import type { RuleAction, TransactionDetail } from '@vigil/core';

/** Which action decides when several matched: allow over block over review. */
const PRECEDENCE: readonly RuleAction[] = ['allow', 'block', 'review'];

const BADGE: Record<RuleAction, string> = {
  allow: 'badge-approve',
  review: 'badge-review',
  block: 'badge-decline',
};

/** The matched active rules, the deciding one first (stable within an action). */
export function byPrecedence(
  rules: TransactionDetail['rules'],
): TransactionDetail['rules'][number][] {
  return PRECEDENCE.flatMap((a) => rules.filter((r) => r.action === a));
}

/**
 * The rule that decided: the first by precedence — an allow or a block always decides; a review
 * rule only when the decision is review (it never lowers the model's decline).
 */
export function decidingRule(
  d: Pick<TransactionDetail, 'rules' | 'decision'>,
): TransactionDetail['rules'][number] | null {
  const first = byPrecedence(d.rules)[0];
  if (!first) return null;
  return first.action !== 'review' || d.decision === 'review' ? first : null;
}

export function DrawerRules(props: {
  d: Pick<TransactionDetail, 'rules' | 'shadow_rules' | 'ruleset_version' | 'decision'>;
}): JSX.Element {
  return (
    <section class="drawer-section" data-testid="drawer-rules">
      <h3>Rules</h3>
      <Show
        when={props.d.ruleset_version !== null}
        fallback={<p class="muted">Decided before rules existed.</p>}
      >
        <Show
          when={props.d.rules.length > 0}
          fallback={<p class="muted">No active rule matched.</p>}
        >
          <ul class="plain-list">
            <For each={byPrecedence(props.d.rules)}>
              {(r) => (
                <li data-testid="drawer-rule" data-rule-id={r.id} data-action={r.action}>
                  <span class={`badge ${BADGE[r.action]}`}>{r.action}</span>{' '}
                  <span class="mono">{r.id}</span>
                  {decidingRule(props.d) === r ? ' — decided' : ''}
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={props.d.shadow_rules.length > 0}>
          <p data-testid="drawer-shadow-rules">
            In shadow, also matched: <span class="mono">{props.d.shadow_rules.join(', ')}</span>
          </p>
        </Show>
        <p class="muted" data-testid="drawer-ruleset-version">
          Ruleset version {props.d.ruleset_version}
        </p>
      </Show>
    </section>
  );
}
