/**
 * Which models the edges serve, from their rules syncs, into `served_models`. Every edge syncs
 * about once a second; the row only needs to say "seen lately" to a few seconds, so each process
 * writes a model's row at most once per RECORD_EVERY_MS (or at once when its own thresholds
 * change, or another model was reported since), not once per sync.
 */
import type { Thresholds } from '@vigil/core';
import type { Sql } from 'postgres';
import { recordServedModel } from '../api/thresholds/thresholds-store.js';

/** Least time between two writes of one model's row by one process. */
export const RECORD_EVERY_MS = 10_000;
/** Models remembered per process: a bound, since every signed edge may name any version. */
const MAX_REMEMBERED = 100;

export class ServedModelRecorder {
  private readonly written = new Map<string, { at: number; review: number; decline: number }>();
  /** The version written last: another one reported (a promotion, a roll-back) is written at once. */
  private lastVersion: string | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  /** Record that an edge serves `version` with its model's thresholds `own`, unless done lately. */
  async record(version: string, own: Thresholds): Promise<void> {
    const at = this.now();
    const last = this.written.get(version);
    const same = last && last.review === own.review && last.decline === own.decline;
    // A roll-back to a model written seconds before is news: the model served now is the one
    // seen last (the thresholds preview's default), not the one just left.
    if (same && version === this.lastVersion && at.getTime() - last.at < RECORD_EVERY_MS) return;
    await recordServedModel(this.sql, version, own, at);
    this.lastVersion = version;
    if (this.written.size >= MAX_REMEMBERED && !last) this.written.clear();
    this.written.set(version, { at: at.getTime(), review: own.review, decline: own.decline });
  }
}
