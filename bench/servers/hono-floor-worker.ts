/** The floor: a Hono app that only parses the JSON body and returns a fixed JSON (Worker module; hono-floor.ts serves it on Node). */
import { Hono } from 'hono';

const app = new Hono();
const fixed = {
  transaction_id: 'tx',
  score: 0.01,
  decision: 'approve',
  reasons: [],
  model_version: 'floor',
  degraded: false,
  replayed: false,
};
app.post('/v1/score', async (c) => {
  await c.req.json();
  return c.json(fixed);
});
app.post('/v1/score/batch', async (c) => {
  const body = await c.req.json<{ transactions: unknown[] }>();
  return c.json({ results: body.transactions.map(() => fixed) });
});
app.get('/v1/health', (c) => c.json({ ok: true }));

export default { fetch: app.fetch };
