import {
  parseModelMetadata,
  parseTreeEnsemble,
  type HmacSha256,
  type ModelMetadata,
  type Scorer,
  type TreeEnsemble,
} from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import { MicroBatchScorer } from './micro-batch-scorer.js';
import { fetchArtifact, type ArtifactSource } from './model-artifacts.js';
import {
  ModelHolder,
  servedEntry,
  type ModelHolderDeps,
  type SessionFactory,
} from './model-holder.js';
import { createOrtScorer, type OrtScorer } from './ort-scorer.js';

/** The three committed model files as the runtime has them (read from disk, or bundled). */
export interface ModelFiles {
  /** vigil-model.onnx */
  readonly onnx: Uint8Array;
  /** vigil-model.json, parsed but not yet validated. */
  readonly metadata: unknown;
  /** vigil-model.trees.json, parsed but not yet validated. */
  readonly trees: unknown;
}

/** A validated model with its scorer: what createApp needs for `model` and `scorer`. */
export interface LoadedModel {
  readonly model: { readonly metadata: ModelMetadata; readonly ensemble: TreeEnsemble };
  readonly scorer: OrtScorer;
}

/**
 * Validate the model files with core's parsers (which fail loudly if the model was trained on
 * other features than this build computes) and create the one ORT session.
 */
export interface LoadOptions {
  /**
   * Share ORT runs between concurrent requests (MicroBatchScorer). For Node only: in a Worker a
   * promise created by one request must not be settled from another request's context, which is
   * exactly what a shared run does (workerd cancels such continuations).
   */
  readonly microBatch?: boolean;
}

export async function loadServedModel(
  files: ModelFiles,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const metadata = parseModelMetadata(files.metadata);
  const ensemble = parseTreeEnsemble(files.trees);
  if (ensemble.nFeatures !== metadata.feature_names.length) {
    throw new Error(
      `model ${metadata.version}: trees read ${ensemble.nFeatures} features, metadata names ` +
        `${metadata.feature_names.length}`,
    );
  }
  const session = await createOrtScorer({ model: files.onnx, metadata });
  const scorer = options.microBatch ? new MicroBatchScorer(session) : session;
  return { model: { metadata, ensemble }, scorer };
}

/** What a runtime needs to serve models from the registry beside its deployed one. */
export interface EdgeModelsOptions {
  /** Builds one ORT session; calls are serialised here (ORT initialises its Wasm once). */
  readonly createSession: SessionFactory;
  /** The backplane to fetch registry artifacts from; absent: the deployed model only. */
  readonly backplane?: { readonly url: string; readonly eventsSecret: string };
  readonly hmac?: HmacSha256;
  readonly log: Logger;
  /**
   * Start building the deployed model's session only once this settles (a Worker: after its first
   * response is made, so ORT's start-up shares no turn with that first payment). Default: at once.
   */
  readonly buildAfter?: Promise<unknown>;
  /** Told of each new champion/challenger pair once served (ModelHolderDeps.onServe). */
  readonly onServe?: ModelHolderDeps['onServe'];
}

/** The deployed model (cold start: its tree walk answers until ORT is ready) and the holder. */
export interface EdgeModels {
  readonly model: { readonly metadata: ModelMetadata; readonly ensemble: TreeEnsemble };
  readonly holder: ModelHolder;
  /** The deployed model's scorer (createApp's `scorer`). */
  readonly scorer: Scorer;
  /** Settles when the deployed model's session is built (true) or failed (false). */
  readonly warm: Promise<boolean>;
}

/**
 * Validate the deployed model files and start building its session without waiting for it: the
 * edge answers from its first request (with core's tree walk until the session is ready).
 */
export function createEdgeModels(files: ModelFiles, o: EdgeModelsOptions): EdgeModels {
  const metadata = parseModelMetadata(files.metadata);
  const ensemble = parseTreeEnsemble(files.trees);
  let queue: Promise<unknown> = Promise.resolve();
  const createSession: SessionFactory = (input) => {
    const run = queue.then(() => o.createSession(input));
    queue = run.catch(() => undefined);
    return run;
  };
  const after = o.buildAfter;
  const deployed = servedEntry(
    metadata,
    ensemble,
    files.onnx,
    after ? (input) => after.then(() => createSession(input)) : createSession,
    null,
  );
  deployed.scorer.ready.then(
    (ok) => {
      if (!ok) {
        o.log({
          level: 'error',
          msg: "model: the deployed model has no ORT session; core's tree walk answers",
          error: deployed.scorer.failure,
        });
      }
    },
    () => undefined,
  );
  const artifacts: ArtifactSource | undefined =
    o.backplane && o.hmac
      ? { backplaneUrl: o.backplane.url, secret: o.backplane.eventsSecret, hmac: o.hmac }
      : undefined;
  const holder = new ModelHolder({
    deployed,
    createSession,
    ...(artifacts ? { fetchArtifact: (ref) => fetchArtifact(artifacts, ref) } : {}),
    ...(o.onServe ? { onServe: o.onServe } : {}),
    log: o.log,
  });
  return {
    model: { metadata, ensemble },
    holder,
    scorer: deployed.scorer,
    warm: deployed.scorer.ready,
  };
}
