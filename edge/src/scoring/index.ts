/** Scoring: the ORT scorer (core's Scorer port) and the served-model loader shared by runtimes. */
export { createOrtScorer, ONNX_INPUT, ONNX_PROBABILITIES } from './ort-scorer.js';
export type { OrtScorer, OrtScorerInput } from './ort-scorer.js';
export { loadServedModel } from './served-model.js';
export type { ModelFiles } from './served-model.js';
export { scoreAnswerSchema } from './answer.js';
export type { ScoreAnswer } from './answer.js';
