/** The look-back window of a backtest or preview: the last 7, 30 or 90 days. */
import { For, type JSX } from 'solid-js';
import { ANALYSIS_WINDOWS, type AnalysisWindow } from '../stores/analysis-window.js';

export function WindowSelect(props: {
  value: AnalysisWindow;
  onChange: (days: AnalysisWindow) => void;
  testid: string;
}): JSX.Element {
  return (
    <label class="window-select">
      <span class="muted">Over the last</span>{' '}
      <select
        data-testid={props.testid}
        value={String(props.value)}
        onChange={(e) => {
          const d = ANALYSIS_WINDOWS.find((w) => String(w) === e.currentTarget.value);
          if (d !== undefined) props.onChange(d);
        }}
      >
        <For each={ANALYSIS_WINDOWS}>{(w) => <option value={String(w)}>{w} days</option>}</For>
      </select>
    </label>
  );
}
