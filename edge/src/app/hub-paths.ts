/** The LiveHub's two public paths, which the runtimes route to the hub rather than to the app. */
export const LIVE_PATH = '/v1/live';
export const HUB_PUBLISH_PATH = '/internal/hub/publish';

/** True for a path the LiveHub answers (`/v1/live`, `/internal/hub/*`). */
export function isHubPath(path: string): boolean {
  return path === LIVE_PATH || path === '/internal/hub' || path.startsWith('/internal/hub/');
}
