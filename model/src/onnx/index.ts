export { exportOnnx, ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES } from './export-onnx.js';
export type { ExportOptions } from './export-onnx.js';
export { createOrtScorer } from './ort-session.js';
export type { OrtScorer, OrtScorerOptions } from './ort-session.js';
