import type { FeatureName } from '../features/feature-names.js';

/** A stable reason code and the sentence an analyst reads when the feature raised the risk. */
export interface ReasonCode {
  readonly code: string;
  readonly message: string;
  /**
   * Whether the message is true of a transaction with this feature value. A tree can raise the
   * risk through a feature on either side of a split — a card with no confirmed fraud can still get
   * a positive contribution from `customer_known_frauds_30d` — so a message that states a fact
   * ("the card had confirmed fraud") is given only when the value says so. Absent: the message
   * only says the value is unusual, which a positive contribution means.
   */
  readonly applies?: (value: number) => boolean;
}

/** The amount from which AMOUNT_HIGH may be given: about the top eighth of the simulated payments. */
export const AMOUNT_HIGH_FROM = 100;

const positive = (v: number) => v > 0;

/**
 * One code per feature. Codes are API: they never change meaning, so checkout flows and rules
 * engines can key on them. Messages say why the feature pushed the score up.
 */
export const REASON_CODES: { readonly [K in FeatureName]: ReasonCode } = {
  amount: {
    code: 'AMOUNT_HIGH',
    message: 'The amount is high for a card payment.',
    applies: (v) => v >= AMOUNT_HIGH_FROM,
  },
  tx_during_weekend: { code: 'WEEKEND', message: 'Made at the weekend.', applies: (v) => v === 1 },
  tx_during_night: {
    code: 'NIGHT_TIME',
    message: 'Made at night (00:00–06:59 UTC).',
    applies: (v) => v === 1,
  },
  customer_nb_tx_1d: {
    code: 'CUSTOMER_VELOCITY_1D',
    message: 'The card is used unusually often today.',
  },
  customer_nb_tx_7d: {
    code: 'CUSTOMER_VELOCITY_7D',
    message: 'The card is used unusually often this week.',
  },
  customer_nb_tx_30d: {
    code: 'CUSTOMER_HISTORY_30D',
    message: 'The card has an unusual 30-day history.',
  },
  customer_avg_amount_1d: {
    code: 'CUSTOMER_SPEND_1D',
    message: "Today's spend on the card is unusual.",
  },
  customer_avg_amount_7d: {
    code: 'CUSTOMER_SPEND_7D',
    message: "This week's spend on the card is unusual.",
  },
  customer_avg_amount_30d: {
    code: 'CUSTOMER_SPEND_30D',
    message: "The card's 30-day spend is unusual.",
  },
  terminal_nb_tx_1d_delay7: {
    code: 'TERMINAL_VOLUME_1D',
    message: "The terminal's traffic a week ago was unusual.",
  },
  terminal_nb_tx_7d_delay7: {
    code: 'TERMINAL_VOLUME_7D',
    message: "The terminal's weekly traffic is unusual.",
  },
  terminal_nb_tx_30d_delay7: {
    code: 'TERMINAL_VOLUME_30D',
    message: "The terminal's monthly traffic is unusual.",
  },
  terminal_risk_1d_delay7: {
    code: 'TERMINAL_RECENT_FRAUD',
    message: 'The terminal had confirmed fraud a week ago.',
    applies: positive,
  },
  terminal_risk_7d_delay7: {
    code: 'TERMINAL_FRAUD_7D',
    message: 'The terminal had confirmed fraud in a recent week.',
    applies: positive,
  },
  terminal_risk_30d_delay7: {
    code: 'TERMINAL_FRAUD_30D',
    message: 'The terminal had confirmed fraud in the last month.',
    applies: positive,
  },
  amount_to_mean_30d: {
    code: 'AMOUNT_VS_CUSTOMER_MEAN',
    message: "The amount is at least twice the card's 30-day average.",
    applies: (v) => v >= 2,
  },
  amount_zscore_30d: {
    code: 'AMOUNT_VS_CUSTOMER_SPREAD',
    message: "The amount is outside the card's usual range.",
    applies: (v) => Math.abs(v) >= 2,
  },
  amount_to_max_30d: {
    code: 'AMOUNT_ABOVE_CUSTOMER_MAX',
    message: "The amount exceeds the card's largest payment in 30 days.",
    applies: (v) => v > 1,
  },
  seconds_since_prev_tx: {
    code: 'TIME_SINCE_PREVIOUS',
    message: "The time since the card's previous payment is unusual.",
  },
  terminal_nb_tx_today: {
    code: 'TERMINAL_BURST_TODAY',
    message: 'The terminal is unusually busy today.',
  },
  hour_of_day: { code: 'UNUSUAL_HOUR', message: 'Made at an unusual hour.' },
  terminal_fraud_age_days: {
    code: 'TERMINAL_FRAUD_EPISODE',
    message: 'The terminal is in an ongoing episode of confirmed fraud.',
    applies: positive,
  },
  customer_known_frauds_30d: {
    code: 'CARD_CONFIRMED_FRAUD',
    message: 'The card had confirmed fraud in the last 30 days.',
    applies: positive,
  },
  customer_fraud_recency_days: {
    code: 'CARD_RECENT_FRAUD',
    message: "The card's confirmed fraud is recent.",
    applies: positive,
  },
};
