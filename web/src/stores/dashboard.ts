/**
 * The signed-in dashboard's data: every store, built from the one API client and live socket
 * (passed in, never imported), started on sign-in and stopped and emptied on sign-out.
 */
import type { Accessor } from 'solid-js';
import type { ApiClient } from '../api/client.js';
import type { LiveSocket } from '../api/live-socket.js';
import { createCasesStore, type CasesStore } from './cases-store.js';
import { createDrawerStore, type DrawerStore } from './drawer-store.js';
import { createFeedStore, type FeedStore } from './feed-store.js';
import type { Scheduler } from './frame-batcher.js';
import { createKpiStore, type KpiStore } from './kpi-store.js';
import { createTrafficStore, type TrafficStore } from './traffic-store.js';

export interface Dashboard {
  readonly feed: FeedStore;
  readonly kpi: KpiStore;
  readonly cases: CasesStore;
  readonly drawer: DrawerStore;
  readonly traffic: TrafficStore;
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
}

export function createDashboard(opts: DashboardOptions): Dashboard {
  const { client, socket, schedule } = opts;
  const feed = createFeedStore({ client, schedule: opts.feedSchedule ?? schedule });
  const kpi = createKpiStore({ client });
  const cases = createCasesStore({ client, schedule, me: opts.me });
  const drawer = createDrawerStore({ client });
  const traffic = createTrafficStore({ client });
  let detach: (() => void)[] = [];

  return {
    feed,
    kpi,
    cases,
    drawer,
    traffic,
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
    },
  };
}
