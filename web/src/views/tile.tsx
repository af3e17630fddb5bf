/** One KPI tile: a label, a value (with an optional tooltip) and a line under it. */
import { Show, type JSX } from 'solid-js';

export function Tile(props: {
  testid: string;
  label: string;
  value: string;
  sub?: JSX.Element;
  title?: string | null | undefined;
}): JSX.Element {
  return (
    <div class="tile" data-testid={props.testid}>
      <dt class="tile-label">{props.label}</dt>
      <dd class="tile-value" title={props.title ?? undefined}>
        {props.value}
      </dd>
      <Show when={props.sub}>
        <dd class="tile-sub">{props.sub}</dd>
      </Show>
    </div>
  );
}
