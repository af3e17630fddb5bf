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
