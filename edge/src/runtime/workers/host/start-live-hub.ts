/**
 * The LiveHub for the Node edge (`npm run start:node`): the Node runtime has no Durable Objects,
 * so the same Worker bundle runs in workerd as a hub-only service (VIGIL_HUB_ONLY=1: it answers
 * `/v1/live` and `/internal/hub/*` and nothing else, and never loads the model), and the Node edge
 * forwards those two paths to it (VIGIL_HUB_URL; runtime/node/hub-forwarder.ts). Node side.
 *
 *   const hub = await startLiveHub(bundle, { bindings: { VIGIL_API_KEYS, VIGIL_HUB_SECRET,
 *     VIGIL_SESSION_SECRET }, persistDir: '.vigil/hub' });
 *   await startNodeEdge({ ...env, VIGIL_HUB_URL: hub.url.origin });
 *
 * The hub authenticates `/v1/live` itself, so it gets the same keys and secrets as the edge.
 */
import type { WorkerBundle } from './bundle.js';
import { startWorkerd, type StartWorkerdOptions, type WorkerdEdge } from './start-workerd.js';

/** The bindings the hub reads; pass the edge's values. */
export const HUB_BINDINGS = [
  'VIGIL_API_KEYS',
  'VIGIL_ANALYST_KEYS',
  'VIGIL_SESSION_SECRET',
  'VIGIL_HUB_SECRET',
  'VIGIL_HUB_RETAIN',
  'VIGIL_CORS_ORIGINS',
] as const;

/** Start the Worker of `bundle` as a hub-only service on loopback. */
export function startLiveHub(
  bundle: WorkerBundle,
  options: StartWorkerdOptions = {},
): Promise<WorkerdEdge> {
  return startWorkerd(bundle, {
    ...options,
    bindings: { ...options.bindings, VIGIL_HUB_ONLY: '1' },
  });
}
