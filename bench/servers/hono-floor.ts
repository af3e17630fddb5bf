/**
 * The floor the edge is measured against: a Hono handler on @hono/node-server that only parses the
 * JSON body and returns a fixed JSON answer. Same framework, same runtime, same process shape.
 */
import { serve } from '@hono/node-server';
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

const port = Number(process.env.PORT ?? 8799);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () =>
  process.stdout.write(`listening ${port}\n`),
);
