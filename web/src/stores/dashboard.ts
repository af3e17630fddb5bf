/**
 * The signed-in dashboard's data: every store, built from the one API client and live socket
 * (passed in, never imported), started on sign-in and stopped and emptied on sign-out.
 */
import type { Accessor } from 'solid-js';
import type { Rule } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import type { LiveSocket } from '../api/live-socket.js';
import { createBacktestStore, type BacktestStore } from './backtest-store.js';
import { createCasesStore, type CasesStore } from './cases-store.js';
import { createDrawerCaseStore, type DrawerCaseStore } from './drawer-case-store.js';
import { createDriftStore, type DriftStore } from './drift-store.js';
import { createDrawerStore, type DrawerStore } from './drawer-store.js';
import { createFeedStore, type FeedStore } from './feed-store.js';
import type { Scheduler } from './frame-batcher.js';
import { createKpiStore, type KpiStore } from './kpi-store.js';
import { createListActionsStore, type ListActionsStore } from './list-actions-store.js';
import { createListsStore, type ListsStore } from './lists-store.js';
import { createModelsStore, type ModelsStore } from './models-store.js';
import { createRuleEditor, type ExpressionChecker, type RuleEditor } from './rule-editor-store.js';
import { createRulesStore, type RulesStore } from './rules-store.js';
import { createSearchStore, type SearchStore } from './search-store.js';
import { createThresholdsStore, type ThresholdsStore } from './thresholds-store.js';
import { createTrafficStore, type TrafficStore } from './traffic-store.js';

export interface Dashboard {
  readonly feed: FeedStore;
  readonly kpi: KpiStore;
  readonly cases: CasesStore;
  readonly drawer: DrawerStore;
  /** The header's search, and the card or terminal it shows. */
  readonly search: SearchStore;
  /** The drawer's case buttons (resolve, assign, comment). */
  readonly drawerCase: DrawerCaseStore;
  readonly traffic: TrafficStore;
  readonly rules: RulesStore;
  readonly lists: ListsStore;
  readonly models: ModelsStore;
  readonly drift: DriftStore;
  /** The drawer's block/allow buttons. */
  readonly listActions: ListActionsStore;
  /** A fresh rule editor for `initial`, or for a new rule. */
  newRuleEditor(initial?: Rule): RuleEditor;
  /** A fresh backtest for a rule editor. */
  newBacktest(): BacktestStore;
  readonly thresholds: ThresholdsStore;
  /** Whether rule expressions are checked in the browser as they are typed. */
  readonly checksExpressions: boolean;
  readonly socket: LiveSocket;
  /** Connects the live feed and starts polling. Idempotent. */
  start(): void;
  /** Disconnects, stops polling and forgets the data. */
  stop(): void;
}

export interface DashboardOptions {
  readonly client: ApiClient;
  readonly socket: LiveSocket;
  /** When queued live events are applied (cases; and the feed unless `feedSchedule` is given). */
  readonly schedule: Scheduler;
  /** When queued events reach the live feed: the heaviest view, so it may be throttled further. */
  readonly feedSchedule?: Scheduler;
  readonly me: Accessor<string | null>;
  /** Checks rule expressions in the browser; absent, the server checks them on save. */
  readonly checkExpression?: ExpressionChecker;
}

export function createDashboard(opts: DashboardOptions): Dashboard {
  const { client, socket, schedule } = opts;
  const feed = createFeedStore({ client, schedule: opts.feedSchedule ?? schedule });
  const kpi = createKpiStore({ client });
  const cases = createCasesStore({ client, schedule, me: opts.me });
  const drawer = createDrawerStore({ client });
  const drawerCase = createDrawerCaseStore({
    client,
    me: opts.me,
    current: () => drawer.detail()?.case ?? null,
    changed: (c) => {
      drawer.replaceCase(c);
      cases.upsert(c);
    },
    refresh: () => drawer.retry(),
  });
  const traffic = createTrafficStore({ client });
  const search = createSearchStore({ client });
  const rules = createRulesStore({ client });
  const lists = createListsStore({ client });
  const models = createModelsStore({ client });
  const drift = createDriftStore({ client });
  const listActions = createListActionsStore({ client });
  const thresholds = createThresholdsStore({ client });
  const check = opts.checkExpression;
  let detach: (() => void)[] = [];

  return {
    feed,
    kpi,
    cases,
    drawer,
    drawerCase,
    search,
    traffic,
    rules,
    lists,
    models,
    drift,
    listActions,
    newRuleEditor: (initial) =>
      createRuleEditor({
        client,
        lists: rules.lists,
        ...(initial ? { initial } : {}),
        ...(check ? { check } : {}),
      }),
    newBacktest: () =>
      createBacktestStore({ client, lists: rules.lists, ...(check ? { check } : {}) }),
    thresholds,
    checksExpressions: check !== undefined,
    socket,
    start() {
      if (detach.length > 0) return;
      detach = [feed.attach(socket), cases.attach(socket)];
      socket.start();
      void feed.reload();
      void cases.load();
      kpi.start();
      traffic.startPolling();
    },
    stop() {
      socket.stop();
      for (const d of detach) d();
      detach = [];
      kpi.reset();
      traffic.reset();
      feed.reset();
      cases.reset();
      drawer.close();
      drawerCase.reset();
      search.clear();
      search.closeEntity();
      rules.reset();
      lists.reset();
      models.reset();
      drift.reset();
      listActions.reset();
      thresholds.reset();
    },
  };
}
