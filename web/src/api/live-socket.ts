/**
 * The LiveHub connection (`/v1/live`): one WebSocket, reconnected with backoff, resumed from the
 * last sequence number seen (`?after=`). Frames are parsed with core's parser, never trusted.
 * Listeners get the new items in order, each seq once; a `gap` (events older than the hub keeps,
 * or a hub that lost its history) tells the feed to reload from the API.
 */
import { createSignal, type Accessor } from 'solid-js';
import { parseHubFrame, type LiveItem } from '@vigil/core';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Why the feed must reload: events were missed, or the hub's numbering restarted. */
export interface LiveGap {
  readonly reason: 'gap' | 'reset';
  readonly fromSeq: number;
  readonly toSeq: number;
}

/** The part of the browser's WebSocket the client uses (a fake in tests). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

/** The browser's online/offline signal, injectable for tests. */
export interface NetworkStatus {
  isOnline(): boolean;
  /** Calls `cb(online)` on every change; returns the unsubscribe function. */
  subscribe(cb: (online: boolean) => void): () => void;
}

export interface LiveSocketOptions {
  /** The socket URL for a resume point (null: from now on). */
  readonly url: (after: number | null) => string;
  readonly create: SocketFactory;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (handle: unknown) => void;
  readonly network?: NetworkStatus;
  /** A connection that sends no hello within this time is dropped and retried (ms). */
  readonly helloTimeoutMs?: number;
}

export interface LiveSocket {
  readonly state: Accessor<ConnectionState>;
  /** Retries since the last successful hello. */
  readonly attempts: Accessor<number>;
  /** The last sequence number delivered to listeners (null before the first hello). */
  lastSeq(): number | null;
  start(): void;
  stop(): void;
  /** Subscribe to new items (in seq order, each once); returns the unsubscribe function. */
  onItems(cb: (items: readonly LiveItem[]) => void): () => void;
  onGap(cb: (gap: LiveGap) => void): () => void;
  /** Frames that failed to parse, for diagnostics. */
  readonly rejectedFrames: () => number;
}

/** `ws(s)://host/v1/live[?after=N]` for the page's origin. */
export function liveUrlFor(loc: {
  protocol: string;
  host: string;
}): (after: number | null) => string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return (after) => `${scheme}://${loc.host}/v1/live${after === null ? '' : `?after=${after}`}`;
}

