/**
 * The live decision feed: a virtualised list (only the visible rows exist in the DOM), newest first.
 * It holds still while pointed at, focused, scrolled or paused, and says how many arrived meanwhile.
 * Arrow keys move between rows (one tab stop for the whole list); Enter or a click opens the drawer.
 */
import { createSignal, For, Show, type JSX } from 'solid-js';
import { createVirtualizer } from '@tanstack/solid-virtual';
import type { FeedFilter, FeedStore } from '../stores/feed-store.js';
import { reasonsWorthShowing } from '@vigil/core';
import { reasonLabel, reasonSentence, type FeedRow } from '../stores/feed-row.js';
import { formatAmount, formatCount, formatScore, formatTime } from '../format/format.js';
import { DecisionBadge, LabelTag } from './decision-badge.js';

export const FEED_ROW_HEIGHT = 40;

export interface LiveFeedProps {
  readonly feed: FeedStore;
  readonly onOpen: (transactionId: string) => void;
}

// An approval's reasons show only when they carry weight (core's threshold); others all show.
function reasonsText(row: FeedRow): string {
  return reasonsWorthShowing(row.decision, row.reasons).map(reasonLabel).join(' · ');
}

function reasonsTitle(row: FeedRow): string {
  return reasonsWorthShowing(row.decision, row.reasons).map(reasonSentence).join('\n');
}

