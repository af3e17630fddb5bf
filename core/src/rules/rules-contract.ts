/**
 * Decision rules and lists as ARCHITECTURE.md fixes them ("Decision rules and lists"): the one
 * definition the backplane validates and stores, the edge compiles and runs, and the dashboard
 * edits. Rules are data, not code: CEL expressions over the environment in `rule-env.ts`.
 */
import * as z from 'zod/mini';
import { storableString } from '../schema/storable-text.js';

export const RULE_ACTIONS = ['allow', 'review', 'block'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export const RULE_MODES = ['active', 'shadow', 'disabled'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** The transaction field a list's values are compared with. */
export const LIST_KINDS = ['customer_id', 'terminal_id', 'device_id', 'ip', 'country'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** Rule ids and list names: lower-case words, stable in URLs, events and CEL string literals. */
export const RULE_ID = /^[a-z0-9_]{1,64}$/;
export const LIST_NAME = /^[a-z0-9_]{1,64}$/;

/** Longest CEL expression accepted (characters): rules are short; this bounds parse cost. */
export const MAX_EXPRESSION_LENGTH = 4_000;
/** Most rules in one ruleset (active, shadow and disabled): bounds the per-transaction cost. */
export const MAX_RULES = 200;
/** Most items in one `POST /api/lists/{name}/items` batch. */
export const MAX_LIST_ITEMS_BATCH = 1_000;

const text = storableString;

export const ruleSchema = z.strictObject(
  {
    id: z
      .string('id must be a string')
      .check(z.regex(RULE_ID, 'id must be 1–64 characters of a–z, 0–9 and _')),
    name: text('name', 1, 200),
    description: z._default(text('description', 0, 2_000), ''),
    expression: text('expression', 1, MAX_EXPRESSION_LENGTH),
    action: z.enum(RULE_ACTIONS, `action must be one of ${RULE_ACTIONS.join(', ')}`),
    mode: z.enum(RULE_MODES, `mode must be one of ${RULE_MODES.join(', ')}`),
  },
  'a rule must be a JSON object',
);
export type Rule = z.infer<typeof ruleSchema>;

/** The rules in force, as one immutable version: edges swap whole rulesets, never single rules. */
export interface Ruleset {
  /** 0 = no ruleset known yet (an edge before its first sync); versions start at 1. */
  readonly version: number;
  readonly rules: readonly Rule[];
}

export const listSchema = z.strictObject(
  {
    name: z
      .string('name must be a string')
      .check(z.regex(LIST_NAME, 'name must be 1–64 characters of a–z, 0–9 and _')),
    kind: z.enum(LIST_KINDS, `kind must be one of ${LIST_KINDS.join(', ')}`),
    description: z._default(text('description', 0, 2_000), ''),
  },
  'a list must be a JSON object',
);
export type List = z.infer<typeof listSchema>;

/** A list as an edge needs it: the name and which transaction field it is checked against. */
export interface ListRef {
  readonly name: string;
  readonly kind: ListKind;
}

/** Built-in lists (created by the backplane's migration; never deleted). */
export const BLOCKED_CUSTOMERS = 'blocked_customers';
export const BLOCKED_TERMINALS = 'blocked_terminals';
export const ALLOWED_CUSTOMERS = 'allowed_customers';

/**
 * One change of list membership, as the edge applies it to its feature store. `expiresAtMs` is
 * the item's expiry (epoch ms, wall clock) or null for never; an `add` of a value already on the
 * list replaces its expiry. Applying the same change twice is harmless.
 */
export interface ListChange {
  readonly op: 'add' | 'remove';
  readonly list: string;
  readonly kind: ListKind;
  readonly value: string;
  readonly expiresAtMs: number | null;
}
