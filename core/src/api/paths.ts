/**
 * The URL paths one of Vigil's parts calls on another, as ARCHITECTURE.md fixes them: the one
 * definition the caller and the answerer both import.
 */

/** The edge's scoring routes (the backplane's traffic panel calls them). */
export const SCORE_PATH = '/v1/score';
export const SCORE_BATCH_PATH = '/v1/score/batch';
export const FEEDBACK_PATH = '/v1/feedback';
export const FEEDBACK_BATCH_PATH = '/v1/feedback/batch';

/** The backplane's signed ingest of the edge's events. */
export const INGEST_PATH = '/ingest/events';

/** The LiveHub's two public paths: the dashboard's WebSocket and the backplane's publish. */
export const LIVE_PATH = '/v1/live';
export const HUB_PUBLISH_PATH = '/internal/hub/publish';

/** True for a path the LiveHub answers (`/v1/live`, `/internal/hub/*`). */
export function isHubPath(path: string): boolean {
  return path === LIVE_PATH || path === '/internal/hub' || path.startsWith('/internal/hub/');
}

/** The backplane's signed answer to an edge asking for the rules and lists in force. */
export const RULES_SYNC_PATH = '/internal/rules/sync';

/**
 * The backplane's signed answer to an edge fetching a registered model's artifact (GET, the path
 * signed in place of a body; core's ModelArtifact). Internal like the rules sync: the edge's
 * public origin never forwards /internal/*.
 */
export const MODEL_ARTIFACT_PATH_PREFIX = '/internal/models/';

/** The artifact path of one model version (the version percent-encoded as one path segment). */
export function modelArtifactPath(version: string): string {
  return `${MODEL_ARTIFACT_PATH_PREFIX}${encodeURIComponent(version)}`;
}