/** A reconnecting, resuming LiveHub client. Nothing connects until `start()`. */
export function createLiveSocket(opts: LiveSocketOptions): LiveSocket {
  const random = opts.random ?? Math.random;
  const setT = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT =
    opts.clearTimeout ??
    ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;

  const [state, setState] = createSignal<ConnectionState>('offline');
  const [attempts, setAttempts] = createSignal(0);
  const itemListeners = new Set<(items: readonly LiveItem[]) => void>();
  const gapListeners = new Set<(gap: LiveGap) => void>();

  let started = false;
  let everLive = false;
  let socket: SocketLike | null = null;
  let retryTimer: unknown = null;
  let helloTimer: unknown = null;
  let lastSeq: number | null = null;
  let rejected = 0;
  let unsubscribeNetwork: (() => void) | null = null;

  function clearTimers(): void {
    if (retryTimer !== null) clearT(retryTimer);
    if (helloTimer !== null) clearT(helloTimer);
    retryTimer = null;
    helloTimer = null;
  }

  function emitGap(gap: LiveGap): void {
    for (const cb of gapListeners) cb(gap);
  }

  function handleText(text: string): void {
    const frame = parseHubFrame(text);
    if (!frame) {
      rejected++;
      return;
    }
    switch (frame.type) {
      case 'hello': {
        if (helloTimer !== null) clearT(helloTimer);
        helloTimer = null;
        everLive = true;
        setAttempts(0);
        setState('live');
        if (lastSeq === null) {
          lastSeq = frame.last_seq;
        } else if (frame.last_seq < lastSeq) {
          // The hub's numbering went backwards (it lost its storage): nothing we hold is
          // resumable any more; start again from its present and reload.
          const from = lastSeq;
          lastSeq = frame.last_seq;
          emitGap({ reason: 'reset', fromSeq: frame.last_seq, toSeq: from });
        }
        return;
      }
      case 'gap': {
        lastSeq = Math.max(lastSeq ?? 0, frame.to_seq);
        emitGap({ reason: 'gap', fromSeq: frame.from_seq, toSeq: frame.to_seq });
        return;
      }
      case 'events': {
        const fresh: LiveItem[] = [];
        for (const item of frame.items) {
          if (lastSeq !== null && item.seq <= lastSeq) continue; // already delivered
          lastSeq = item.seq;
          fresh.push(item);
        }
        if (fresh.length > 0) for (const cb of itemListeners) cb(fresh);
        return;
      }
    }
  }

  function connect(): void {
    clearTimers();
    if (!started) return;
    if (opts.network && !opts.network.isOnline()) {
      setState('offline');
      return;
    }
    setState(everLive ? 'reconnecting' : attempts() === 0 ? 'connecting' : 'reconnecting');
    let ws: SocketLike;
    try {
      ws = opts.create(opts.url(lastSeq));
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    helloTimer = setT(() => {
      helloTimer = null;
      if (socket === ws) ws.close(4000, 'no hello');
    }, helloTimeoutMs);
    ws.onmessage = (ev) => {
      if (socket !== ws) return;
      if (typeof ev.data === 'string') handleText(ev.data);
      else rejected++;
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      scheduleReconnect();
    };
    ws.onerror = () => {
      // A close event follows every error; reconnecting is its job.
    };
  }

  function scheduleReconnect(): void {
    clearTimers();
    if (!started) {
      setState('offline');
      return;
    }
    if (opts.network && !opts.network.isOnline()) {
      setState('offline');
      return;
    }
    const n = attempts() + 1;
    setAttempts(n);
    setState('reconnecting');
    retryTimer = setT(
      () => {
        retryTimer = null;
        connect();
      },
      backoffDelay(n, random, backoff),
    );
  }

  function dropSocket(): void {
    const ws = socket;
    socket = null;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
      ws.close(1000, 'client stop');
    }
  }

  return {
    state,
    attempts,
    lastSeq: () => lastSeq,
    rejectedFrames: () => rejected,
    start() {
      if (started) return;
      started = true;
      unsubscribeNetwork =
        opts.network?.subscribe((online) => {
          if (!started) return;
          if (online) {
            if (!socket) {
              setAttempts(0);
              connect();
            }
          } else {
            // Do not burn retries while the machine is offline; resume on 'online'.
            clearTimers();
            dropSocket();
            setState('offline');
          }
        }) ?? null;
      connect();
    },
    stop() {
      started = false;
      everLive = false;
      clearTimers();
      dropSocket();
      unsubscribeNetwork?.();
      unsubscribeNetwork = null;
      lastSeq = null;
      setAttempts(0);
      setState('offline');
    },
    onItems(cb) {
      itemListeners.add(cb);
      return () => itemListeners.delete(cb);
    },
    onGap(cb) {
      gapListeners.add(cb);
      return () => gapListeners.delete(cb);
    },
  };
}

/** The browser's WebSocket as a SocketFactory (permessage-deflate is the browser's choice). */
export function browserSocketFactory(url: string): SocketLike {
  return new WebSocket(url) as unknown as SocketLike;
}

/** navigator.onLine and the window's online/offline events. */
export function browserNetworkStatus(win: Window): NetworkStatus {
  return {
    isOnline: () => win.navigator.onLine,
    subscribe(cb) {
      const on = (): void => cb(true);
      const off = (): void => cb(false);
      win.addEventListener('online', on);
      win.addEventListener('offline', off);
      return () => {
        win.removeEventListener('online', on);
        win.removeEventListener('offline', off);
      };
    },
  };
}
