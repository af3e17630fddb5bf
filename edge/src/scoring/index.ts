/** Scoring: the ORT scorer (core's Scorer port) and the served-model loader shared by runtimes. */
export { createOrtScorer } from './ort-scorer.js';
export type { OrtScorer, OrtScorerInput } from './ort-scorer.js';
export { loadServedModel } from './served-model.js';
export type { ModelFiles } from './served-model.js';
