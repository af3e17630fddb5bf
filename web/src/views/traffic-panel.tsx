/**
 * The traffic panel: simulated checkout traffic at a chosen rate, the handbook's fraud scenarios,
 * and one transaction at a time with the edge's answer.
 */
import { MAX_TRAFFIC_RATE } from '@vigil/core';
import { For, Show, type JSX } from 'solid-js';
import type { TrafficStore } from '../stores/traffic-store.js';
import { MIN_RATE, SCENARIOS } from '../stores/traffic-store.js';
import {
  formatContribution,
  formatCount,
  formatCountOf,
  formatRate,
  formatScore,
  reasonMessage,
} from '../format/format.js';
import { DecisionBadge } from './decision-badge.js';

export interface TrafficPanelProps {
  readonly traffic: TrafficStore;
  readonly txHref: (transactionId: string) => string;
}

export function TrafficPanel(props: TrafficPanelProps): JSX.Element {
  const t = props.traffic;
  const running = (): boolean => t.state()?.running ?? false;

  const stateText = (): string => {
    const s = t.state();
    if (!s) return 'Traffic state unknown.';
    const counts = `${formatCount(s.sent)} sent · ${formatCountOf(s.errors, 'error')}`;
    return s.running ? `Running at ${formatRate(s.rate)} · ${counts}` : `Stopped · ${counts}`;
  };

  return (
    <section class="panel traffic" aria-labelledby="traffic-heading" data-testid="traffic-panel">
      <div class="panel-head">
        <h2 id="traffic-heading">Traffic</h2>
      </div>
      <p
        class={`traffic-state ${running() ? 'is-running' : ''}`}
        data-testid="traffic-state"
        data-running={running()}
      >
        {stateText()}
      </p>
      <form
        class="traffic-form"
        onSubmit={(e) => {
          e.preventDefault();
          void t.start();
        }}
      >
        <label for="traffic-rate">
          Rate (transactions per second, {MIN_RATE}–{formatCount(MAX_TRAFFIC_RATE)})
        </label>
        <div class="row">
          <input
            id="traffic-rate"
            type="number"
            inputMode="numeric"
            min={MIN_RATE}
            max={MAX_TRAFFIC_RATE}
            step={1}
            required
            data-testid="traffic-rate"
            value={t.rate()}
            onChange={(e) => {
              t.setRate(e.currentTarget.valueAsNumber);
              e.currentTarget.value = String(t.rate());
            }}
          />
          <input
            type="range"
            aria-label="Rate"
            min={MIN_RATE}
            max={MAX_TRAFFIC_RATE}
            step={1}
            value={t.rate()}
            onInput={(e) => t.setRate(e.currentTarget.valueAsNumber)}
          />
        </div>
        <div class="row">
          <button
            type="submit"
            class="btn btn-primary"
            data-testid="traffic-start"
            disabled={t.busy()}
          >
            {running() ? 'Apply rate' : 'Start'}
          </button>
          <button
            type="button"
            class="btn"
            data-testid="traffic-stop"
            disabled={t.busy() || !running()}
            onClick={() => void t.stop()}
          >
            Stop
          </button>
        </div>
      </form>

      <h3>Inject a fraud scenario</h3>
      <ul class="scenario-list">
        <For each={SCENARIOS}>
          {(s) => (
            <li>
              <button
                type="button"
                class="btn"
                data-testid={`inject-scenario-${s.id}`}
                aria-describedby={`scenario-desc-${s.id}`}
                disabled={t.busy()}
                onClick={() => void t.inject(s.id)}
              >
                Scenario {s.id}: {s.title}
              </button>
              <p class="muted" id={`scenario-desc-${s.id}`}>
                {s.description}
              </p>
            </li>
          )}
        </For>
      </ul>

      <h3>Send one transaction</h3>
      <div class="row">
        <button
          type="button"
          class="btn"
          data-testid="send-normal"
          disabled={t.busy()}
          onClick={() => void t.sendOne('normal')}
        >
          Send a normal one
        </button>
        <button
          type="button"
          class="btn"
          data-testid="send-fraud"
          disabled={t.busy()}
          onClick={() => void t.sendOne('fraud')}
        >
          Send a fraud-like one
        </button>
      </div>

      <div aria-live="polite">
        <Show when={t.notice()}>
          {(n) => (
            <p class="notice" data-testid="traffic-notice">
              {n()}
            </p>
          )}
        </Show>
        <Show when={t.error()}>
          {(e) => (
            <p class="inline-error" role="alert" data-testid="traffic-error">
              {e()}
            </p>
          )}
        </Show>
        <Show when={t.answer()}>
          {(a) => (
            <div class="answer" data-testid="send-answer" data-decision={a().answer.decision}>
              <p>
                {a().kind === 'fraud' ? 'Fraud-like' : 'Normal'} transaction{' '}
                <a class="mono" href={props.txHref(a().answer.transaction_id)}>
                  {a().answer.transaction_id}
                </a>
                : <DecisionBadge decision={a().answer.decision} /> score{' '}
                <span class="mono">{formatScore(a().answer.score)}</span>
                {a().answer.degraded ? ' · degraded' : ''}
                {a().answer.replayed ? ' · replayed' : ''}
              </p>
              <Show when={a().answer.reasons.length > 0}>
                <ul class="plain-list">
                  <For each={a().answer.reasons}>
                    {(r) => (
                      <li>
                        <code>{r.code}</code> {reasonMessage(r.code)}{' '}
                        <span class="muted mono">({formatContribution(r.contribution)})</span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <p class="muted">
                Model <span class="mono">{a().answer.model_version}</span>
              </p>
            </div>
          )}
        </Show>
      </div>
    </section>
  );
}
