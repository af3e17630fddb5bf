export { exportOnnx } from './export-onnx.js';
export type { ExportOptions } from './export-onnx.js';
export { createOrtScorer } from './ort-session.js';
export type { OrtScorer, OrtScorerOptions } from './ort-session.js';
