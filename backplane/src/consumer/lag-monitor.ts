/**
 * Consumer lag, read every few seconds (Kafka: admin.fetchOffsets against fetchTopicOffsets) into
 * the vigil_backplane_consumer_lag gauge, and kept for the analysts' API's stats.
 */
import type { Logger } from 'pino';
import type { EventLog } from '../adapters/event-log.port.js';
import type { BackplaneMetrics } from '../http/backplane-metrics.js';
import type { LagReader } from '../ports.js';

export interface LagMonitor extends LagReader {
  stop(): void;
}

export function startLagMonitor(o: {
  readonly eventLog: EventLog;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly metrics: BackplaneMetrics;
  readonly log: Logger;
  /** Default 5 s. */
  readonly intervalMs?: number;
}): LagMonitor {
  let last = 0;
  let failing = false;
  const read = async (): Promise<number> => {
    const lag = await o.eventLog.lag(o.groupId, o.topics);
    last = lag;
    o.metrics.consumerLag.set(lag);
    return lag;
  };
  const tick = () => {
    read().then(
      () => {
        if (failing) o.log.info('consumer lag readable again');
        failing = false;
      },
      (err: unknown) => {
        // Logged once per outage: Kafka being away is reported by the ingest and the consumer.
        if (!failing) o.log.warn({ err }, 'cannot read consumer lag');
        failing = true;
      },
    );
  };
  tick();
  const timer = setInterval(tick, o.intervalMs ?? 5_000);
  timer.unref();
  return {
    current: () => last,
    read,
    stop: () => clearInterval(timer),
  };
}
