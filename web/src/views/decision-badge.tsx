/** A decision as a coloured badge; the word is always there, so colour is never the only cue. */
import type { JSX } from 'solid-js';
import type { Decision } from '@vigil/core';

const LABELS: Record<Decision, string> = {
  approve: 'Approve',
  review: 'Review',
  decline: 'Decline',
};

export function DecisionBadge(props: { decision: Decision }): JSX.Element {
  return (
    <span class={`badge badge-${props.decision}`} data-decision={props.decision}>
      {LABELS[props.decision]}
    </span>
  );
}

/** A verdict (label) tag: fraud or legitimate. */
export function LabelTag(props: { label: 'fraud' | 'legitimate' | null }): JSX.Element {
  return (
    <>
      {props.label ? (
        <span class={`tag tag-${props.label}`}>{props.label === 'fraud' ? 'Fraud' : 'Legit'}</span>
      ) : null}
    </>
  );
}
