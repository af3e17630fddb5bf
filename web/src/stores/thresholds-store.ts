/**
 * The Thresholds page's data: the model version the edges serve and its thresholds in force
 * (GET /api/thresholds), the review and decline thresholds being tried — checked by core's schema
 * (0 ≤ review ≤ decline ≤ 1) and previewed over the stored decisions as they move (debounced, the
 * previous preview cancelled) — and applying them to that model version (PUT
 * /api/thresholds/{model_version}), after which every edge serving it decides with them.
 */
import { createSignal, type Accessor } from 'solid-js';
import {
  thresholdsSchema,
  type Thresholds,
  type ThresholdsList,
  type ThresholdsPreview,
  type ThresholdsPreviewRequest,
  type ThresholdsSetting,
} from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { errorMessage } from '../api/api-error.js';
import { checkWith } from '../api/schema-check.js';
import { DEFAULT_WINDOW, windowRange, type AnalysisWindow } from './analysis-window.js';
import { createLatestRequest, type RequestState } from './latest-request.js';

/** Quiet time after the last slider move before the preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 300;
/** Wait before asking again when a preview of this analyst is still running (429). */
export const PREVIEW_RETRY_MS = 1_000;

export interface ThresholdsStoreOptions {
  readonly client: Pick<ApiClient, 'getThresholds' | 'previewThresholds' | 'setThresholds'>;
  readonly now?: () => number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface ThresholdsStore {
  /** The model version the thresholds apply to: the one edges serve now (else the last set). */
  readonly modelVersion: Accessor<string | null>;
  /** What that version decides with now; null before the load or when nothing is known. */
  readonly inForce: Accessor<Thresholds | null>;
  readonly list: Accessor<ThresholdsList | null>;
  /** The thresholds being tried. */
  readonly draft: Accessor<Thresholds>;
  set(field: keyof Thresholds, value: number): void;
  readonly window: Accessor<AnalysisWindow>;
  setWindow(days: AnalysisWindow): void;
  /** Field errors of the draft by JSON Pointer (`/review`, `/decline`); the preview waits. */
  readonly fieldErrors: Accessor<Readonly<Record<string, string>>>;
  readonly previewState: Accessor<RequestState>;
  readonly preview: Accessor<ThresholdsPreview | null>;
  readonly previewError: Accessor<string | null>;
  readonly loadError: Accessor<string | null>;
  readonly applying: Accessor<boolean>;
  readonly applyError: Accessor<string | null>;
  /** The setting stored by the last apply. */
  readonly applied: Accessor<ThresholdsSetting | null>;
  load(): Promise<void>;
  /** Stores the draft for the model version; resolves to whether it was stored. */
  apply(): Promise<boolean>;
  /** Forgets everything (sign-out). */
  reset(): void;
  dispose(): void;
}

/** The version the edges serve now, else the one whose thresholds were set last. */
function servedVersion(list: ThresholdsList): { version: string; inForce: Thresholds } | null {
  const served = list.served[0];
  if (served) return { version: served.model_version, inForce: served.in_force };
  const set = list.items[0];
  return set
    ? { version: set.model_version, inForce: { review: set.review, decline: set.decline } }
    : null;
}

export function createThresholdsStore(opts: ThresholdsStoreOptions): ThresholdsStore {
  const { client } = opts;
  const now = opts.now ?? (() => Date.now());
  const [list, setList] = createSignal<ThresholdsList | null>(null);
  const [modelVersion, setModelVersion] = createSignal<string | null>(null);
  const [inForce, setInForce] = createSignal<Thresholds | null>(null);
  const [draft, setDraft] = createSignal<Thresholds>({ review: 0.5, decline: 0.9 });
  const [window, setWindowSignal] = createSignal<AnalysisWindow>(DEFAULT_WINDOW);
  const [fieldErrors, setFieldErrors] = createSignal<Readonly<Record<string, string>>>({});
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [applying, setApplying] = createSignal(false);
  const [applyError, setApplyError] = createSignal<string | null>(null);
  const [applied, setApplied] = createSignal<ThresholdsSetting | null>(null);
  const req = createLatestRequest<ThresholdsPreviewRequest, ThresholdsPreview>({
    send: (body, signal) => client.previewThresholds(body, signal),
    debounceMs: PREVIEW_DEBOUNCE_MS,
    retryMs: PREVIEW_RETRY_MS,
    ...(opts.setTimeout ? { setTimeout: opts.setTimeout } : {}),
    ...(opts.clearTimeout ? { clearTimeout: opts.clearTimeout } : {}),
  });

  /** The draft checked by core's schema; the preview follows it only when it passes. */
  const checked = (): Thresholds | null => {
    const c = checkWith(thresholdsSchema, draft());
    const errors: Record<string, string> = {};
    if (!c.ok) for (const i of c.issues) errors[i.path] ??= i.message;
    setFieldErrors(errors);
    return c.ok ? c.value : null;
  };

  const follow = (): void => {
    const t = checked();
    if (!t) {
      req.set(null);
      return;
    }
    const version = modelVersion();
    req.set({
      review: t.review,
      decline: t.decline,
      ...windowRange(window(), now()),
      ...(version !== null ? { model_version: version } : {}),
    });
  };

  async function load(): Promise<void> {
    try {
      const l = await client.getThresholds();
      setList(l);
      setLoadError(null);
      const served = servedVersion(l);
      // The draft starts at what is in force, once: a reload after Apply keeps what was tried.
      if (served && modelVersion() === null) setDraft(served.inForce);
      setModelVersion(served?.version ?? null);
      setInForce(served?.inForce ?? null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
    follow();
  }

  return {
    modelVersion,
    inForce,
    list,
    draft,
    set(field, value) {
      setDraft((d) => ({ ...d, [field]: value }));
      setApplyError(null);
      follow();
    },
    window,
    setWindow(days) {
      setWindowSignal(days);
      follow();
    },
    fieldErrors,
    previewState: req.state,
    preview: req.answer,
    previewError: req.message,
    loadError,
    applying,
    applyError,
    applied,
    load,
    async apply() {
      const version = modelVersion();
      const t = checked();
      if (applying() || !t) return false;
      if (version === null) {
        setApplyError('No model version is known yet: no edge has reported one.');
        return false;
      }
      setApplying(true);
      setApplyError(null);
      try {
        setApplied(await client.setThresholds(version, t));
      } catch (err) {
        setApplyError(errorMessage(err));
        return false;
      } finally {
        setApplying(false);
      }
      await load();
      return true;
    },
    reset() {
      req.set(null);
      setList(null);
      setModelVersion(null);
      setInForce(null);
      setApplied(null);
      setApplyError(null);
      setLoadError(null);
    },
    dispose: () => req.dispose(),
  };
}
