/**
 * The Node outbox's disk spill (the OutboxSpill of events/outbox-spill.port.ts): the events the
 * in-memory outbox cannot hold, as NDJSON — one event per line — in files under VIGIL_OUTBOX_DIR:
 *
 *   segment-<n>.ndjson  appended to in order (n = 1, 2, …). A new one starts past `segmentBytes`,
 *                       and when the reader reaches the one being written, so that nothing is read
 *                       while it grows and a drained spill leaves no file behind.
 *   head-<n>.ndjson     written by close(): events read back but undelivered, which come before
 *                       every segment (a later head before an earlier one). Written as `.tmp`,
 *                       synced, then renamed.
 *   lock                the pid of the process using the directory (dir-lock.ts).
 *
 * Appends are one write each (the sink batches them); reads take a run of lines from the oldest
 * file; appends, reads and deletions run one at a time. A file is deleted only once it has been
 * read to its end and every event read from it is settled (delivered, or dropped for good by the
 * sink), so a crash in between loses nothing of it: it is read, and delivered, again (the backplane
 * dedupes by event_id). A line torn by a crash is skipped and counted as lost. Lines are checked
 * against core's schemas when read back: the disk is a border. Appends are not fsynced (a kill -9
 * cannot lose what reached the page cache; a power cut can); close()'s head is.
 */
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { validateEvent, type VigilEvent } from '@vigil/core';
import type { OutboxSpill, SpillRead } from '../../events/outbox-spill.port.js';
import { DirLockedError, takeDirLock, type DirLock } from './dir-lock.js';

export interface FileOutboxSpillOptions {
  /** VIGIL_OUTBOX_DIR (created if missing). */
  readonly dir: string;
  /** VIGIL_OUTBOX_SPILL_MAX_BYTES. */
  readonly maxBytes: number;
  /** A segment takes no more appends past this size (default 8 MiB). */
  readonly segmentBytes?: number;
}

export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Bytes a read takes at a time (more when one line is longer). */
const READ_BYTES = 1024 * 1024;
/** Events per write of a head. */
const HEAD_WRITE_EVENTS = 5_000;
const NEWLINE = 0x0a;
const SEGMENT = /^segment-([1-9]\d*)\.ndjson$/;
const HEAD = /^head-([1-9]\d*)\.ndjson(\.tmp)?$/;

/** VIGIL_OUTBOX_DIR cannot be used: not creatable, not readable, not writable. */
export class OutboxDirError extends Error {
  readonly code = 'OUTBOX_DIR_UNUSABLE';
  constructor(dir: string, cause: unknown) {
    super(
      `VIGIL_OUTBOX_DIR=${dir} cannot hold the event outbox's spill: ` +
        (cause instanceof Error ? cause.message : String(cause)),
      { cause },
    );
    this.name = 'OutboxDirError';
  }
}

interface Segment {
  /** Order: heads first (−n: the latest head first), then segments (n). Never 0. */
  readonly key: number;
  readonly path: string;
  /** Bytes written: all that a read may see. */
  size: number;
  /** Complete lines written. */
  lines: number;
  readBytes: number;
  readLines: number;
  /** Events handed out by read(), and how many of those are settled. */
  handed: number;
  settled: number;
  /** Open for appends: the newest segment, until it is full or the reader reaches it. */
  handle: FileHandle | null;
}

/** Open the spill in `dir` (creating it) and take its lock; events found there are unread. */
export async function openFileOutboxSpill(
  options: FileOutboxSpillOptions,
): Promise<FileOutboxSpill> {
  const { dir } = options;
  let lock: DirLock;
  try {
    await mkdir(dir, { recursive: true });
    lock = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
  } catch (e) {
    throw e instanceof DirLockedError ? e : new OutboxDirError(dir, e);
  }
  try {
    const segments = await scan(dir);
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    return new FileOutboxSpill(dir, options.maxBytes, segmentBytes, lock, segments);
  } catch (e) {
    await lock.release();
    throw new OutboxDirError(dir, e);
  }
}

