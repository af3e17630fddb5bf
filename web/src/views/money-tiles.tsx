/**
 * What a fraud lead reports: the window's money by decision and by outcome (from /api/stats
 * `money`, one row per currency — never summed across currencies), the false-positive share of
 * resolved cases and how long open cases have waited.
 */
import { For, Show, type JSX } from 'solid-js';
import type { MoneyTotals, Stats } from '@vigil/core';
import { formatAge, formatAmount, formatAmountShort, formatPercent } from '../format/format.js';
import { Tile } from './tile.js';

type MoneyKey = Exclude<keyof MoneyTotals, 'currency'>;

const MONEY_TILES: readonly { key: MoneyKey; label: string; sub: string }[] = [
  { key: 'approved', label: 'Approved', sub: 'paid through' },
  { key: 'review', label: 'In review', sub: 'sent to an analyst' },
  { key: 'declined', label: 'Declined', sub: 'blocked at checkout' },
  { key: 'confirmed_fraud', label: 'Confirmed fraud', sub: 'labelled fraud' },
  { key: 'false_positive', label: 'False positives', sub: 'cases cleared as legitimate' },
];

/**
 * The amount in the main currency (compact when long: a tile's number never wraps), and the
 * tooltip: the exact amount when compacted, the other currencies' amounts.
 */
function amountOf(money: readonly MoneyTotals[], key: MoneyKey): { value: string; title: string } {
  const [main, ...rest] = money;
  if (!main) return { value: '—', title: '' };
  const exact = formatAmount(main[key], main.currency);
  const value = formatAmountShort(main[key], main.currency);
  const others = rest.map((m) => formatAmount(m[key], m.currency)).join(' · ');
  return {
    value,
    title: [value === exact ? '' : exact, others ? `Also: ${others}` : '']
      .filter(Boolean)
      .join(' · '),
  };
}

/** A figure the window may not have (null: nothing to measure) as "—", else formatted. */
function orDash(v: number | null | undefined, format: (n: number) => string): string {
  return v === null || v === undefined ? '—' : format(v);
}

export function MoneyTiles(props: { stats: () => Stats | null }): JSX.Element {
  const money = (): readonly MoneyTotals[] => props.stats()?.money ?? [];
  return (
    <dl class="tiles tiles-money" data-testid="money-tiles" aria-label="Money in this window">
      <For each={MONEY_TILES}>
        {(t) => {
          const a = (): { value: string; title: string } => amountOf(money(), t.key);
          return (
            <Tile
              testid={`money-${t.key.replace('_', '-')}`}
              label={t.label}
              value={a().value}
              title={a().title || null}
              sub={
                <>
                  {t.sub}
                  <Show when={money().length > 1}>
                    {' '}
                    (+{money().length - 1} other {money().length > 2 ? 'currencies' : 'currency'})
                  </Show>
                </>
              }
            />
          );
        }}
      </For>
      <Tile
        testid="kpi-false-positive-share"
        label="False-positive share"
        value={orDash(props.stats()?.false_positive_share, formatPercent)}
        sub={<>of resolved cases</>}
      />
      <Tile
        testid="kpi-open-case-age"
        label="Open cases wait"
        value={orDash(props.stats()?.open_case_median_age_s, formatAge)}
        sub={<>median age, now</>}
      />
    </dl>
  );
}
