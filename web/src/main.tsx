/**
 * The dashboard's one wiring place: the API client and the live socket are created here, once, and
 * handed to the stores; nothing connects before sign-in.
 */
import { render } from 'solid-js/web';
import { checkExpression } from '@vigil/core';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { createApiClient } from './api/client.js';
import {
  browserNetworkStatus,
  browserSocketFactory,
  createLiveSocket,
  liveUrlFor,
} from './api/live-socket.js';
import { createFeedLoad } from './perf/feed-load.js';
import { createDashboard } from './stores/dashboard.js';
import { frameScheduler } from './stores/frame-batcher.js';
import { createSessionStore, type SessionStore } from './stores/session-store.js';
import { createThemeStore, type KeyValueStorage } from './stores/theme-store.js';
import { App } from './views/app.js';

/** Least time between two feed updates: ~15 a second, plenty to read and light on the CPU. */
const FEED_MIN_INTERVAL_MS = 66;

function localStorageOrNull(): KeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

let session: SessionStore | null = null;
const client = createApiClient({ onUnauthorized: () => session?.expired() });
session = createSessionStore({
  client,
  href: () => location.href,
  replaceUrl: (url) => history.replaceState(history.state, '', url),
});
const socket = createLiveSocket({
  url: liveUrlFor(location),
  create: browserSocketFactory,
  network: browserNetworkStatus(window),
});
const dashboard = createDashboard({
  client,
  socket,
  schedule: frameScheduler(),
  feedSchedule: frameScheduler({ minIntervalMs: FEED_MIN_INTERVAL_MS }),
  me: session.subject,
  // Rules are checked as they are typed, in the browser, by the edges' own compiler.
  checkExpression,
});
const theme = createThemeStore({
  storage: localStorageOrNull(),
  prefersLight: () => window.matchMedia('(prefers-color-scheme: light)').matches,
  apply: (t) => {
    document.documentElement.dataset.theme = t;
  },
});

// For the browser benchmark: synthetic decisions through the feed's real entry point.
const load = createFeedLoad(dashboard.feed);
window.__vigilPerf = {
  ...load,
  counters: () => dashboard.feed.counters(),
  rows: () => dashboard.feed.size(),
};

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const s = session;
render(() => <App session={s} dashboard={dashboard} theme={theme} />, root);
void s.init();