export class FileOutboxSpill implements OutboxSpill {
  private unreadCount = 0;
  private total = 0;
  /** The last operation: each waits for the one before. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly where: string,
    readonly maxBytes: number,
    private readonly segmentBytes: number,
    private readonly lock: DirLock,
    /** By key. */
    private readonly segments: Segment[],
  ) {
    for (const s of segments) {
      this.unreadCount += s.lines;
      this.total += s.size;
    }
  }

  get unread(): number {
    return this.unreadCount;
  }

  get bytes(): number {
    return this.total;
  }

  append(events: readonly VigilEvent[]): Promise<number> {
    return this.serial(async () => {
      this.assertOpen();
      let text = '';
      let bytes = 0;
      let n = 0;
      for (const e of events) {
        const line = `${JSON.stringify(e)}\n`;
        const size = Buffer.byteLength(line);
        if (this.total + bytes + size > this.maxBytes) break;
        text += line;
        bytes += size;
        n++;
      }
      if (n === 0) return 0;
      const seg = await this.writable();
      try {
        await seg.handle!.appendFile(text);
      } catch (e) {
        // Cut off whatever part went: a torn line would spoil the next append's first.
        await seg.handle!.truncate(seg.size).catch(() => undefined);
        await this.seal(seg);
        throw e;
      }
      seg.size += bytes;
      seg.lines += n;
      this.total += bytes;
      this.unreadCount += n;
      if (seg.size >= this.segmentBytes) await this.seal(seg);
      return n;
    });
  }

  read(max: number): Promise<SpillRead> {
    return this.serial(async () => {
      this.assertOpen();
      const seg = this.segments.find((s) => s.readBytes < s.size);
      if (!seg || max <= 0) return { events: [], segment: 0, lost: 0 };
      if (seg.handle) await this.seal(seg);
      const events: VigilEvent[] = [];
      let lines = 0;
      let lost = 0;
      const file = await open(seg.path, 'r').catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        return null; // deleted behind our back: what it held is gone, and must not block the rest
      });
      if (!file) {
        const gone = seg.lines - seg.readLines;
        seg.readBytes = seg.size;
        seg.readLines = seg.lines;
        this.unreadCount -= gone;
        await this.removeIfDone(seg);
        return { events: [], segment: seg.key, lost: gone };
      }
      try {
        let want = READ_BYTES;
        while (events.length < max && seg.readBytes < seg.size) {
          const len = Math.min(want, seg.size - seg.readBytes);
          const { bytesRead, buffer } = await file.read(
            Buffer.allocUnsafe(len),
            0,
            len,
            seg.readBytes,
          );
          const buf = buffer.subarray(0, bytesRead);
          let start = 0;
          for (let nl = buf.indexOf(NEWLINE); nl !== -1 && events.length < max;) {
            const event = parseLine(buf.toString('utf8', start, nl));
            if (event) events.push(event);
            else lost++;
            lines++;
            start = nl + 1;
            nl = buf.indexOf(NEWLINE, start);
          }
          if (start > 0) {
            seg.readBytes += start;
            want = READ_BYTES;
          } else if (bytesRead === len && seg.readBytes + len < seg.size) {
            want *= 2; // one line longer than a read
          } else {
            // No newline to the end: the last line, torn by a crash.
            lost++;
            seg.readBytes = seg.size;
          }
        }
      } finally {
        await file.close();
      }
      seg.readLines += lines;
      seg.handed += events.length;
      this.unreadCount -= lines;
      if (seg.readBytes >= seg.size && seg.readLines < seg.lines) {
        // The file is shorter than what was written to it: those lines are gone.
        lost += seg.lines - seg.readLines;
        this.unreadCount -= seg.lines - seg.readLines;
        seg.readLines = seg.lines;
      }
      await this.removeIfDone(seg);
      return { events, segment: seg.key, lost };
    });
  }

  settle(segment: number, count: number): Promise<void> {
    return this.serial(async () => {
      const seg = this.segments.find((s) => s.key === segment);
      if (!seg || this.closed) return;
      seg.settled += count;
      await this.removeIfDone(seg);
    });
  }

  close(head: readonly VigilEvent[], origins: readonly number[]): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        const last = this.segments.at(-1);
        if (last?.handle) await this.seal(last);
        // The end of `head` read from a file not read to its end is still in that file, in order
        // after what comes before it: no need to write it twice.
        let n = head.length;
        while (n > 0) {
          const from = this.segments.find((s) => s.key === origins[n - 1]);
          if (!from || from.readBytes >= from.size) break;
          n--;
        }
        if (n > 0) await this.writeHead(head, n);
        // Files read to their end: what of theirs is unsettled is in the head now.
        for (const seg of [...this.segments]) {
          if (seg.readBytes >= seg.size && (n > 0 || seg.settled >= seg.handed)) {
            await this.remove(seg);
          }
        }
      } finally {
        await this.lock.release();
      }
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`outbox spill ${this.where}: closed`);
  }

  /** The segment being appended to, or a new one after the last. */
  private async writable(): Promise<Segment> {
    const last = this.segments.at(-1);
    if (last?.handle) return last;
    const key = Math.max(0, last?.key ?? 0) + 1;
    const path = join(this.where, `segment-${key}.ndjson`);
    const seg: Segment = {
      key,
      path,
      size: 0,
      lines: 0,
      readBytes: 0,
      readLines: 0,
      handed: 0,
      settled: 0,
      handle: await open(path, 'ax'),
    };
    this.segments.push(seg);
    return seg;
  }

  /** No more appends to `seg`. */
  private async seal(seg: Segment): Promise<void> {
    const handle = seg.handle;
    if (!handle) return;
    seg.handle = null;
    await handle.close();
    if (seg.size === 0) await this.remove(seg);
  }

  private async removeIfDone(seg: Segment): Promise<void> {
    if (!seg.handle && seg.readBytes >= seg.size && seg.settled >= seg.handed) {
      await this.remove(seg);
    }
  }

  private async remove(seg: Segment): Promise<void> {
    await rm(seg.path, { force: true });
    const i = this.segments.indexOf(seg);
    if (i >= 0) this.segments.splice(i, 1);
    this.total -= seg.size;
    this.unreadCount -= seg.lines - seg.readLines;
  }

  /** The first `n` of `events` as the new first file, complete or not at all. */
  private async writeHead(events: readonly VigilEvent[], n: number): Promise<void> {
    const key = Math.min(0, this.segments[0]?.key ?? 0) - 1;
    const path = join(this.where, `head-${-key}.ndjson`);
    const tmp = `${path}.tmp`;
    const file = await open(tmp, 'ax');
    try {
      for (let i = 0; i < n; i += HEAD_WRITE_EVENTS) {
        let text = '';
        for (let j = i; j < Math.min(n, i + HEAD_WRITE_EVENTS); j++) {
          text += `${JSON.stringify(events[j])}\n`;
        }
        await file.appendFile(text);
      }
      await file.datasync();
    } catch (e) {
      await file.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await file.close();
    await rename(tmp, path);
  }
}

