/**
 * The Worker's side of the EventOutbox Durable Object: the request sink's handoff, the check each
 * isolate makes once that stored events have an alarm, and the outbox's numbers on /metrics.
 * Stubs are made per call: a stub belongs to the request that made it, and this object outlives
 * requests (it is built once per isolate).
 */
import type { VigilEvent } from '@vigil/core';
import type { Logger } from '../../app/app-context.js';
import {
  renderOutboxStats,
  type DurableHandoff,
  type HandoffResult,
  type OutboxStats,
} from '../../events/index.js';
import type { EventOutbox } from './event-outbox.js';

/** The outbox's one instance. */
export const OUTBOX_NAME = 'global';
/** How long a /metrics scrape waits for the outbox's numbers. */
const STATS_TIMEOUT_MS = 2_000;

export class WorkerOutbox implements DurableHandoff {
  constructor(
    private readonly ns: DurableObjectNamespace<EventOutbox>,
    private readonly log: Logger,
  ) {}

  private stub() {
    return this.ns.get(this.ns.idFromName(OUTBOX_NAME));
  }

  async append(events: readonly VigilEvent[]): Promise<HandoffResult> {
    return await this.stub().append(events);
  }

  async resume(): Promise<void> {
    await this.stub().resume();
  }

  /** Once per isolate: events stored earlier (a lost alarm, a restart) get delivered. */
  async ensureScheduled(): Promise<void> {
    try {
      await this.stub().ensureScheduled();
    } catch (error) {
      this.log({ level: 'warn', msg: 'durable outbox: could not check its schedule', error });
    }
  }

  /** The outbox's numbers, or null (logged) if it does not answer within 2 s. */
  async stats(): Promise<OutboxStats | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 2 s')), STATS_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.stub().stats(), timeout]);
    } catch (error) {
      this.log({ level: 'warn', msg: 'durable outbox: could not read its stats', error });
      return null;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** The app's /metrics answer (already authenticated) with the outbox's families appended. */
  async withMetrics(response: Response): Promise<Response> {
    const [text, stats] = await Promise.all([response.text(), this.stats()]);
    return new Response(text + renderOutboxStats(stats), {
      status: response.status,
      headers: response.headers,
    });
  }
}
