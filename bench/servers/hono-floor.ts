/**
 * The floor the Node edge is measured against: the same Hono app as the Worker floor (parse the
 * JSON body, return a fixed JSON) on @hono/node-server. Same framework, same runtime, same shape.
 */
import { serve } from '@hono/node-server';
import floor from './hono-floor-worker.js';

const port = Number(process.env.PORT ?? 8799);
serve({ fetch: floor.fetch, port, hostname: '127.0.0.1' }, () =>
  process.stdout.write(`listening ${port}\n`),
);
