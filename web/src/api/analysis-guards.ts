/**
 * Shape checks for the backtest and thresholds answers (core's backtest-contract.ts and
 * thresholds-contract.ts define them as types, the backplane builds them): the members the views
 * read, so an answer of another shape fails loudly instead of drawing `undefined`.
 */
import type {
  BacktestAnswer,
  DecisionTally,
  ThresholdsList,
  ThresholdsOutcome,
  ThresholdsPreview,
  ThresholdsSetting,
} from '@vigil/core';
import { DECISIONS, isRecord, num, str, strOrNull, type Guard } from './guards.js';

const every = (v: unknown, f: (x: unknown) => boolean): boolean =>
  Array.isArray(v) && (v as unknown[]).every(f);
const decision = (v: unknown): boolean => DECISIONS.has(v as string);

const isThresholds = (v: unknown): boolean => isRecord(v) && num(v.review) && num(v.decline);

/**
 * One model version's thresholds a backtest derived model decisions with: `set` or `model` ones,
 * or `estimated` with none (null) — the panel says which, so the pairing is checked too.
 */
const isModelThresholdsUsed = (v: unknown): boolean =>
  isRecord(v) &&
  str(v.model_version) &&
  (v.source === 'estimated'
    ? v.thresholds === null
    : (v.source === 'set' || v.source === 'model') && isThresholds(v.thresholds));

const isCounts = (v: unknown): boolean =>
  isRecord(v) &&
  num(v.evaluated) &&
  num(v.matched) &&
  num(v.matched_fraud) &&
  num(v.matched_legitimate) &&
  num(v.matched_unlabelled);

export const isBacktestAnswer: Guard<BacktestAnswer> = (v): v is BacktestAnswer =>
  isRecord(v) &&
  isCounts(v) &&
  isRecord(v.window) &&
  str(v.window.from) &&
  str(v.window.to) &&
  isRecord(v.amount) &&
  num(v.amount.matched) &&
  num(v.amount.matched_fraud) &&
  num(v.amount.matched_legitimate) &&
  every(
    v.decision_changes,
    (c) => isRecord(c) && decision(c.from) && decision(c.to) && num(c.count),
  ) &&
  every(v.per_day, (d) => isRecord(d) && str(d.day) && num(d.matched) && num(d.matched_fraud)) &&
  every(
    v.examples,
    (e) =>
      isRecord(e) &&
      str(e.transaction_id) &&
      decision(e.decision) &&
      decision(e.new_decision) &&
      num(e.amount) &&
      strOrNull(e.label),
  ) &&
  every(v.model_thresholds, isModelThresholdsUsed) &&
  str(v.lists_as_of) &&
  isRecord(v.velocity_read_by) &&
  typeof v.velocity_read_by.candidate === 'boolean' &&
  every(v.velocity_read_by.rules, str) &&
  num(v.elapsed_ms) &&
  (v.shadow === undefined || (isRecord(v.shadow) && isCounts(v.shadow) && str(v.shadow.rule_id)));

const isTally = (v: unknown): v is DecisionTally =>
  isRecord(v) && num(v.count) && num(v.amount) && num(v.fraud) && num(v.fraud_amount);

const isOutcome = (v: unknown): v is ThresholdsOutcome =>
  isRecord(v) &&
  isThresholds(v.thresholds) &&
  isTally(v.approve) &&
  isTally(v.review) &&
  isTally(v.decline) &&
  num(v.frauds_caught) &&
  num(v.frauds_missed) &&
  num(v.legitimate_flagged);

export const isThresholdsPreview: Guard<ThresholdsPreview> = (v): v is ThresholdsPreview =>
  isRecord(v) &&
  strOrNull(v.model_version) &&
  num(v.evaluated) &&
  every(v.currencies, strOrNull) &&
  str(v.currency_note) &&
  (v.current === null || isOutcome(v.current)) &&
  isOutcome(v.proposed) &&
  isRecord(v.histogram) &&
  num(v.histogram.bins) &&
  every(v.histogram.fraud, num) &&
  every(v.histogram.legitimate, num) &&
  every(v.histogram.unlabelled, num) &&
  num(v.elapsed_ms);

export const isThresholdsSetting: Guard<ThresholdsSetting> = (v): v is ThresholdsSetting =>
  isRecord(v) &&
  str(v.model_version) &&
  num(v.review) &&
  num(v.decline) &&
  str(v.updated_at) &&
  str(v.updated_by);

export const isThresholdsList: Guard<ThresholdsList> = (v): v is ThresholdsList =>
  isRecord(v) &&
  every(v.items, isThresholdsSetting) &&
  every(v.served, (s) => isRecord(s) && str(s.model_version) && isThresholds(s.in_force));
