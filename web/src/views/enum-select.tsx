/** A select over a fixed set of words (a rule's action or mode), typed by that set. */
import { For, type JSX } from 'solid-js';

export interface EnumSelectProps<T extends string> {
  readonly values: readonly T[];
  readonly value: T;
  readonly onChange: (v: T) => void;
  readonly testid: string;
  /** For a `<label for>` elsewhere. */
  readonly id?: string;
  readonly ariaLabel?: string;
  readonly disabled?: boolean;
}

export function EnumSelect<T extends string>(props: EnumSelectProps<T>): JSX.Element {
  return (
    <select
      id={props.id}
      data-testid={props.testid}
      aria-label={props.ariaLabel}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => {
        const v = props.values.find((x) => x === e.currentTarget.value);
        if (v !== undefined) props.onChange(v);
      }}
    >
      <For each={props.values}>{(v) => <option value={v}>{v}</option>}</For>
    </select>
  );
}
