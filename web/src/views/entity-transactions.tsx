/** A card's or terminal's transactions, newest first, from the search: decisions, labels, cases. */
import { For, Show, type JSX } from 'solid-js';
import type { SearchStore } from '../stores/search-store.js';
import { formatAmount, formatDateTime, formatScore } from '../format/format.js';
import { DecisionBadge, LabelTag } from './decision-badge.js';

export function EntityTransactions(props: {
  store: SearchStore;
  txHref: (id: string) => string;
}): JSX.Element {
  const s = props.store;
  return (
    <Show when={s.entity()}>
      {(e) => (
        <section
          class="panel entity-panel"
          data-testid="entity-transactions"
          data-kind={e().kind}
          data-id={e().id}
          aria-labelledby="entity-heading"
        >
          <div class="panel-head">
            <h2 id="entity-heading">
              {e().kind === 'card' ? 'Card' : 'Terminal'} <span class="mono">{e().id}</span>
            </h2>
            <span class="muted">
              {s.entityLoading()
                ? 'Loading…'
                : `${s.entityRows().length} transactions, newest first`}
            </span>
            <div class="spacer" />
            <button type="button" class="btn btn-ghost" onClick={() => s.closeEntity()}>
              Close
            </button>
          </div>
          <Show when={s.entityError()}>
            {(err) => (
              <p class="inline-error" role="alert">
                {err()}
              </p>
            )}
          </Show>
          <div class="entity-scroll">
            <table class="table compact">
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Transaction</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Case</th>
                  <th scope="col" class="num">
                    Score
                  </th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={s.entityRows()}>
                  {(t) => (
                    <tr data-testid="entity-row" data-transaction-id={t.transaction_id}>
                      <td class="mono">{formatDateTime(t.timestamp)}</td>
                      <td>
                        <a class="mono" href={props.txHref(t.transaction_id)}>
                          {t.transaction_id}
                        </a>
                      </td>
                      <td>
                        <DecisionBadge decision={t.decision} /> <LabelTag label={t.label} />
                      </td>
                      <td>{t.case_status ?? '—'}</td>
                      <td class="num mono">{formatScore(t.score)}</td>
                      <td class="num">{formatAmount(t.amount, t.currency)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Show>
  );
}
