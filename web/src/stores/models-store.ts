/**
 * The Models page's data: the registry and the committed default (`default`, what the edges serve
 * while no registered model is champion), champion vs challenger over their stored decisions in
 * the last 7 or 30 days, and the lifecycle changes (challenge, promote, roll back, retire). Every
 * change reloads the list (a promotion moves two models), and its refusal is shown until the next.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { DefaultModelEntry, ModelCompare, RegisteredModel } from '@vigil/core';
import type { ApiClient, ModelAction } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';

/** The compare windows the page offers, in days. */
export const COMPARE_DAYS = [7, 30] as const;
export type CompareDays = (typeof COMPARE_DAYS)[number];
const DAY_MS = 86_400_000;
/** Wait before comparing again when another long read of this analyst runs (429), and how often. */
export const COMPARE_RETRY_MS = 1_000;
const COMPARE_TRIES = 5;

export interface ModelsStoreOptions {
  readonly client: Pick<ApiClient, 'listModels' | 'compareModels' | 'changeModel'>;
  readonly now?: () => Date;
  /** Waits `ms` (tests pass an instant one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ModelsStore {
  readonly models: Accessor<readonly RegisteredModel[]>;
  /** The committed default's entry; null until the registry is loaded. */
  readonly defaultModel: Accessor<DefaultModelEntry | null>;
  /** The registered champion; null while the committed default is served. */
  readonly champion: Accessor<RegisteredModel | null>;
  readonly challenger: Accessor<RegisteredModel | null>;
  /**
   * The champion's version as the compare route knows it: the registered champion's, else the
   * committed default's own version (its decisions carry it); null when neither can be compared.
   */
  readonly comparedChampion: Accessor<string | null>;
  /** What every edge is told to serve: the registered champion, else the committed default. */
  readonly served: Accessor<RegisteredModel | DefaultModelEntry | null>;
  /** The champion before the current one (a registered model or the default): what "roll back" promotes. */
  readonly previous: Accessor<RegisteredModel | DefaultModelEntry | null>;
  readonly loading: Accessor<boolean>;
  /** Why the last load failed. */
  readonly error: Accessor<string | null>;
  readonly days: Accessor<CompareDays>;
  readonly compare: Accessor<ModelCompare | null>;
  readonly compareError: Accessor<string | null>;
  /** Why the last change failed, until the next one. */
  readonly changeError: Accessor<string | null>;
  /** The version a change is waiting for. */
  readonly pending: Accessor<string | null>;
  load(): Promise<void>;
  setDays(days: CompareDays): Promise<void>;
  change(version: string, action: ModelAction): Promise<boolean>;
  /** Promote the previous champion; false when there is none or the server refused. */
  rollBack(): Promise<boolean>;
  reset(): void;
}

export function createModelsStore(opts: ModelsStoreOptions): ModelsStore {
  const { client } = opts;
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const [models, setModels] = createSignal<readonly RegisteredModel[]>([]);
  const [defaultModel, setDefaultModel] = createSignal<DefaultModelEntry | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [days, setDaysSignal] = createSignal<CompareDays>(7);
  const [compare, setCompare] = createSignal<ModelCompare | null>(null);
  const [compareError, setCompareError] = createSignal<string | null>(null);
  const [changeError, setChangeError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal<string | null>(null);
  let seq = 0;

  const byStatus = (status: RegisteredModel['status']) => (): RegisteredModel | null =>
    models().find((m) => m.status === status) ?? null;
  const champion = byStatus('champion');
  const challenger = byStatus('challenger');
  const comparedChampion = (): string | null =>
    champion()?.version ?? defaultModel()?.model_version ?? null;
  const served = (): RegisteredModel | DefaultModelEntry | null =>
    champion() ?? (defaultModel()?.status === 'champion' ? defaultModel() : null);
  // The backplane marks one at most: a registered model, or the default when it was replaced.
  const previous = (): RegisteredModel | DefaultModelEntry | null =>
    models().find((m) => m.previous_champion) ??
    (defaultModel()?.previous_champion ? defaultModel() : null);

  async function loadCompare(mySeq: number): Promise<void> {
    // The committed default is compared by the version its decisions carry (its metadata's), the
    // one the compare route reads from the stored decisions; without it there is nothing to read.
    const a = comparedChampion();
    const b = challenger();
    if (!a || !b) {
      setCompare(null);
      setCompareError(null);
      return;
    }
    const to = now();
    for (let tries = 1; ; tries++) {
      try {
        const answer = await client.compareModels({
          champion: a,
          challenger: b.version,
          from: new Date(to.getTime() - days() * DAY_MS).toISOString(),
          to: to.toISOString(),
        });
        if (mySeq !== seq) return;
        setCompare(answer);
        setCompareError(null);
        return;
      } catch (err) {
        if (mySeq !== seq) return;
        // A comparison is one long read per analyst with backtests and previews (an earlier
        // comparison of a reload or another window included): ask again once it has ended.
        if (err instanceof ApiError && err.status === 429 && tries < COMPARE_TRIES) {
          await sleep(err.retryAfterMs ?? COMPARE_RETRY_MS);
          if (mySeq !== seq) return;
          continue;
        }
        setCompare(null);
        setCompareError(errorMessage(err));
        return;
      }
    }
  }

  async function load(): Promise<void> {
    const mySeq = ++seq;
    setLoading(true);
    try {
      const list = await client.listModels();
      if (mySeq !== seq) return;
      setModels(list.items);
      setDefaultModel(list.default);
      setError(null);
      await loadCompare(mySeq);
    } catch (err) {
      if (mySeq === seq) setError(errorMessage(err));
    } finally {
      if (mySeq === seq) setLoading(false);
    }
  }

  async function change(version: string, action: ModelAction): Promise<boolean> {
    if (pending() !== null) return false;
    setPending(version);
    setChangeError(null);
    try {
      await client.changeModel(version, action);
      return true;
    } catch (err) {
      setChangeError(errorMessage(err));
      return false;
    } finally {
      setPending(null);
      // Refused or not, the registry is shown as it now is.
      await load();
    }
  }

  return {
    models,
    defaultModel,
    champion,
    challenger,
    comparedChampion,
    served,
    previous,
    loading,
    error,
    days,
    compare,
    compareError,
    changeError,
    pending,
    load,
    async setDays(d) {
      setDaysSignal(d);
      await loadCompare(++seq);
    },
    change,
    async rollBack() {
      const p = previous();
      if (!p) {
        setChangeError('There is no previous champion to roll back to.');
        return false;
      }
      return change(p.version, 'promote');
    },
    reset() {
      seq++;
      setModels([]);
      setDefaultModel(null);
      setCompare(null);
      setError(null);
      setCompareError(null);
      setChangeError(null);
      setPending(null);
      setLoading(false);
    },
  };
}
