/**
 * For lmdb-outbox-store.test.ts: a process that opens the outbox in argv[2], appends three events,
 * prints "appended 3" once the append has resolved and then waits, never closing, to be killed.
 */
import { feedbackEvents } from '../../events/test-events.js';
import { LmdbOutboxStore } from './lmdb-outbox-store.js';

const store = await LmdbOutboxStore.open(process.argv[2]!, 1 << 30);
const { stored } = await store.append(feedbackEvents(0, 3));
process.stdout.write(`appended ${stored}\n`);
setInterval(() => undefined, 60_000);
