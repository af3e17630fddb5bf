/**
 * The model registry's contract (ARCHITECTURE.md "Models"; issue 18): the analysts' routes under
 * /api/models, the models an edge learns in its rules sync, and the signed internal route an edge
 * fetches a model's artifact from. One definition for the backplane that validates and stores,
 * the edge that loads, and the dashboard that lists, compares, promotes and retires.
 */
import * as z from 'zod/mini';
import type { Decision, Thresholds } from '../policy/decision.js';
import { modelVersionSchema, thresholdsSchema } from '../policy/thresholds-contract.js';
import { timestampSchema } from '../schema/event-time.js';
import { trainedModelMetadataSchema, type TrainedModelMetadata } from './model-metadata.js';

/**
 * A registered model's status. `candidate`: registered, not served (also a former champion, see
 * `previous_champion`); `challenger`: scored in shadow beside the champion on every transaction
 * (at most one); `champion`: what every edge decides with (at most one; none: the edges keep the
 * model they were deployed with); `retired`: kept for the record, never served again unless
 * challenged or promoted anew.
 */
export const MODEL_STATUSES = ['candidate', 'challenger', 'champion', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** The largest ONNX file the registry takes (decoded bytes): beyond it, 413 naming `/onnx`. */
export const MAX_MODEL_ONNX_BYTES = 16 * 1024 * 1024;

/**
 * The largest `POST /api/models` body: the ONNX file in base64 (4/3 of its bytes) plus metadata
 * (a drift reference of a few tens of KB) — anything larger is refused 413 before it is read.
 */
export const MAX_MODEL_REGISTER_BODY = Math.ceil((MAX_MODEL_ONNX_BYTES * 4) / 3) + 1024 * 1024;

/** A SHA-256 digest in lowercase hex, as the registry stores and the sync names it. */
export const sha256HexSchema = z
  .string()
  .check(z.regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'));

/**
 * `POST /api/models`'s body: the metadata exactly as `npm run train -- --in FILE` wrote it and the
 * ONNX file in standard base64. The metadata is validated by core's parseTrainedModelMetadata
 * (issues under `/metadata/...`); the ONNX must load in onnxruntime with core's input and output
 * names (`/onnx`).
 */
export const registerModelRequestSchema = z.strictObject(
  {
    metadata: z.unknown(),
    onnx: z
      .string('onnx must be the ONNX file in base64')
      .check(z.minLength(1, 'onnx must not be empty')),
  },
  'the body must be a JSON object { metadata, onnx }',
);
export type RegisterModelRequest = z.infer<typeof registerModelRequestSchema>;

/** `POST /api/models`'s answer: 201 for a new version, 200 for the same bytes again. */
export interface RegisterModelAnswer {
  readonly version: string;
  readonly status: ModelStatus;
}

/** `PUT /api/models/{version}/thresholds`'s body: `{ review, decline }` (core's thresholdsSchema). */
export const modelThresholdsRequestSchema = thresholdsSchema;

/** One model of the registry, as `GET /api/models` lists it and every lifecycle route answers it. */
export interface RegisteredModel {
  readonly version: string;
  readonly status: ModelStatus;
  /** When it was registered (RFC 3339 UTC) and by whom (the session subject, or 'api'). */
  readonly created_at: string;
  readonly created_by: string;
  /** The metadata's training window (UTC days, inclusive); validation and test follow it. */
  readonly training_window: { readonly start: string; readonly end: string };
  readonly validation_window: { readonly start: string; readonly end: string };
  readonly test_window: { readonly start: string; readonly end: string };
  /** Where the training data came from (`file`, `database`, `simulator`). */
  readonly source: TrainedModelMetadata['training']['source'];
  /** The metadata's metrics: validation (auc, ap, cp100) and test (plus rates and counts). */
  readonly metrics: TrainedModelMetadata['metrics'];
  /** The thresholds in force: those set for this version (the thresholds table), else its own. */
  readonly thresholds: Thresholds;
  /** True when `thresholds` were set through the API, false when they are the metadata's own. */
  readonly thresholds_set: boolean;
  readonly size_bytes: number;
  readonly sha256: string;
  /** The champion before the current one (a `candidate`): "roll back" = promote this one. */
  readonly previous_champion: boolean;
  /** When it last became champion; null if never. */
  readonly promoted_at: string | null;
}

/**
 * The version that names the model every edge was deployed with (`edge/model/`, the committed
 * default) in the registry's routes: `POST /api/models/default/promote` puts it back in service —
 * the champion steps down (a candidate marked `previous_champion`, the roll-back target) and the
 * rules sync says `champion: null`, on which every edge serves its deployed model. The backplane
 * holds no copy of it (each edge carries its own), so it can be promoted, never challenged,
 * retired or registered: a registration under this version is refused.
 */
export const DEFAULT_MODEL_VERSION = 'default';

/** A model's window of UTC days (inclusive), as its metadata names it. */
export interface ModelWindow {
  readonly start: string;
  readonly end: string;
}

/** The committed default's metadata metrics: validation and test (auc, ap, cp100). */
export interface DeployedModelMetrics {
  readonly validation: { readonly auc: number; readonly ap: number; readonly cp100: number };
  readonly test: { readonly auc: number; readonly ap: number; readonly cp100: number };
}

/** The committed default model in `GET /api/models`: champion exactly when no registry model is. */
export interface DefaultModelEntry {
  readonly version: typeof DEFAULT_MODEL_VERSION;
  readonly status: Extract<ModelStatus, 'champion' | 'candidate'>;
  /** The roll-back target: the champion replaced it (or the model it replaced was retired). */
  readonly previous_champion: boolean;
  /**
   * The deployed model's own version (its metadata in `edge/model/`), which its decisions carry
   * as `model_version`; null when the backplane was deployed without that file.
   */
  readonly model_version: string | null;
  /** The thresholds in force for it (set for `model_version`, else its metadata's); null with it. */
  readonly thresholds: Thresholds | null;
  /** True when `thresholds` were set through the API, false when they are its metadata's own. */
  readonly thresholds_set: boolean;
  /** Its metadata's training and validation windows; null without the file. */
  readonly training_window: ModelWindow | null;
  readonly validation_window: ModelWindow | null;
  /** Its metadata's metrics (the test window's shown in the list); null without the file. */
  readonly metrics: DeployedModelMetrics | null;
}

/** `GET /api/models`: every model, the newest registration first, and the committed default. */
export interface ModelList {
  readonly items: readonly RegisteredModel[];
  readonly default: DefaultModelEntry;
}

/** A model as the rules sync names it: the edge loads it by version, keeps it by digest. */
export const modelRefSchema = z.strictObject({
  version: modelVersionSchema,
  sha256: sha256HexSchema,
});
export type ModelRef = z.infer<typeof modelRefSchema>;

/**
 * What the registry says every edge should serve, in the rules sync answer's `models`. `champion`
 * null: the registry has none — the edge serves the model it was deployed with (`edge/model/`).
 * `challenger` null: none is scored in shadow.
 */
export const syncedModelsSchema = z.strictObject({
  champion: z.nullable(modelRefSchema),
  challenger: z.nullable(modelRefSchema),
  /**
   * The thresholds set (PUT /api/thresholds/{model_version}) for every version this answer or its
   * request names — the champion, the challenger, the models the edge has loaded and its deployed
   * one — read in the same statement as the champion and challenger; a version absent has none set
   * (it decides with its metadata's own). Why in the same answer: an edge switches to a newly named
   * champion as soon as its session is ready, and must decide with the thresholds in force for it
   * from its first answer, not with its metadata's until the next sync names it (issue 18's
   * finding: a second of decisions with thresholds nobody chose after every promotion).
   * Optional only so a backplane from before it still syncs.
   */
  thresholds: z.optional(z.record(modelVersionSchema, thresholdsSchema)),
});
export type SyncedModels = z.infer<typeof syncedModelsSchema>;

/**
 * The registry models an edge has loaded, in the rules sync request's `models` (null: none, it
 * serves its deployed model / scores no challenger). Optional in the request: only an edge that
 * sends it gets `models` in the answer, so an edge from before the registry, whose answer schema
 * is strict, still syncs.
 */
export const loadedModelsSchema = z.strictObject({
  champion: z.nullable(modelVersionSchema),
  challenger: z.nullable(modelVersionSchema),
  /**
   * The version of the model the edge was deployed with (served when the registry names no
   * champion): named so the answer's `thresholds` carry its set thresholds for a roll-back to it.
   */
  deployed: z.optional(modelVersionSchema),
});
export type LoadedModels = z.infer<typeof loadedModelsSchema>;

/**
 * `GET /internal/models/{version}` (core's modelArtifactPath), signed with VIGIL_EVENTS_SECRET as
 * the rules sync is, the signed "body" being the request path exactly as sent (a GET has no
 * body): `X-Vigil-Signature: signBody(hmac, secret, path, now)`. The answer is the whole
 * artifact; the edge checks `sha256` against the decoded bytes (and the digest the sync named)
 * before it builds a session. Unsigned or wrongly signed → 401; unknown version → 404.
 */
export const modelArtifactSchema = z.strictObject({
  version: modelVersionSchema,
  sha256: sha256HexSchema,
  metadata: trainedModelMetadataSchema,
  /** The ONNX file in standard base64. */
  onnx: z.base64('onnx must be base64'),
});
export type ModelArtifact = z.infer<typeof modelArtifactSchema>;

/** `GET /api/models/compare`'s query: two versions and the window on `scored_at` (default 30 days). */
export const modelCompareQuerySchema = z.strictObject({
  champion: modelVersionSchema,
  challenger: modelVersionSchema,
  from: z.optional(timestampSchema),
  to: z.optional(timestampSchema),
});
export type ModelCompareQuery = z.infer<typeof modelCompareQuerySchema>;

/** One model's metrics over the compared decisions. Null where undefined (one class only). */
export interface CompareMetrics {
  /** ROC AUC over the labelled decisions (ties count ½). */
  readonly auc: number | null;
  /** Average precision over the labelled decisions. */
  readonly ap: number | null;
  /** Card precision at 100: per UTC day the 100 cards with the highest score, averaged over days. */
  readonly cp_at_100: number | null;
  /** Share of the evaluated decisions that are review or decline. */
  readonly alert_rate: number | null;
}

/** One scored pair: what each model said of one transaction. */
export interface ModelOpinion {
  readonly score: number;
  readonly decision: Decision;
}

/** A transaction the two models decided differently. */
export interface CompareDisagreement {
  readonly transaction_id: string;
  /** The champion's model alone: its stored score and its thresholds in force (core's decide). */
  readonly champion: ModelOpinion;
  readonly challenger: ModelOpinion;
  /** What Vigil answered (the stored decision: rules and lists included), for context. */
  readonly stored_decision: Decision;
  readonly label: 'fraud' | 'legitimate' | null;
}

/** The most disagreements a compare answer lists (the highest score gap first). */
export const MAX_COMPARE_DISAGREEMENTS = 50;

/**
 * `GET /api/models/compare`'s answer over the stored decisions of `champion` (their
 * `model_version`) in the window that carry a challenger score by `challenger`.
 */
export interface ModelCompare {
  readonly window: { readonly from: string; readonly to: string };
  readonly champion_version: string;
  readonly challenger_version: string;
  /** Decisions scored by both. */
  readonly evaluated: number;
  /** Of them, labelled now (fraud or legitimate): what the ranking metrics are computed on. */
  readonly labelled: number;
  /** The thresholds in force for the champion's version: its model decisions are derived with them. */
  readonly champion_thresholds: Thresholds;
  readonly champion: CompareMetrics;
  readonly challenger: CompareMetrics;
  /**
   * Why AUC and AP are absent although decisions are labelled: only one class among the labels
   * ("no legitimate labels in the window: AUC and AP cannot rank", or no fraud labels); else null.
   */
  readonly ranking_warning: string | null;
  /** Share of the evaluated decisions on which both models decided the same; null when none. */
  readonly agreement: number | null;
  readonly disagreements: readonly CompareDisagreement[];
}
