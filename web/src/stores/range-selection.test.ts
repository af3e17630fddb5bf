import { describe, expect, it } from 'vitest';
import { clickSelect, EMPTY_SELECTION, keepShown } from './range-selection.js';

const order = ['a', 'b', 'c', 'd', 'e'];
const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort();

describe('range selection', () => {
  it('toggles one row per click', () => {
    let s = clickSelect(EMPTY_SELECTION, order, 'b', false);
    expect(ids(s)).toEqual(['b']);
    s = clickSelect(s, order, 'd', false);
    expect(ids(s)).toEqual(['b', 'd']);
    s = clickSelect(s, order, 'b', false);
    expect(ids(s)).toEqual(['d']);
  });

  it('selects the range from the anchor on shift-click, either direction', () => {
    const s = clickSelect(EMPTY_SELECTION, order, 'b', false);
    expect(ids(clickSelect(s, order, 'd', true))).toEqual(['b', 'c', 'd']);
    const up = clickSelect(EMPTY_SELECTION, order, 'e', false);
    expect(ids(clickSelect(up, order, 'c', true))).toEqual(['c', 'd', 'e']);
  });

  it('clears a range when the anchor was unselected, and treats shift without anchor as a click', () => {
    let s = clickSelect(EMPTY_SELECTION, order, 'a', false);
    s = clickSelect(s, order, 'e', true); // a..e
    s = clickSelect(s, order, 'c', false); // c off, anchor c
    expect(ids(clickSelect(s, order, 'e', true))).toEqual(['a', 'b']);
    expect(ids(clickSelect(EMPTY_SELECTION, order, 'c', true))).toEqual(['c']);
  });

  it('drops rows no longer shown', () => {
    let s = clickSelect(EMPTY_SELECTION, order, 'a', false);
    s = clickSelect(s, order, 'c', true);
    const kept = keepShown(s, ['b', 'c', 'd']);
    expect(ids(kept)).toEqual(['b', 'c']);
    expect(kept.anchor).toBeNull();
  });
});
