/**
 * Where a resolved case's verdict stands at the edge — applied, pending (the backplane keeps it
 * and retries) or not applied, with the reason — so the dashboard never shows a silent "Resolved"
 * for a verdict the edge did not take. Shown in the case queue and the transaction drawer.
 */
import { Show, type JSX } from 'solid-js';
import type { VerdictDelivery } from '@vigil/core';
import { formatTime } from '../format/format.js';

/** The sentence for a delivery state (also the element's text). */
export function verdictDeliveryText(d: VerdictDelivery): string {
  switch (d.state) {
    case 'applied':
      return 'Applied at the edge';
    case 'pending': {
      const next = d.next_attempt_at ? `, next try ${formatTime(d.next_attempt_at)} UTC` : '';
      return `Pending — retrying (${d.attempts} ${d.attempts === 1 ? 'try' : 'tries'}${next})`;
    }
    case 'failed':
      return `Not applied: ${d.detail ?? 'the edge refused it'}`;
  }
}

export function VerdictDeliveryStatus(props: {
  delivery: VerdictDelivery | null | undefined;
}): JSX.Element {
  return (
    <Show when={props.delivery}>
      {(d) => (
        <span
          class={`verdict-delivery verdict-${d().state}`}
          data-testid="verdict-delivery"
          data-state={d().state}
          title={d().state === 'pending' && d().detail ? `Last try: ${d().detail}` : undefined}
        >
          {verdictDeliveryText(d())}
        </span>
      )}
    </Show>
  );
}