/** One line back into an event; null when it is not one. */
function parseLine(line: string): VigilEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const v = validateEvent(json);
  return v.ok ? v.value : null;
}

/** The spill's files in `dir`, oldest first; a head cut short by a crash is taken as it is. */
async function scan(dir: string): Promise<Segment[]> {
  const found: Segment[] = [];
  for (const name of await readdir(dir)) {
    let path = join(dir, name);
    let key: number;
    let m = SEGMENT.exec(name);
    if (m) {
      key = Number(m[1]);
    } else if ((m = HEAD.exec(name))) {
      key = -Number(m[1]);
      if (m[2]) {
        // Its events existed nowhere else when the crash came: keep what was written.
        const whole = path.slice(0, -'.tmp'.length);
        await rename(path, whole);
        path = whole;
      }
    } else {
      continue;
    }
    const { size, lines } = await countLines(path);
    if (size === 0) {
      await rm(path, { force: true });
      continue;
    }
    found.push({
      key,
      path,
      size,
      lines,
      readBytes: 0,
      readLines: 0,
      handed: 0,
      settled: 0,
      handle: null,
    });
  }
  return found.sort((a, b) => a.key - b.key);
}

async function countLines(path: string): Promise<{ size: number; lines: number }> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let size = 0;
    let lines = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, size);
      if (bytesRead === 0) return { size, lines };
      const part = buf.subarray(0, bytesRead);
      for (let i = part.indexOf(NEWLINE); i !== -1; i = part.indexOf(NEWLINE, i + 1)) lines++;
      size += bytesRead;
    }
  } finally {
    await file.close();
  }
}
