/**
 * The body of `POST /internal/hub/publish` (core's HubPublishRequest), checked at the border:
 * `{"events":[…]}` with 1–5,000 objects, each with a `kind` the feed knows and an `event_id`.
 * The hub stores and relays each event as the publisher sent it (the backplane builds them from
 * core's LiveEvent types); the dashboard parses what it receives with core's parseHubFrame.
 */
import type { FieldIssue, Validated } from '@vigil/core';

export const MAX_PUBLISH_EVENTS = 5_000;
/** 5,000 events of ~1.5 kB with room to spare. */
export const MAX_PUBLISH_BYTES = 16 * 1024 * 1024;
const KINDS = new Set(['decision', 'feedback', 'case']);

/** One event to publish: its id and its JSON text, as it will be stored and relayed. */
export interface PublishItem {
  readonly event_id: string;
  readonly json: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate a parsed publish body; every bad event named by JSON Pointer (at most 100). */
export function validatePublish(body: unknown): Validated<PublishItem[]> {
  if (!isObject(body) || !Array.isArray(body.events)) {
    return { ok: false, issues: [{ path: '/events', message: 'events must be an array' }] };
  }
  const events: unknown[] = body.events;
  const extra = Object.keys(body).filter((k) => k !== 'events');
  if (extra.length > 0) {
    return { ok: false, issues: extra.map((k) => ({ path: `/${k}`, message: 'unknown field' })) };
  }
  if (events.length === 0 || events.length > MAX_PUBLISH_EVENTS) {
    const message = `events must hold 1 to ${MAX_PUBLISH_EVENTS} events, not ${events.length}`;
    return { ok: false, issues: [{ path: '/events', message }] };
  }
  const issues: FieldIssue[] = [];
  const items: PublishItem[] = [];
  for (let i = 0; i < events.length && issues.length < 100; i++) {
    const e = events[i];
    if (!isObject(e)) {
      issues.push({ path: `/events/${i}`, message: 'an event must be an object' });
      continue;
    }
    if (typeof e.kind !== 'string' || !KINDS.has(e.kind)) {
      issues.push({
        path: `/events/${i}/kind`,
        message: 'kind must be decision, feedback or case',
      });
    }
    const id = e.event_id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 300) {
      issues.push({ path: `/events/${i}/event_id`, message: 'event_id must be 1–300 characters' });
      continue;
    }
    items.push({ event_id: id, json: JSON.stringify(e) });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: items };
}
