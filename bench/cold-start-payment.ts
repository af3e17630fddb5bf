/** The payments a cold edge answers first in bench/cold-start.ts, and the key it sends. */
export const COLD_KEY = 'bench-cold-start-key-0123456789';

/** POST /v1/score of one payment with id `id`. */
export function coldPayment(id: string): RequestInit {
  return {
    method: 'POST',
    headers: { authorization: `Bearer ${COLD_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      transaction_id: id,
      timestamp: '2026-01-01T12:00:00Z',
      customer_id: 'c_1',
      terminal_id: 't_1',
      amount: 42,
    }),
  };
}

export const FIRST_PAYMENT: RequestInit = coldPayment('tx_cold_1');
