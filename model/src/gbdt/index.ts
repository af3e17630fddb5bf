export { trainGbdt } from './train.js';
export type { GbdtResult, HistoryEntry, TrainHooks, TrainingSet, ValidationSet } from './train.js';
export { DEFAULT_PARAMS, resolveParams } from './params.js';
export type { EvalMetric, GbdtParams } from './params.js';
export { averagePrecision, logLoss, logLossFromMargin, rocAuc } from './metrics.js';
export { binColumns, binOf, computeBinMapper, MAX_BINS } from './binning.js';
export type { BinMapper } from './binning.js';