export function LiveFeed(props: LiveFeedProps): JSX.Element {
  let scroller!: HTMLDivElement;
  const feed = props.feed;
  const [focusIndex, setFocusIndex] = createSignal(0);

  const virtualizer = createVirtualizer({
    get count() {
      return feed.rows().length;
    },
    getScrollElement: () => scroller,
    estimateSize: () => FEED_ROW_HEIGHT,
    overscan: 6,
  });

  /** The row that takes Tab: the last focused one if rendered, else the first rendered. */
  const tabStop = (): number => {
    const items = virtualizer.getVirtualItems();
    const f = focusIndex();
    return items.some((v) => v.index === f) ? f : (items[0]?.index ?? -1);
  };

  function focusRow(index: number): void {
    const n = feed.rows().length;
    if (n === 0) return;
    const i = Math.max(0, Math.min(n - 1, index));
    setFocusIndex(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    // The row may only exist after the virtualiser re-renders.
    requestAnimationFrame(() => {
      scroller.querySelector<HTMLButtonElement>(`[data-index="${i}"] button`)?.focus();
    });
  }

  function onKeyDown(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(scroller.clientHeight / FEED_ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
    };
    if (e.key in moves) {
      e.preventDefault();
      focusRow(focusIndex() + moves[e.key]!);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusRow(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusRow(feed.rows().length - 1);
    }
  }

  function jumpToNewest(): void {
    feed.hold('user', false);
    scroller.scrollTop = 0;
    feed.hold('scroll', false);
    feed.catchUp(); // still held (pointer or focus): show the newest, frozen again
  }

  // Focus anywhere in the list or on its "show newest" button holds the view: the button must
  // not vanish under the focus that reached it.
  let region!: HTMLDivElement;

  return (
    <section
      id="live-feed"
      class="panel feed"
      aria-labelledby="feed-heading"
      data-testid="live-feed"
    >
      <div class="panel-head">
        <h2 id="feed-heading">Live decisions</h2>
        <span class="muted" data-testid="feed-count">
          {formatCount(feed.size())} held
        </span>
        <div class="spacer" />
        <label class="field-inline">
          <span>Show</span>
          <select
            data-testid="feed-filter"
            value={feed.filter()}
            onChange={(e) => void feed.setFilter(e.currentTarget.value as FeedFilter)}
          >
            <option value="all">All decisions</option>
            <option value="flagged">Review and decline</option>
            <option value="decline">Declines only</option>
          </select>
        </label>
        <button
          type="button"
          class="btn"
          data-testid="feed-pause"
          aria-pressed={feed.pausedByUser()}
          onClick={() => feed.hold('user', !feed.pausedByUser())}
        >
          {feed.pausedByUser() ? 'Resume' : 'Pause'}
        </button>
      </div>
      <div
        ref={region}
        onFocusIn={() => feed.hold('focus', true)}
        onFocusOut={(e) => {
          if (!region.contains(e.relatedTarget as Node | null)) feed.hold('focus', false);
        }}
      >
        <div class="feed-status" aria-live="polite">
          <Show when={feed.paused()}>
            <span class="paused-note" data-testid="feed-paused">
              Paused{' — '}
              <button type="button" class="btn-link" data-testid="feed-jump" onClick={jumpToNewest}>
                {feed.newWhilePaused() > 0
                  ? `${formatCount(feed.newWhilePaused())} new, show newest`
                  : 'show newest'}
              </button>
            </span>
          </Show>
          <Show when={feed.error()}>
            {(e) => (
              <span class="inline-error" role="alert">
                {e()}{' '}
                <button type="button" class="btn-link" onClick={() => void feed.reload()}>
                  Retry
                </button>
              </span>
            )}
          </Show>
        </div>
        <div class="feed-columns feed-grid" aria-hidden="true">
          <span>Time (UTC)</span>
          <span>Decision</span>
          <span class="num">Score</span>
          <span class="num">Amount</span>
          <span>Customer</span>
          <span>Terminal</span>
          <span>Reasons</span>
        </div>
        <div class="feed-body">
          <div
            ref={scroller}
            class="feed-scroll"
            role="list"
            aria-label="Decisions, newest first"
            onScroll={() => feed.hold('scroll', scroller.scrollTop > 2)}
            onPointerEnter={() => feed.hold('pointer', true)}
            onPointerLeave={() => feed.hold('pointer', false)}
            onKeyDown={onKeyDown}
          >
            <div
              class="feed-sizer"
              role="presentation"
              style={{ height: `${virtualizer.getTotalSize()}px` }}
            >
              <For each={virtualizer.getVirtualItems()}>
                {(item) => {
                  const row = (): FeedRow | undefined => feed.rows()[item.index];
                  return (
                    <div
                      role="listitem"
                      class="feed-item"
                      data-index={item.index}
                      style={{ transform: `translateY(${item.start}px)` }}
                    >
                      <Show when={row()}>
                        {(r) => (
                          <button
                            type="button"
                            class={`feed-row feed-grid decision-${r().decision}`}
                            data-testid="feed-row"
                            data-transaction-id={r().transaction_id}
                            data-decision={r().decision}
                            tabIndex={tabStop() === item.index ? 0 : -1}
                            onFocus={() => setFocusIndex(item.index)}
                            onClick={() => props.onOpen(r().transaction_id)}
                          >
                            <span class="mono">{formatTime(r().scored_at)}</span>
                            <span>
                              <DecisionBadge decision={r().decision} />
                              <LabelTag label={r().label} />
                            </span>
                            <span class="num mono">{formatScore(r().score)}</span>
                            <span class="num">{formatAmount(r().amount, r().currency)}</span>
                            <span class="mono ellipsis">{r().customer_id}</span>
                            <span class="mono ellipsis">{r().terminal_id}</span>
                            <span class="reasons ellipsis" title={reasonsTitle(r())}>
                              {reasonsText(r()) || '—'}
                            </span>
                          </button>
                        )}
                      </Show>
                    </div>
                  );
                }}
              </For>
            </div>
          </div>
          <Show when={feed.rows().length === 0}>
            <p class="empty feed-empty" data-testid="feed-empty">
              {feed.loading()
                ? 'Loading recent decisions…'
                : 'No decisions yet. Start traffic in the Traffic panel, or send one transaction.'}
            </p>
          </Show>
        </div>
      </div>
    </section>
  );
}
