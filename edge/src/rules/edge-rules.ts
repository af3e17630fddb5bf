/**
 * The RulesKeeper as the edge runs it: core's compiler, starting with no rules.
 */
import {
  compileRuleset,
  type CompiledRuleset,
  type FeatureStore,
  type HmacSha256,
  type LoadedModels,
  type SyncedModels,
  type Thresholds,
} from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import type { ModelHolder } from '../scoring/model-holder.js';
import { EMPTY_RULES } from '../scoring/scoring-service.js';
import { RulesKeeper } from './rules-keeper.js';

export interface EdgeRulesOptions {
  readonly backplane: { readonly url: string; readonly eventsSecret: string };
  readonly hmac: HmacSha256;
  readonly store: FeatureStore;
  /** VIGIL_RULES_SYNC_MS. */
  readonly intervalMs: number;
  readonly log: Logger;
  /**
   * The served models: each sync names the champion (version and own thresholds: the backplane
   * answers the thresholds set for it) and the registry models loaded, and hands the registry's
   * answer to the holder.
   */
  readonly models?: ModelHolder;
  /** The backplane's fetch (tests play the backplane); the global one otherwise. */
  readonly fetch?: typeof fetch;
}

export function createEdgeRules(o: EdgeRulesOptions): RulesKeeper<CompiledRuleset> {
  return new RulesKeeper<CompiledRuleset>({
    backplaneUrl: o.backplane.url,
    secret: o.backplane.eventsSecret,
    hmac: o.hmac,
    store: o.store,
    compile: (ruleset, lists) => {
      const c = compileRuleset(ruleset, lists);
      if (c.ok) return { ok: true, compiled: c.compiled };
      return { ok: false, message: c.errors.map((e) => `${e.id}: ${e.message}`).join('; ') };
    },
    initial: EMPTY_RULES.current,
    intervalMs: o.intervalMs,
    log: o.log,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.models ? { model: championOf(o.models), models: withDeployed(o.models) } : {}),
  });
}

/** The champion as each sync names it: read at each sync, so a promotion is named at once. */
function championOf(holder: ModelHolder): { version: string; thresholds: Thresholds } {
  return {
    get version() {
      return holder.current.champion.metadata.version;
    },
    get thresholds() {
      return holder.current.champion.metadata.thresholds;
    },
  };
}

/** The holder as the keeper sees it, naming the deployed version too (its thresholds for a roll-back). */
function withDeployed(holder: ModelHolder): {
  loaded(): LoadedModels;
  apply(wanted: SyncedModels): Promise<void>;
} {
  return {
    loaded: () => ({ ...holder.loaded(), deployed: holder.deployed.metadata.version }),
    apply: (wanted) => holder.apply(wanted),
  };
}
