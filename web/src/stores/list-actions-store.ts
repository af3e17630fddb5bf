/**
 * The drawer's list buttons: "Block this card", "Block this terminal", "Allow this card". For the
 * open transaction it looks up whether the card and terminal are already on those lists, adds the
 * value with the chosen expiry and a reason naming the transaction, takes it off again ("Unblock"),
 * and reports how it went.
 */
import { createSignal } from 'solid-js';
import {
  ALLOWED_CUSTOMERS,
  BLOCKED_CUSTOMERS,
  BLOCKED_TERMINALS,
  type TransactionSummary,
} from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';
import type { ListItem } from '../api/rules-types.js';
import { expiresAt, type ExpiryChoice } from './expiry.js';

export interface ListAction {
  readonly key: 'block_card' | 'block_terminal' | 'allow_card';
  readonly label: string;
  /** What the value is once on the list ("Blocked"), and the button that takes it off. */
  readonly onLabel: string;
  readonly undoLabel: string;
  readonly list: string;
  /** Which of the transaction's values goes on the list. */
  readonly field: 'customer_id' | 'terminal_id';
}

export const LIST_ACTIONS: readonly ListAction[] = [
  {
    key: 'block_card',
    label: 'Block this card',
    onLabel: 'Blocked',
    undoLabel: 'Unblock',
    list: BLOCKED_CUSTOMERS,
    field: 'customer_id',
  },
  {
    key: 'block_terminal',
    label: 'Block this terminal',
    onLabel: 'Blocked',
    undoLabel: 'Unblock',
    list: BLOCKED_TERMINALS,
    field: 'terminal_id',
  },
  {
    key: 'allow_card',
    label: 'Allow this card',
    onLabel: 'Allowed',
    undoLabel: 'Stop allowing',
    list: ALLOWED_CUSTOMERS,
    field: 'customer_id',
  },
];

/**
 * Why "Allow this card" is asked first on a blocked card (ARCHITECTURE.md's precedence: an active
 * allow rule outranks a block, and the built-in allow_listed_customers reads allowed_customers).
 */
export const ALLOW_OVER_BLOCK =
  `This card is on ${BLOCKED_CUSTOMERS}. An allow outranks the block: its payments will be ` +
  `approved while it is on ${ALLOWED_CUSTOMERS}. A confirmed fraud takes it off ` +
  `${ALLOWED_CUSTOMERS} again.`;

/** An action's state: whether the value is on the list (null: unknown) and the last outcome. */
export interface ListActionState {
  readonly onList: boolean | null;
  /** The item's expiry when on the list (null: never, or unknown). */
  readonly until: string | null;
  readonly busy: boolean;
  readonly result: { readonly ok: boolean; readonly message: string } | null;
}

export interface ListActionsStoreOptions {
  readonly client: Pick<ApiClient, 'listItems' | 'addListItem' | 'removeListItem'>;
  readonly now?: () => Date;
}

export interface ListActionsStore {
  state(key: ListAction['key']): ListActionState;
  /** Looks up the transaction's card and terminal on the three lists. */
  lookup(
    tx: Pick<TransactionSummary, 'transaction_id' | 'customer_id' | 'terminal_id'>,
  ): Promise<void>;
  run(key: ListAction['key'], choice: ExpiryChoice, date: string): Promise<boolean>;
  /** What to confirm before `run(key)`, or null: allowing a card that is blocked. */
  warning(key: ListAction['key']): string | null;
  /** Takes the transaction's value off the action's list ("Unblock"). */
  undo(key: ListAction['key']): Promise<boolean>;
  reset(): void;
}

const IDLE: ListActionState = { onList: null, until: null, busy: false, result: null };

export function createListActionsStore(opts: ListActionsStoreOptions): ListActionsStore {
  const now = opts.now ?? (() => new Date());
  const [states, setStates] = createSignal<Readonly<Partial<Record<string, ListActionState>>>>({});
  let tx: Pick<TransactionSummary, 'transaction_id' | 'customer_id' | 'terminal_id'> | null = null;
  let generation = 0;

  const patch = (key: string, p: Partial<ListActionState>): void => {
    setStates((s) => ({ ...s, [key]: { ...IDLE, ...s[key], ...p } }));
  };

  /**
   * The value's item on the list, asked with a `value` filter. Only an item with exactly this value
   * counts, so an API that ignores the filter (and answers a first page) is never misread.
   */
  async function find(a: ListAction, value: string): Promise<ListItem | null> {
    const page = await opts.client.listItems(a.list, { value, limit: 1 });
    return page.items.find((i) => i.value === value) ?? null;
  }

  return {
    state: (key) => states()[key] ?? IDLE,
    async lookup(t) {
      const gen = ++generation;
      tx = t;
      setStates({});
      await Promise.all(
        LIST_ACTIONS.map(async (a) => {
          try {
            const item = await find(a, t[a.field]);
            if (gen === generation)
              patch(a.key, { onList: item !== null, until: item?.expires_at ?? null });
          } catch {
            // Unknown membership is shown as unknown; the buttons still work.
          }
        }),
      );
    },
    async run(key, choice, date) {
      const a = LIST_ACTIONS.find((x) => x.key === key);
      const t = tx;
      if (!a || !t || states()[key]?.busy) return false;
      const expiry = expiresAt(choice, date, now());
      if (!expiry.ok) {
        patch(key, { result: { ok: false, message: expiry.message } });
        return false;
      }
      const gen = generation;
      const value = t[a.field];
      patch(key, { busy: true, result: null });
      try {
        const added = await opts.client.addListItem(a.list, {
          value,
          reason: `${a.label} from transaction ${t.transaction_id}`,
          ...(expiry.expiresAt ? { expires_at: expiry.expiresAt } : {}),
        });
        if (gen !== generation) return true;
        const until = expiry.expiresAt ? ` until ${expiry.expiresAt.slice(0, 10)}` : '';
        patch(key, {
          busy: false,
          onList: true,
          until: added?.expires_at ?? expiry.expiresAt ?? null,
          result: { ok: true, message: `${value} is on ${a.list}${until}.` },
        });
        return true;
      } catch (err) {
        if (gen === generation) {
          patch(key, { busy: false, result: { ok: false, message: errorMessage(err) } });
        }
        return false;
      }
    },
    warning(key) {
      return key === 'allow_card' && states().block_card?.onList === true ? ALLOW_OVER_BLOCK : null;
    },
    async undo(key) {
      const a = LIST_ACTIONS.find((x) => x.key === key);
      const t = tx;
      if (!a || !t || states()[key]?.busy) return false;
      const gen = generation;
      const value = t[a.field];
      patch(key, { busy: true, result: null });
      try {
        let message = `${value} is off ${a.list}.`;
        try {
          await opts.client.removeListItem(a.list, value);
        } catch (err) {
          // 404: not on the list (it expired, or someone took it off): what was asked holds.
          if (!(err instanceof ApiError && err.status === 404)) throw err;
          message = `${value} was not on ${a.list} any more.`;
        }
        if (gen === generation) {
          patch(key, { busy: false, onList: false, until: null, result: { ok: true, message } });
        }
        return true;
      } catch (err) {
        if (gen === generation) {
          patch(key, { busy: false, result: { ok: false, message: errorMessage(err) } });
        }
        return false;
      }
    },
    reset() {
      generation++;
      tx = null;
      setStates({});
    },
  };
}
