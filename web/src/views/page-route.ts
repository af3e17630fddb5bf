/**
 * Which page the hash shows: `#/rules`, `#/lists`, `#/thresholds`, `#/models`, else the overview
 * (whose drawer keeps `#tx=ID`, see tx-route.ts). Pages are hash routes, so the backplane serves
 * one document for all of them.
 */
export const PAGES = ['overview', 'rules', 'lists', 'thresholds', 'models'] as const;
export type PageName = (typeof PAGES)[number];

export const PAGE_TITLES: Record<PageName, string> = {
  overview: 'Overview',
  rules: 'Rules',
  lists: 'Lists',
  thresholds: 'Thresholds',
  models: 'Models',
};

/** The link to a page. */
export function pageHref(page: PageName): string {
  return page === 'overview' ? '#/' : `#/${page}`;
}

/** The page a hash names. */
export function pageFromHash(hash: string): PageName {
  const m = /^#\/(rules|lists|thresholds|models)\/?$/.exec(hash);
  return m ? (m[1] as PageName) : 'overview';
}
