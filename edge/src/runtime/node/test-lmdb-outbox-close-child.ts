/**
 * For lmdb-outbox-store.test.ts, in a child process because the defect it guards against blocked
 * the event loop (no test timeout can fire then): a sink over the LMDB outbox in argv[2] is closed
 * while events are being emitted — as a verdict reaching the edge during its shutdown — and prints
 * "accepted N" with what the backplane received, then exits.
 */
import { DeliveryMetrics } from '../../events/delivery-metrics.js';
import { OutboxEventSink } from '../../events/outbox-event-sink.js';
import { feedbackEvents } from '../../events/test-events.js';
import { startTestIngest } from '../../events/test-ingest-server.js';
import { createWebCryptoHmac } from '../../events/web-crypto-hmac.js';
import { LmdbOutboxStore } from './lmdb-outbox-store.js';

const SECRET = 'events-secret-0123456789';
const ingest = await startTestIngest(SECRET);
const store = await LmdbOutboxStore.open(process.argv[2]!, 1 << 30);
const sink = new OutboxEventSink({
  target: {
    backplaneUrl: ingest.url,
    secret: SECRET,
    hmac: createWebCryptoHmac(),
    timeoutMs: 2_000,
  },
  store,
  flushMs: 20,
  metrics: new DeliveryMetrics(),
  log: () => {},
});
const closing = sink.close(2_000);
sink.emit(feedbackEvents(0, 10));
await closing;
process.stdout.write(`accepted ${ingest.accepted().length}\n`);
await ingest.close();
process.exit(0);
