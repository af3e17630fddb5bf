/**
 * The served ONNX graph's input and output names: model/ writes the graph with them, the edge
 * feeds and reads its session by them. Input `features` float [N, nFeatures]; outputs `label`
 * (int64 [N]) and `probabilities` (float [N, 2], column 1 = fraud).
 */
export const ONNX_INPUT = 'features';
export const ONNX_LABEL = 'label';
export const ONNX_PROBABILITIES = 'probabilities';
