import { eventKey, type VigilEvent } from '@vigil/core';
import type { LogProducer, LogRecord, TopicRecords } from '../adapters/event-log.port.js';
import type { EventProducer } from '../ports.js';

/**
 * Events → log records: decisions to the decisions topic, feedback to the feedback topic, each
 * keyed by core's eventKey (the customer), in one send.
 */
export function createEventProducer(
  producer: LogProducer,
  topics: { readonly decisions: string; readonly feedback: string },
): EventProducer {
  return {
    send(events: readonly VigilEvent[], encoded?: readonly Buffer[]): Promise<void> {
      const decisions: LogRecord[] = [];
      const feedback: LogRecord[] = [];
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        (e.type === 'decision' ? decisions : feedback).push({
          key: eventKey(e),
          value: encoded?.[i] ?? JSON.stringify(e),
        });
      }
      const batches: TopicRecords[] = [];
      if (decisions.length > 0) batches.push({ topic: topics.decisions, messages: decisions });
      if (feedback.length > 0) batches.push({ topic: topics.feedback, messages: feedback });
      return producer.send(batches);
    },
  };
}
