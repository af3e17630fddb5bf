/**
 * The model's inputs, in the order the feature vector holds them. The names are part of the
 * model's metadata and of the API's reasons, so they never change meaning; new features are
 * appended and a new model is trained.
 *
 * The first 15 are the Fraud Detection Handbook's baseline features, computed online; the rest are
 * what a fraud engineer adds (see docs/features.md for why each one earns its place).
 */
export const FEATURE_NAMES = [
  'amount',
  'tx_during_weekend',
  'tx_during_night',
  'customer_nb_tx_1d',
  'customer_nb_tx_7d',
  'customer_nb_tx_30d',
  'customer_avg_amount_1d',
  'customer_avg_amount_7d',
  'customer_avg_amount_30d',
  'terminal_nb_tx_1d_delay7',
  'terminal_nb_tx_7d_delay7',
  'terminal_nb_tx_30d_delay7',
  'terminal_risk_1d_delay7',
  'terminal_risk_7d_delay7',
  'terminal_risk_30d_delay7',
  'amount_to_mean_30d',
  'amount_zscore_30d',
  'amount_to_max_30d',
  'seconds_since_prev_tx',
  'terminal_nb_tx_today',
  'hour_of_day',
  'terminal_fraud_age_days',
  'customer_known_frauds_30d',
  'customer_fraud_recency_days',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Length of the feature vector. */
export const N_FEATURES = FEATURE_NAMES.length;

/** Index of each feature in the vector, for readable access on hot paths. */
export const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as {
  readonly [K in FeatureName]: number;
};
