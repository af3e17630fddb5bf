/**
 * Shape checks for the model registry's answers (core's registry contract) and GET /api/drift
 * (core's driftAnswerSchema, checked with core's own schema). The registry's answers are core
 * interfaces: the fields the Models page shows are checked here, the committed default's entry
 * (`default`, always in GET /api/models) included.
 */
import {
  DEFAULT_MODEL_VERSION,
  driftAnswerSchema,
  MODEL_STATUSES,
  type CompareMetrics,
  type DefaultModelEntry,
  type DriftAnswer,
  type ModelCompare,
  type ModelList,
  type RegisteredModel,
} from '@vigil/core';
import { isRecord, type Guard } from './guards.js';
import { checkWith } from './schema-check.js';

const str = (v: unknown): boolean => typeof v === 'string';
const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): boolean => v === null || num(v);
const DECISIONS = new Set(['approve', 'review', 'decline']);
const isWindow = (v: unknown): boolean => isRecord(v) && str(v.start) && str(v.end);
const isThresholds = (v: unknown): boolean => isRecord(v) && num(v.review) && num(v.decline);
const isMetricTriple = (v: unknown): boolean =>
  isRecord(v) && num(v.auc) && num(v.ap) && num(v.cp100);

export const isRegisteredModel: Guard<RegisteredModel> = (v): v is RegisteredModel =>
  isRecord(v) &&
  str(v.version) &&
  (MODEL_STATUSES as readonly unknown[]).includes(v.status) &&
  str(v.created_at) &&
  isWindow(v.training_window) &&
  isRecord(v.metrics) &&
  isRecord(v.metrics.test) &&
  num(v.metrics.test.auc) &&
  isThresholds(v.thresholds) &&
  typeof v.previous_champion === 'boolean';

export const isDefaultModelEntry: Guard<DefaultModelEntry> = (v): v is DefaultModelEntry =>
  isRecord(v) &&
  v.version === DEFAULT_MODEL_VERSION &&
  (v.status === 'champion' || v.status === 'candidate') &&
  typeof v.previous_champion === 'boolean' &&
  (v.model_version === null || str(v.model_version)) &&
  (v.thresholds === null || isThresholds(v.thresholds)) &&
  typeof v.thresholds_set === 'boolean' &&
  (v.training_window === null || isWindow(v.training_window)) &&
  (v.validation_window === null || isWindow(v.validation_window)) &&
  (v.metrics === null ||
    (isRecord(v.metrics) &&
      isMetricTriple(v.metrics.validation) &&
      isMetricTriple(v.metrics.test)));

export const isModelList: Guard<ModelList> = (v): v is ModelList =>
  isRecord(v) &&
  Array.isArray(v.items) &&
  (v.items as unknown[]).every(isRegisteredModel) &&
  isDefaultModelEntry(v.default);

const isCompareMetrics = (v: unknown): v is CompareMetrics =>
  isRecord(v) &&
  numOrNull(v.auc) &&
  numOrNull(v.ap) &&
  numOrNull(v.cp_at_100) &&
  numOrNull(v.alert_rate);

const isOpinion = (v: unknown): boolean =>
  isRecord(v) && num(v.score) && DECISIONS.has(v.decision as string);

export const isModelCompare: Guard<ModelCompare> = (v): v is ModelCompare =>
  isRecord(v) &&
  num(v.evaluated) &&
  num(v.labelled) &&
  isThresholds(v.champion_thresholds) &&
  isCompareMetrics(v.champion) &&
  isCompareMetrics(v.challenger) &&
  (v.ranking_warning === null || str(v.ranking_warning)) &&
  numOrNull(v.agreement) &&
  Array.isArray(v.disagreements) &&
  (v.disagreements as unknown[]).every(
    (d) =>
      isRecord(d) &&
      str(d.transaction_id) &&
      isOpinion(d.champion) &&
      isOpinion(d.challenger) &&
      DECISIONS.has(d.stored_decision as string),
  );

export const isDriftAnswer: Guard<DriftAnswer> = (v): v is DriftAnswer =>
  checkWith(driftAnswerSchema, v).ok;
