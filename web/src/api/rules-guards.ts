/**
 * Shape checks for the rules and lists answers. A rule or list inside an answer is checked with
 * core's own schema (the one the backplane validates with); the wrapping fields here.
 */
import { listSchema, ruleSchema } from '@vigil/core';
import { isRecord, type Guard } from './guards.js';
import { checkWith } from './schema-check.js';
import type {
  ListInfo,
  ListItem,
  RuleChangeAnswer,
  RulesetAnswer,
  RuleVersion,
  RuleWithHits,
} from './rules-types.js';

const str = (v: unknown): boolean => typeof v === 'string';
const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** A rule's own members pass core's schema (extra members such as `hits` are the caller's). */
function isRule(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const { id, name, description, expression, action, mode } = v;
  return checkWith(ruleSchema, { id, name, description, expression, action, mode }).ok;
}

export const isRuleWithHits: Guard<RuleWithHits> = (v): v is RuleWithHits =>
  isRecord(v) && isRule(v) && isRecord(v.hits) && num(v.hits.hour) && num(v.hits.day);

export const isRulesetAnswer: Guard<RulesetAnswer> = (v): v is RulesetAnswer =>
  isRecord(v) &&
  num(v.version) &&
  Array.isArray(v.rules) &&
  (v.rules as unknown[]).every(isRuleWithHits);

export const isRuleChangeAnswer: Guard<RuleChangeAnswer> = (v): v is RuleChangeAnswer =>
  isRecord(v) && num(v.version) && isRule(v.rule);

export const isRuleVersion: Guard<RuleVersion> = (v): v is RuleVersion =>
  isRecord(v) && num(v.version) && str(v.created_at) && str(v.created_by) && str(v.summary);

export const isRuleVersions: Guard<{ versions: RuleVersion[] }> = (
  v,
): v is { versions: RuleVersion[] } =>
  isRecord(v) && Array.isArray(v.versions) && (v.versions as unknown[]).every(isRuleVersion);

export const isListInfo: Guard<ListInfo> = (v): v is ListInfo => {
  if (!isRecord(v) || !num(v.size)) return false;
  const { name, kind, description } = v;
  return checkWith(listSchema, { name, kind, description }).ok;
};

export const isLists: Guard<{ lists: ListInfo[] }> = (v): v is { lists: ListInfo[] } =>
  isRecord(v) && Array.isArray(v.lists) && (v.lists as unknown[]).every(isListInfo);

export const isListItem: Guard<ListItem> = (v): v is ListItem =>
  isRecord(v) &&
  str(v.value) &&
  strOrNull(v.reason ?? null) &&
  strOrNull(v.expires_at ?? null) &&
  str(v.added_by) &&
  str(v.added_at);
