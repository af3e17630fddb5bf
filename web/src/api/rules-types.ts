/**
 * The analysts' API shapes for rules and lists (ARCHITECTURE.md, "Decision rules and lists") that
 * core's contract does not define: the answers wrap core's `Rule` and `List`, which are imported,
 * never restated.
 */
import type { List, Rule } from '@vigil/core';

/** How often a rule matched, counted by the backplane from the stored decisions. */
export interface RuleHits {
  readonly hour: number;
  readonly day: number;
}

/** A rule as GET /api/rules lists it. */
export type RuleWithHits = Rule & { readonly hits: RuleHits };

/** GET /api/rules: the ruleset in force. */
export interface RulesetAnswer {
  readonly version: number;
  readonly rules: readonly RuleWithHits[];
}

/** POST/PUT/DELETE /api/rules…: the new ruleset version and the rule changed. */
export interface RuleChangeAnswer {
  readonly version: number;
  readonly rule: Rule;
}

/** One entry of GET /api/rules/versions. */
export interface RuleVersion {
  readonly version: number;
  readonly created_at: string;
  readonly created_by: string;
  readonly summary: string;
}

/** A list as GET /api/lists shows it, with its number of items. */
export type ListInfo = List & { readonly size: number };

/** One item of a list. `expires_at` null: never expires. */
export interface ListItem {
  readonly value: string;
  readonly reason?: string | null;
  readonly expires_at?: string | null;
  readonly added_by: string;
  readonly added_at: string;
}

/** POST /api/lists/{name}/items body (one item). */
export interface ListItemInput {
  readonly value: string;
  readonly reason?: string;
  /** RFC 3339; absent = never expires. */
  readonly expires_at?: string;
}

/** GET /api/lists/{name}/items query. */
export interface ListItemsQuery {
  readonly cursor?: string;
  /** Only this value (its membership), where the API filters by it. */
  readonly value?: string;
  readonly limit?: number;
}
