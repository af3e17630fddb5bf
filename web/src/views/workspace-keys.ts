/**
 * What the workspace's keys do (shortcuts.ts says which key is which): walk the queue's cases in
 * the drawer, take the next one, decide the open one, find something.
 */
import type { Dashboard } from '../stores/dashboard.js';
import type { ShortcutAction } from './shortcuts.js';
import { DRAWER_COMMENT_ID } from './drawer-case.js';

export interface WorkspaceKeyDeps {
  readonly dashboard: Pick<Dashboard, 'cases' | 'drawer' | 'drawerCase'>;
  readonly open: (transactionId: string) => void;
  readonly focusSearch: () => void;
  readonly toggleHelp: () => void;
  readonly focusById: (id: string) => void;
}

/** The transaction of the queue's case `step` rows from the open one (the first without one). */
export function neighbourCase(
  transactionIds: readonly string[],
  openId: string | null,
  step: 1 | -1,
): string | null {
  if (transactionIds.length === 0) return null;
  const at = openId === null ? -1 : transactionIds.indexOf(openId);
  if (at < 0) return transactionIds[step === 1 ? 0 : transactionIds.length - 1] ?? null;
  return transactionIds[at + step] ?? null;
}

/** Runs one shortcut's action; returns whether it did something (then the key is consumed). */
export function runShortcut(action: ShortcutAction, deps: WorkspaceKeyDeps): boolean {
  const { cases, drawer, drawerCase } = deps.dashboard;
  switch (action) {
    case 'search':
      deps.focusSearch();
      return true;
    case 'help':
      deps.toggleHelp();
      return true;
    case 'next-case':
    case 'prev-case': {
      const ids = cases.cases().map((c) => c.transaction_id);
      const id = neighbourCase(ids, drawer.openId(), action === 'next-case' ? 1 : -1);
      if (id) deps.open(id);
      return id !== null;
    }
    case 'take-next':
      void cases.nextCase().then((c) => {
        if (c) deps.open(c.transaction_id);
      });
      return true;
    case 'fraud':
    case 'legitimate':
      if (!drawerCase.actionable()) return false;
      void drawerCase.resolve(action === 'fraud' ? 'fraud' : 'false_positive');
      return true;
    case 'assign':
      if (!drawerCase.actionable()) return false;
      void drawerCase.assignToMe();
      return true;
    case 'comment':
      if (!drawer.detail()?.case) return false;
      deps.focusById(DRAWER_COMMENT_ID);
      return true;
  }
}
