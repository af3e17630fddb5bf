/**
 * Event-time velocity counters kept in the feature store beside the card's and terminal's state
 * (ARCHITECTURE.md, "Decision rules and lists"): exposed to rules as `velocity.<name>`, not read
 * by the model. Each counts the transaction being scored; 0 when the field it keys on is absent.
 * The order is the order of the Float64Array a store returns.
 */
export const VELOCITY_NAMES = [
  'device_tx_1h',
  'device_customers_24h',
  'ip_tx_1h',
  'ip_customers_24h',
  'customer_countries_30d',
  'customer_devices_30d',
] as const;
export type VelocityName = (typeof VELOCITY_NAMES)[number];
export const N_VELOCITY = VELOCITY_NAMES.length;

/**
 * The feature store's velocity states, each behind some of the counters: a device's, an IP's, and
 * the card's own (the countries and devices it was used from). A step keeps only the states a
 * rule reads (`StepOptions.velocity`).
 */
export const VELOCITY_STATES = ['device', 'ip', 'customer'] as const;
export type VelocityStateKind = (typeof VELOCITY_STATES)[number];

/** The state a counter is kept in: its name's prefix (`device_`, `ip_`, `customer_`). */
export function velocityStateOf(name: VelocityName): VelocityStateKind {
  return VELOCITY_STATES.find((s) => name.startsWith(`${s}_`))!;
}
