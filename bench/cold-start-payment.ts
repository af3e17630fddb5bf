/** The first payment a cold edge answers in bench/cold-start.ts, and the key it sends. */
export const COLD_KEY = 'bench-cold-start-key-0123456789';
export const FIRST_PAYMENT: RequestInit = {
  method: 'POST',
  headers: { authorization: `Bearer ${COLD_KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({
    transaction_id: 'tx_cold_1',
    timestamp: '2026-01-01T12:00:00Z',
    customer_id: 'c_1',
    terminal_id: 't_1',
    amount: 42,
  }),
};
