/**
 * The queue's views: what needs a human first. Reviews wait on an analyst (the payment is held);
 * declines were already refused at checkout, so they get their own view, checked when there is time.
 */
import type { CaseListQuery, CaseSort, CaseStatus, Decision } from '@vigil/core';

export type CaseView = 'review' | 'decline' | 'open' | 'resolved' | 'all';

interface ViewDef {
  readonly label: string;
  readonly status?: readonly CaseStatus[];
  readonly decision?: readonly Decision[];
}

const UNRESOLVED: readonly CaseStatus[] = ['open', 'assigned'];

export const CASE_VIEWS: { readonly [V in CaseView]: ViewDef } = {
  review: { label: 'Needs review', status: UNRESOLVED, decision: ['review'] },
  decline: { label: 'Declines', status: UNRESOLVED, decision: ['decline'] },
  open: { label: 'All unresolved', status: UNRESOLVED },
  resolved: { label: 'Resolved', status: ['resolved'] },
  all: { label: 'All cases' },
};

export const DEFAULT_CASE_VIEW: CaseView = 'review';

/** Highest risk (score × amount) first: the money most likely lost comes first. */
export const DEFAULT_QUEUE_SORT: CaseSort = '-risk';

export const SORT_LABELS: { readonly [S in CaseSort]: string } = {
  '-risk': 'Risk × amount',
  '-score': 'Score',
  '-amount': 'Amount',
  opened_at: 'Oldest first',
  '-opened_at': 'Newest first',
};

/** GET /api/cases's filters for a view. */
export function viewQuery(view: CaseView): Pick<CaseListQuery, 'status' | 'decision'> {
  const v = CASE_VIEWS[view];
  return {
    ...(v.status ? { status: v.status } : {}),
    ...(v.decision ? { decision: v.decision } : {}),
  };
}

/** Whether a case opened by a `decision` belongs in the view (for its "N new" count). */
export function viewTakesNew(view: CaseView, decision: Decision): boolean {
  const v = CASE_VIEWS[view];
  const statusOk = !v.status || v.status.includes('open');
  return statusOk && (!v.decision || v.decision.includes(decision));
}
