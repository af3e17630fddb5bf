/**
 * The Worker's side of the FeatureState Durable Object: core's FeatureStore port as one RPC per
 * call to its one instance. Stubs are made per call: a stub belongs to the request that made it,
 * and this object outlives requests (it is built once per isolate).
 */
import type {
  FeatureStore,
  LabelBatchOutcome,
  ListChange,
  StepOptions,
  StepOutcome,
  StoreLabel,
  StoreTransaction,
} from '@vigil/core';

/** The store's one instance. */
export const FEATURE_STATE_NAME = 'global';

/** The FeatureState object's methods, as its stubs offer them (feature-state.ts implements it). */
export interface FeatureStateRpc {
  step(txs: readonly StoreTransaction[], options?: StepOptions): Promise<unknown>;
  saveAnswers(answers: readonly { transactionId: string; answer: string }[]): Promise<unknown>;
  label(labels: readonly StoreLabel[]): Promise<unknown>;
  applyListChanges(changes: readonly ListChange[], cursor?: string): Promise<unknown>;
  listCursor(): Promise<string | null> | string | null;
  stats(): Promise<{ records: number }> | { records: number };
}

/**
 * What the client needs of the FEATURE_STATE binding, structurally: the Worker's
 * DurableObjectNamespace<FeatureState> has it, and so has Miniflare's proxy of it in Node tests.
 */
export interface FeatureStateNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): FeatureStateRpc;
}

export class DurableFeatureStore implements FeatureStore {
  constructor(
    private readonly ns: FeatureStateNamespace,
    private readonly name: string = FEATURE_STATE_NAME,
  ) {}

  private stub() {
    return this.ns.get(this.ns.idFromName(this.name));
  }

  // The replies are structured clones of what the object's memory store returned (typed arrays
  // included); the casts only undo the RPC types' wrapping.
  async step(txs: readonly StoreTransaction[], options?: StepOptions): Promise<StepOutcome[]> {
    return (await this.stub().step(txs, options)) as StepOutcome[];
  }

  async saveAnswers(
    answers: readonly { readonly transactionId: string; readonly answer: string }[],
  ): Promise<void> {
    await this.stub().saveAnswers(answers);
  }

  async label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome> {
    return (await this.stub().label(labels)) as LabelBatchOutcome;
  }

  async applyListChanges(changes: readonly ListChange[], cursor?: string): Promise<void> {
    await this.stub().applyListChanges(changes, cursor);
  }

  /** The object's cursor: null after it restarted (lists are not journalled), so a full sync follows. */
  async listCursor(): Promise<string | null> {
    return await this.stub().listCursor();
  }

  /** Wake the object (it loads its state) before the first request depends on it. */
  async warm(): Promise<number> {
    return (await this.stub().stats()).records;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
