/**
 * The LiveHub Durable Object: one instance (`idFromName('global')`) relays every published event
 * to every dashboard connected to `/v1/live`, numbered by a sequence that only grows, and keeps
 * the last VIGIL_HUB_RETAIN (default HUB_RETAINED_EVENTS) in its SQLite storage for clients that
 * resume with `?after=SEQ`.
 *
 * Built for the WebSocket Hibernation API: sockets are accepted with `ctx.acceptWebSocket`, pings
 * are answered by the runtime (`ping` → `pong`, setWebSocketAutoResponse) without waking the
 * object, and nothing correctness depends on lives in memory — the sequence, the retained events
 * and the dedupe index are in SQLite, each socket's details in its attachment — so the object can
 * be evicted between any two events and wake up as it was.
 *
 * Frames (text, JSON; core's HubFrame): on connect `hello {last_seq, oldest_seq}`; when resuming,
 * a `gap {from_seq, to_seq}` first if events after SEQ were trimmed, then the retained events
 * after SEQ as `events {items: [{seq, event}]}` (≤ 500 per frame); then one `events` frame per
 * publish. A client whose SEQ is beyond last_seq (the hub's storage was reset) is treated as
 * resuming from 0: hello's last_seq tells it so.
 */
import { DurableObject } from 'cloudflare:workers';
import type { HubFrame, HubPublishResponse } from '@vigil/core';
import { loadConfig } from '../../config/index.js';
import type { PublishItem } from './hub-publish.js';

/** Events per `events` frame when replaying to a resuming client. */
export const REPLAY_CHUNK = 500;

/** What the Worker tells the hub about an authenticated connection. */
export const SUBJECT_HEADER = 'x-vigil-live-subject';

/** The bindings the hub reads. */
export interface HubEnv {
  /** Events kept for resuming clients (default HUB_RETAINED_EVENTS). */
  readonly VIGIL_HUB_RETAIN?: string;
}

/** Per-socket state, kept with the socket through hibernation. */
interface Attachment {
  readonly subject: string;
  readonly connected_at: string;
}

export class LiveHub extends DurableObject<HubEnv> {
  private readonly sql: SqlStorage;
  private readonly retain: number;

  constructor(ctx: DurableObjectState, env: HubEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.retain = loadConfig({ VIGIL_HUB_RETAIN: env.VIGIL_HUB_RETAIN }).hubRetainedEvents;
    // Runs on every wake-up: idempotent and synchronous.
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS hub_events ' +
        '(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event TEXT NOT NULL)',
    );
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)',
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  /** A `/v1/live` connection the Worker has authenticated: accept it and bring it up to date. */
  override fetch(request: Request): Response {
    const after = new URL(request.url).searchParams.get('after');
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    this.ctx.acceptWebSocket(server);
    const attachment: Attachment = {
      subject: request.headers.get(SUBJECT_HEADER) ?? 'unknown',
      connected_at: new Date().toISOString(),
    };
    server.serializeAttachment(attachment);
    // No await from here to the return: no publish can slip between the replay and the live feed.
    const last = this.lastSeq();
    const oldest = this.oldestSeq(last);
    send(server, { type: 'hello', last_seq: last, oldest_seq: oldest });
    if (after !== null) this.replay(server, Number(after), last, oldest);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Number, store and relay events (RPC from the Worker's publish route). An event_id seen before
   * (and still retained) is a duplicate: not stored, not relayed, no number.
   */
  publish(items: readonly PublishItem[]): HubPublishResponse {
    const fresh: string[] = [];
    const last = this.ctx.storage.transactionSync(() => {
      let seq = this.lastSeq();
      for (const item of items) {
        const c = this.sql.exec(
          'INSERT OR IGNORE INTO hub_events (seq, event_id, event) VALUES (?, ?, ?)',
          seq + 1,
          item.event_id,
          item.json,
        );
        if (c.rowsWritten > 0) {
          seq++;
          fresh.push(`{"seq":${seq},"event":${item.json}}`);
        }
      }
      if (fresh.length > 0) {
        this.sql.exec(
          'INSERT INTO hub_meta (key, value) VALUES (?, ?) ' +
            'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          'last_seq',
          seq,
        );
        this.sql.exec('DELETE FROM hub_events WHERE seq <= ?', seq - this.retain);
      }
      return seq;
    });
    if (fresh.length > 0) {
      const frame = `{"type":"events","items":[${fresh.join(',')}]}`;
      for (const ws of this.ctx.getWebSockets()) sendText(ws, frame);
    }
    return { accepted: fresh.length, duplicates: items.length - fresh.length, last_seq: last };
  }

  /** Clients only listen; anything but the auto-answered `ping` is ignored. */
  override webSocketMessage(): void {}

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    // Complete the closing handshake (1005/1006 are not codes one may send).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override webSocketError(ws: WebSocket, error: unknown): void {
    const a = ws.deserializeAttachment() as Attachment | null;
    console.error(
      JSON.stringify({
        level: 'warn',
        msg: 'live socket error',
        subject: a?.subject,
        error: String(error),
      }),
    );
    try {
      ws.close(1011, 'socket error');
    } catch {
      // already closed
    }
  }

  /** The missed events after `after`, preceded by a gap if some of them were trimmed. */
  private replay(ws: WebSocket, after: number, last: number, oldest: number): void {
    const from = after > last ? 0 : after;
    if (from + 1 < oldest) send(ws, { type: 'gap', from_seq: from + 1, to_seq: oldest - 1 });
    let items: string[] = [];
    const rows = this.sql.exec<{ seq: number; event: string }>(
      'SELECT seq, event FROM hub_events WHERE seq > ? ORDER BY seq',
      from,
    );
    for (const row of rows) {
      items.push(`{"seq":${row.seq},"event":${row.event}}`);
      if (items.length === REPLAY_CHUNK) {
        sendText(ws, `{"type":"events","items":[${items.join(',')}]}`);
        items = [];
      }
    }
    if (items.length > 0) sendText(ws, `{"type":"events","items":[${items.join(',')}]}`);
  }

  private lastSeq(): number {
    const row = this.sql
      .exec<{ value: number }>("SELECT value FROM hub_meta WHERE key = 'last_seq'")
      .toArray()[0];
    return row?.value ?? 0;
  }

  /** The oldest retained seq; last + 1 when none is. */
  private oldestSeq(last: number): number {
    const row = this.sql.exec<{ s: number | null }>('SELECT MIN(seq) AS s FROM hub_events').one();
    return row.s ?? last + 1;
  }
}

function send(ws: WebSocket, frame: HubFrame): void {
  sendText(ws, JSON.stringify(frame));
}

/** A socket closing under us is not the publisher's problem. */
function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // closed or closing: its close handler cleans up
  }
}
