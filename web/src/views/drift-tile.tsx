/**
 * The drift tile: the champion's largest PSI (score and features) over the last drift window,
 * green below 0.1, amber from 0.1, red from 0.25, with the most drifting features — or why there
 * is none (no run yet, no training reference, no decisions in the window).
 */
import { For, Match, onCleanup, onMount, Switch, type JSX } from 'solid-js';
import { DRIFT_AMBER, DRIFT_RED, driftLevel, type DriftRun } from '@vigil/core';
import { featureLabel, formatCount, formatDateTime } from '../format/format.js';
import type { DriftStore } from '../stores/drift-store.js';

const LEVEL_TEXT = { ok: 'stable', amber: 'watch', red: 'act' } as const;

/** PSI to two decimals, three below 0.01 (a stable model's PSI is small). */
function formatPsi(psi: number): string {
  return psi < 0.01 ? psi.toFixed(3) : psi.toFixed(2);
}

/**
 * When the run shown was computed and when the next comes (the backplane's drift-schedule.ts):
 * without it a tile saying "no decisions" reads as the state now, not as of the last run.
 */
function when(run: DriftRun): string {
  const next =
    run.status === 'no_data'
      ? 'runs again within 5 minutes while there is no data, then hourly'
      : 'runs hourly, and at once on a promotion';
  return `Computed ${formatDateTime(run.computed_at)} · ${next}`;
}

function why(run: DriftRun): string {
  if (run.status === 'no_reference')
    return 'No reference: this model carries no training reference';
  return 'No decisions of the champion in the window';
}

export function DriftTile(props: { drift: DriftStore }): JSX.Element {
  onMount(() => onCleanup(props.drift.watch()));
  const latest = (): DriftRun | null => props.drift.drift()?.latest ?? null;
  return (
    <section
      class="panel drift-tile"
      data-testid="drift-tile"
      data-level={latest()?.level ?? 'none'}
      aria-labelledby="drift-heading"
    >
      <div class="section-head">
        <h2 id="drift-heading">Model drift</h2>
        <span class="muted" title={`PSI: watch at ${DRIFT_AMBER}, act at ${DRIFT_RED}`}>
          PSI vs training
        </span>
      </div>
      <Switch fallback={<p class="muted">{props.drift.error() ?? 'No drift run yet.'}</p>}>
        <Match when={latest()?.status === 'ok' ? latest() : null}>
          {(run) => (
            <>
              <p class="drift-value">
                <span class={`drift-badge drift-${run().level ?? 'ok'}`} data-testid="drift-level">
                  {formatPsi(run().max_psi ?? 0)} · {LEVEL_TEXT[run().level ?? 'ok']}
                </span>
                <span class="muted">
                  score {formatPsi(run().score_psi ?? 0)} · {formatCount(run().rows)} decisions of{' '}
                  <span class="mono">{run().model_version}</span>
                </span>
              </p>
              <ol class="drift-top" data-testid="drift-top">
                <For each={props.drift.drift()?.top ?? []}>
                  {(f) => (
                    <li>
                      <span>{featureLabel(f.feature)}</span>
                      <span class={`mono drift-${driftLevel(f.psi)}`}>{formatPsi(f.psi)}</span>
                    </li>
                  )}
                </For>
              </ol>
              <p class="muted" data-testid="drift-when">
                {when(run())}
              </p>
            </>
          )}
        </Match>
        <Match when={latest()}>
          {(run) => (
            <>
              <p class="muted" data-testid="drift-none">
                {why(run())}
                {run().model_version ? ` (${run().model_version})` : ''}.
              </p>
              <p class="muted" data-testid="drift-when">
                {when(run())}
              </p>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
