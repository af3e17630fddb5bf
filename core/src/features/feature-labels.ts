/**
 * What each model input means to an analyst: a plain label and the unit of its value. Kept beside
 * FEATURE_NAMES so a new feature without words fails the typecheck here, not on a dashboard.
 */
import type { FeatureName } from './feature-names.js';

export type FeatureUnit =
  'amount' | 'count' | 'yes/no' | 'share' | 'ratio' | 'std dev' | 'seconds' | 'hour (UTC)' | 'days';

export interface FeatureLabel {
  readonly label: string;
  readonly unit: FeatureUnit;
}

const count = (label: string): FeatureLabel => ({ label, unit: 'count' });
const amount = (label: string): FeatureLabel => ({ label, unit: 'amount' });

/** Every feature's label and unit (docs/features.md says how each is computed). */
export const FEATURE_LABELS: { readonly [K in FeatureName]: FeatureLabel } = {
  amount: amount('Amount'),
  tx_during_weekend: { label: 'At the weekend', unit: 'yes/no' },
  tx_during_night: { label: 'At night (00–06 UTC)', unit: 'yes/no' },
  customer_nb_tx_1d: count('Card payments, last day'),
  customer_nb_tx_7d: count('Card payments, last 7 days'),
  customer_nb_tx_30d: count('Card payments, last 30 days'),
  customer_avg_amount_1d: amount('Card average amount, last day'),
  customer_avg_amount_7d: amount('Card average amount, last 7 days'),
  customer_avg_amount_30d: amount('Card average amount, last 30 days'),
  terminal_nb_tx_1d_delay7: count('Terminal payments, 1 day ending a week ago'),
  terminal_nb_tx_7d_delay7: count('Terminal payments, 7 days ending a week ago'),
  terminal_nb_tx_30d_delay7: count('Terminal payments, 30 days ending a week ago'),
  terminal_risk_1d_delay7: {
    label: 'Terminal fraud share, 1 day ending a week ago',
    unit: 'share',
  },
  terminal_risk_7d_delay7: {
    label: 'Terminal fraud share, 7 days ending a week ago',
    unit: 'share',
  },
  terminal_risk_30d_delay7: {
    label: 'Terminal fraud share, 30 days ending a week ago',
    unit: 'share',
  },
  amount_to_mean_30d: { label: "Amount ÷ card's 30-day average", unit: 'ratio' },
  amount_zscore_30d: { label: "Amount vs card's 30-day spread", unit: 'std dev' },
  amount_to_max_30d: { label: "Amount ÷ card's 30-day largest", unit: 'ratio' },
  seconds_since_prev_tx: { label: "Time since the card's previous payment", unit: 'seconds' },
  terminal_nb_tx_today: count('Terminal payments today'),
  hour_of_day: { label: 'Hour of day', unit: 'hour (UTC)' },
  terminal_fraud_age_days: { label: "Age of the terminal's oldest known fraud", unit: 'days' },
  customer_known_frauds_30d: count('Confirmed frauds on the card, 30 days'),
  customer_fraud_recency_days: {
    label: "Days since the card's last fraud (+1; 0 = none)",
    unit: 'days',
  },
};

/** The label and unit of a feature name; null for a name this build does not know. */
export function featureLabelOf(name: string): FeatureLabel | null {
  return Object.hasOwn(FEATURE_LABELS, name) ? FEATURE_LABELS[name as FeatureName] : null;
}
