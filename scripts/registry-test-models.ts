/**
 * The registry's test models (the edge's committed 10-tree model with trained-model metadata) for
 * the browser tests and the screenshots, which may not import the backplane by path: scripts/ is
 * the shared harness (.dependency-cruiser.cjs), so the backplane's one fixture is re-exported here.
 */
export {
  otherBytes,
  registerBody,
  trainedTestModel,
} from '../backplane/src/api/models/model-fixtures.js';
