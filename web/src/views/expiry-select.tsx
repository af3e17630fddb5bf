/** How long a list item lasts: never, 1/7/30/90 days, or until a date (a date field appears). */
import { For, Show, type JSX } from 'solid-js';
import {
  EXPIRY_CHOICES,
  EXPIRY_LABELS,
  isExpiryChoice,
  type ExpiryChoice,
} from '../stores/expiry.js';

export interface ExpirySelectProps {
  readonly choice: ExpiryChoice;
  readonly onChoice: (c: ExpiryChoice) => void;
  readonly date: string;
  readonly onDate: (d: string) => void;
  readonly testid: string;
  readonly label?: string;
}

export function ExpirySelect(props: ExpirySelectProps): JSX.Element {
  return (
    <span class="expiry-select">
      <label class="field-inline">
        {props.label ?? 'Expires'}
        <select
          data-testid={props.testid}
          value={props.choice}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (isExpiryChoice(v)) props.onChoice(v);
          }}
        >
          <For each={EXPIRY_CHOICES}>{(c) => <option value={c}>{EXPIRY_LABELS[c]}</option>}</For>
        </select>
      </label>
      <Show when={props.choice === 'date'}>
        <input
          type="date"
          aria-label="Expiry date (UTC)"
          data-testid={`${props.testid}-date`}
          value={props.date}
          onInput={(e) => props.onDate(e.currentTarget.value)}
        />
      </Show>
    </span>
  );
}
