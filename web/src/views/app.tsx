/**
 * The page: the sign-in form, or the dashboard (overview, trends, live feed, cases, traffic, model
 * drift and the transaction drawer; the Rules, Lists, Thresholds and Models pages). Starts the
 * dashboard's data on sign-in and stops it on sign-out.
 */
import {
  createEffect,
  createSignal,
  Match,
  on,
  onCleanup,
  onMount,
  Show,
  Switch,
  type JSX,
} from 'solid-js';
import type { Dashboard } from '../stores/dashboard.js';
import type { SessionStore } from '../stores/session-store.js';
import type { ThemeStore } from '../stores/theme-store.js';
import { CaseQueue } from './case-queue.js';
import { Charts } from './charts.js';
import { EntityTransactions } from './entity-transactions.js';
import { Header } from './header.js';
import { HeaderSearch } from './header-search.js';
import { KpiTiles } from './kpi-tiles.js';
import { DriftTile } from './drift-tile.js';
import { ListsPage } from './lists-page.js';
import { LiveFeed } from './live-feed.js';
import { NamePrompt } from './name-prompt.js';
import { ModelsPage } from './models-page.js';
import { pageFromHash } from './page-route.js';
import { RulesPage } from './rules-page.js';
import { ShortcutHelp } from './shortcut-help.js';
import { shortcutFor } from './shortcuts.js';
import { SignIn } from './sign-in.js';
import { ThresholdsPage } from './thresholds-page.js';
import { TrafficPanel } from './traffic-panel.js';
import { TransactionDrawer } from './transaction-drawer.js';
import { txFromHash, txHref } from './tx-route.js';
import { runShortcut } from './workspace-keys.js';

/** The header's search box: `/` focuses it. */
export const SEARCH_INPUT_ID = 'global-search';

export interface AppProps {
  readonly session: SessionStore;
  readonly dashboard: Dashboard;
  readonly theme: ThemeStore;
}

function DashboardPage(props: AppProps): JSX.Element {
  const { dashboard: d, session } = props;
  const [page, setPage] = createSignal(pageFromHash(location.hash));

  // The page and the drawer follow the hash, so links and the Back button open them.
  const syncFromHash = (): void => {
    setPage(pageFromHash(location.hash));
    const id = txFromHash(location.hash);
    if (id) void d.drawer.open(id);
    else d.drawer.close();
  };
  onMount(() => {
    window.addEventListener('hashchange', syncFromHash);
    syncFromHash();
    onCleanup(() => window.removeEventListener('hashchange', syncFromHash));
  });

  // The feed holds still while a transaction is open: focus returns to the row it was opened
  // from, and that row must still be the same transaction. Released after the drawer has given
  // focus back (its own effect, in this same update), so the row's focus hold takes over first.
  createEffect(
    on(d.drawer.openId, (id) => {
      if (id) d.feed.hold('drawer', true);
      else queueMicrotask(() => d.feed.hold('drawer', false));
    }),
  );

  const open = (id: string): void => {
    location.hash = txHref(id).slice(1);
  };
  const close = (): void => {
    // A drawer opened from a page (a backtest's example) has no `#tx=` to drop: the page stays.
    if (txFromHash(location.hash)) {
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    d.drawer.close();
  };

  // The workspace's keys (shortcuts.ts); never while typing, so "f" in a comment stays an "f".
  const [help, setHelp] = createSignal(false);
  const onKey = (e: KeyboardEvent): void => {
    if (help() || e.defaultPrevented) return;
    const action = shortcutFor(e);
    if (!action) return;
    const done = runShortcut(action, {
      dashboard: d,
      open,
      focusSearch: () => document.getElementById(SEARCH_INPUT_ID)?.focus(),
      toggleHelp: () => setHelp((h) => !h),
      focusById: (id) => document.getElementById(id)?.focus(),
    });
    if (done) e.preventDefault();
  };
  onMount(() => {
    document.addEventListener('keydown', onKey);
    onCleanup(() => document.removeEventListener('keydown', onKey));
  });

  return (
    <>
      <Header
        theme={props.theme}
        connection={{ state: d.socket.state, attempts: d.socket.attempts }}
        subject={session.subject}
        onSignOut={() => void session.signOut()}
        signingOut={session.busy}
        page={page}
        search={<HeaderSearch store={d.search} inputId={SEARCH_INPUT_ID} onOpen={open} />}
      />
      <NamePrompt session={session} />
      <EntityTransactions store={d.search} txHref={txHref} />
      <Switch>
        <Match when={page() === 'rules'}>
          <RulesPage
            rules={d.rules}
            newEditor={(initial) => d.newRuleEditor(initial)}
            checksLive={d.checksExpressions}
            newBacktest={() => d.newBacktest()}
            theme={props.theme.theme}
            onOpenTransaction={(id) => void d.drawer.open(id)}
          />
        </Match>
        <Match when={page() === 'thresholds'}>
          <ThresholdsPage thresholds={d.thresholds} theme={props.theme.theme} />
        </Match>
        <Match when={page() === 'lists'}>
          <ListsPage lists={d.lists} />
        </Match>
        <Match when={page() === 'models'}>
          <ModelsPage models={d.models} drift={d.drift} txHref={txHref} />
        </Match>
        <Match when={page() === 'overview'}>
          <main id="main" class="dashboard">
            <KpiTiles kpi={d.kpi} feed={d.feed} />
            <Charts stats={d.kpi.stats} theme={props.theme.theme} />
            <div class="workspace">
              <LiveFeed feed={d.feed} onOpen={open} />
              <div class="side">
                <DriftTile drift={d.drift} />
                <CaseQueue
                  cases={d.cases}
                  me={session.subject}
                  txHref={txHref}
                  onOpen={open}
                  openId={d.drawer.openId}
                />
                <TrafficPanel traffic={d.traffic} txHref={txHref} />
              </div>
            </div>
          </main>
        </Match>
      </Switch>
      <TransactionDrawer
        drawer={d.drawer}
        onClose={close}
        txHref={txHref}
        listActions={d.listActions}
        caseStore={d.drawerCase}
        me={session.subject}
      />
      <Show when={help()}>
        <ShortcutHelp onClose={() => setHelp(false)} />
      </Show>
    </>
  );
}

export function App(props: AppProps): JSX.Element {
  createEffect(
    on(props.session.status, (status) => {
      if (status === 'signed-in') props.dashboard.start();
      else props.dashboard.stop();
    }),
  );

  return (
    <Switch>
      <Match when={props.session.status() === 'checking'}>
        <Header theme={props.theme} />
        <main class="splash" id="main" aria-busy="true">
          <p class="muted">Checking your session…</p>
        </main>
      </Match>
      <Match when={props.session.status() === 'signed-out'}>
        <Header theme={props.theme} />
        <SignIn session={props.session} />
      </Match>
      <Match when={props.session.status() === 'signed-in'}>
        <DashboardPage {...props} />
      </Match>
    </Switch>
  );
}
