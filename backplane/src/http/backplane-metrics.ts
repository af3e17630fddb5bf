/**
 * The backplane's Prometheus metrics (prom-client), on a registry of its own so that several
 * backplanes in one process (tests) do not collide. GET /metrics renders it.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HubPublisherObserver } from '../adapters/hub/http-hub-publisher.js';
import type { VerdictDeliveryObserver } from '../api/verdict-delivery/verdict-deliverer.js';

export class BackplaneMetrics {
  readonly registry = new Registry();

  readonly ingestRequests = new Counter({
    name: 'vigil_backplane_ingest_requests_total',
    help: 'POST /ingest/events requests by status.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly ingestEvents = new Counter({
    name: 'vigil_backplane_ingest_events_total',
    help: 'Events accepted by the ingest (acknowledged by the log), by type.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly ingestBatchSize = new Histogram({
    name: 'vigil_backplane_ingest_batch_size',
    help: 'Events per accepted ingest request.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000],
    registers: [this.registry],
  });
  readonly produceSeconds = new Histogram({
    name: 'vigil_backplane_produce_duration_seconds',
    help: 'Time for the log (Kafka, acks -1) to take one ingest batch.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly produceFailures = new Counter({
    name: 'vigil_backplane_produce_failures_total',
    help: 'Ingest batches the log could not take (answered 503).',
    registers: [this.registry],
  });
  readonly consumedEvents = new Counter({
    name: 'vigil_backplane_consumed_events_total',
    help: 'Events consumed and written to Postgres, by type (redeliveries included).',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly consumerBatchSize = new Histogram({
    name: 'vigil_backplane_consumer_batch_size',
    help: 'Messages per consumed batch (one topic partition).',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000],
    registers: [this.registry],
  });
  readonly invalidMessages = new Counter({
    name: 'vigil_backplane_invalid_messages_total',
    help: 'Consumed messages that failed core schema validation (skipped).',
    registers: [this.registry],
  });
  readonly rejectedEvents = new Counter({
    name: 'vigil_backplane_rejected_events_total',
    help: 'Valid events Postgres refused to store (a value it cannot hold); skipped, logged.',
    registers: [this.registry],
  });
  readonly dbWriteSeconds = new Histogram({
    name: 'vigil_backplane_db_write_duration_seconds',
    help: 'Time of one Postgres write (the consumed batches that arrived together, and their labels).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly dbWriteEvents = new Histogram({
    name: 'vigil_backplane_db_write_events',
    help: 'Events per Postgres write (consumed batches of several partitions are written together).',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000],
    registers: [this.registry],
  });
  readonly dbWriteFailures = new Counter({
    name: 'vigil_backplane_db_write_failures_total',
    help: 'Failed Postgres writes (of the batches that arrived together; retried until they succeed).',
    registers: [this.registry],
  });
  readonly retentionPruned = new Counter({
    name: 'vigil_backplane_retention_pruned_total',
    help: 'Decisions deleted by retention (VIGIL_RETENTION_DAYS): unlabelled, without a case, older than the window.',
    registers: [this.registry],
  });
  readonly retentionFailures = new Counter({
    name: 'vigil_backplane_retention_failures_total',
    help: 'Retention runs that failed (retried at the next interval).',
    registers: [this.registry],
  });
  readonly driftPsi = new Gauge({
    name: 'vigil_drift_psi',
    help: 'Population stability (PSI) of the champion\'s score (feature="score") and of each feature over the drift window against its training reference (0.1 watch, 0.25 act).',
    labelNames: ['feature'],
    registers: [this.registry],
  });
  readonly driftFailures = new Counter({
    name: 'vigil_drift_failures_total',
    help: 'Drift runs that failed (retried at the next interval).',
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: 'vigil_backplane_consumer_lag',
    help: 'Messages not yet committed by the consumer group, over both topics.',
    registers: [this.registry],
  });
  readonly hubPublished = new Counter({
    name: 'vigil_backplane_hub_published_events_total',
    help: 'Live events acknowledged by the LiveHub.',
    registers: [this.registry],
  });
  readonly hubPublishSeconds = new Histogram({
    name: 'vigil_backplane_hub_publish_duration_seconds',
    help: 'Time of one successful publish request to the LiveHub.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly hubPublishFailures = new Counter({
    name: 'vigil_backplane_hub_publish_failures_total',
    help: 'Failed publish requests to the LiveHub (retried).',
    registers: [this.registry],
  });
  readonly hubDropped = new Counter({
    name: 'vigil_backplane_hub_dropped_events_total',
    help: 'Live events given up on (queue full, refused, shutdown); Postgres still has them.',
    registers: [this.registry],
  });
  readonly hubQueueDepth = new Gauge({
    name: 'vigil_backplane_hub_queue_depth',
    help: 'Live events queued or in flight to the LiveHub.',
    registers: [this.registry],
  });
  readonly verdictDeliveries = new Gauge({
    name: 'vigil_backplane_verdict_deliveries',
    help: "Analysts' verdicts not applied at the edge: pending (kept, retried) or failed (shown with the reason).",
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly verdictTries = new Counter({
    name: 'vigil_backplane_verdict_delivery_tries_total',
    help: "Tries to hand a verdict to the edge's POST /v1/feedback, by the state they left it in.",
    labelNames: ['state'],
    registers: [this.registry],
  });

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'vigil_backplane_' });
    }
  }

  /** The hub publisher's hooks into these metrics. */
  hubObserver(): HubPublisherObserver {
    return {
      published: (n, s) => {
        this.hubPublished.inc(n);
        this.hubPublishSeconds.observe(s);
      },
      failed: () => this.hubPublishFailures.inc(),
      dropped: (n) => this.hubDropped.inc(n),
    };
  }

  /** The verdict deliverer's hooks into these metrics. */
  verdictObserver(): VerdictDeliveryObserver {
    return {
      tried: (state) => this.verdictTries.inc({ state }),
      backlog: ({ pending, failed }) => {
        this.verdictDeliveries.set({ state: 'pending' }, pending);
        this.verdictDeliveries.set({ state: 'failed' }, failed);
      },
    };
  }
}
