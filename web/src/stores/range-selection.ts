/**
 * Multi-select as in a mail client: a click toggles one row and becomes the anchor; a shift-click
 * sets every row between the anchor and the clicked one to the anchor's state. Pure; the store
 * keeps the state in a signal.
 */
export interface Selection {
  readonly ids: ReadonlySet<string>;
  /** The last row clicked without shift; null before any. */
  readonly anchor: string | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null };

/** The selection after a click on `id` among `order` (the rows as shown), with or without shift. */
export function clickSelect(
  sel: Selection,
  order: readonly string[],
  id: string,
  shift: boolean,
): Selection {
  const from = sel.anchor === null ? -1 : order.indexOf(sel.anchor);
  const to = order.indexOf(id);
  if (!shift || from < 0 || to < 0) {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id };
  }
  // The range takes the anchor's state (selected after its own click, usually).
  const on = sel.ids.has(sel.anchor!);
  const ids = new Set(sel.ids);
  const [lo, hi] = from < to ? [from, to] : [to, from];
  for (const rid of order.slice(lo, hi + 1)) {
    if (on) ids.add(rid);
    else ids.delete(rid);
  }
  return { ids, anchor: sel.anchor };
}

/** The selection restricted to rows still shown (a reload or a view change drops the others). */
export function keepShown(sel: Selection, order: readonly string[]): Selection {
  const shown = new Set(order);
  const ids = new Set([...sel.ids].filter((id) => shown.has(id)));
  return {
    ids,
    anchor: sel.anchor !== null && shown.has(sel.anchor) ? sel.anchor : null,
  };
}
