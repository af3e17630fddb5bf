/**
 * The traffic panel: the simulated checkout traffic the backplane sends to the edge (start/stop at
 * a rate), the handbook's fraud scenarios on demand, and single transactions with the edge's answer.
 */
import { createSignal, type Accessor } from 'solid-js';
import {
  MAX_TRAFFIC_RATE,
  type ScoreAnswer,
  type TrafficScenario,
  type TrafficState,
} from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { errorMessage } from '../api/api-error.js';
import type { TrafficKind } from '../api/types.js';
import { createPoller } from './poller.js';

export const MIN_RATE = 1;

/** One line per handbook scenario, as the inject buttons describe them. */
export const SCENARIOS: readonly { id: TrafficScenario; title: string; description: string }[] = [
  {
    id: 1,
    title: 'Large amounts',
    description: 'Any payment above 220 is fraud: a burst of unusually large payments.',
  },
  {
    id: 2,
    title: 'Compromised terminals',
    description: 'Every payment at a compromised terminal is fraud for the next 28 days.',
  },
  {
    id: 3,
    title: 'Compromised cards',
    description:
      "A third of a stolen card's payments over 14 days are five times its usual amount.",
  },
];

/** A rate within [MIN_RATE, MAX_TRAFFIC_RATE], whole transactions per second; null if not a number. */
export function clampRate(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return Math.min(MAX_TRAFFIC_RATE, Math.max(MIN_RATE, Math.round(value)));
}

export interface TrafficStoreOptions {
  readonly client: Pick<ApiClient, 'getTraffic' | 'setTraffic' | 'injectScenario' | 'sendOne'>;
  readonly intervalMs?: number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface TrafficStore {
  readonly state: Accessor<TrafficState | null>;
  /** The rate the form shows (the server's while running, the user's choice otherwise). */
  readonly rate: Accessor<number>;
  setRate(rate: number): void;
  readonly busy: Accessor<boolean>;
  readonly error: Accessor<string | null>;
  /** The last action's confirmation ("Scenario 2 injected"). */
  readonly notice: Accessor<string | null>;
  readonly answer: Accessor<{ kind: TrafficKind; answer: ScoreAnswer } | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
  inject(scenario: TrafficScenario): Promise<void>;
  sendOne(kind: TrafficKind): Promise<void>;
  /** Starts/stops polling GET /api/traffic (every 2 s). */
  startPolling(): void;
  stopPolling(): void;
  reset(): void;
}

export function createTrafficStore(opts: TrafficStoreOptions): TrafficStore {
  const [state, setState] = createSignal<TrafficState | null>(null);
  const [rate, setRateSignal] = createSignal(100);
  const [rateTouched, setRateTouched] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [answer, setAnswer] = createSignal<{ kind: TrafficKind; answer: ScoreAnswer } | null>(null);

  function take(s: TrafficState): void {
    setState(s);
    if (!rateTouched() && s.rate > 0) setRateSignal(clampRate(s.rate) ?? rate());
  }

  const poller = createPoller({
    intervalMs: opts.intervalMs ?? 2000,
    tick: async () => {
      try {
        take(await opts.client.getTraffic());
      } catch (err) {
        setError(`Traffic state unavailable: ${errorMessage(err)}`);
      }
    },
    ...(opts.setTimeout ? { setTimeout: opts.setTimeout } : {}),
    ...(opts.clearTimeout ? { clearTimeout: opts.clearTimeout } : {}),
  });

  async function act(what: () => Promise<string | null>): Promise<void> {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await what());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function setRunning(running: boolean): Promise<void> {
    await act(async () => {
      const r = rate();
      const s = await opts.client.setTraffic(running, r);
      take(s ?? (await opts.client.getTraffic()));
      setRateTouched(false);
      return running ? `Traffic running at ${r}/s.` : 'Traffic stopped.';
    });
  }

  return {
    state,
    rate,
    setRate(r) {
      const v = clampRate(r);
      if (v === null) return;
      setRateSignal(v);
      setRateTouched(true);
    },
    busy,
    error,
    notice,
    answer,
    start: () => setRunning(true),
    stop: () => setRunning(false),
    inject: (scenario) =>
      act(async () => {
        const r = await opts.client.injectScenario(scenario);
        if (!r) return `Scenario ${scenario} injected.`;
        return `Scenario ${scenario} injected: ${r.description} — ${r.frauds} fraudulent, ${r.flagged} flagged by the edge.`;
      }),
    sendOne: (kind) =>
      act(async () => {
        setAnswer(null);
        const a = await opts.client.sendOne(kind);
        setAnswer({ kind, answer: a });
        return null;
      }),
    startPolling: () => poller.start(),
    stopPolling: () => poller.stop(),
    reset() {
      poller.stop();
      setState(null);
      setAnswer(null);
      setError(null);
      setNotice(null);
      setRateTouched(false);
    },
  };
}
