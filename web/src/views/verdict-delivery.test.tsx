/**
 * The verdict-delivery status, rendered by Solid (its server renderer: the web project runs in
 * Node, and the component is plain markup) and read as an analyst would.
 */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'solid-js/web';
import type { VerdictDelivery } from '@vigil/core';
import { VerdictDeliveryStatus } from './verdict-delivery.js';

const base: VerdictDelivery = {
  state: 'applied',
  attempts: 1,
  last_status: 202,
  detail: null,
  next_attempt_at: null,
  updated_at: '2026-05-01T09:00:00.000Z',
};

function render(d: VerdictDelivery | null): string {
  return renderToString(() => <VerdictDeliveryStatus delivery={d} />);
}

/** The element's text without Solid's hydration markers. */
const text = (html: string) => html.replace(/<!--[^>]*-->/g, '').replace(/<[^>]+>/g, '');

describe('VerdictDeliveryStatus', () => {
  it('says a verdict the edge took is applied', () => {
    const html = render(base);
    expect(html).toContain('data-state="applied"');
    expect(text(html)).toBe('Applied at the edge');
  });

  it('says a pending verdict is being retried, with the tries and the next one', () => {
    const html = render({
      ...base,
      state: 'pending',
      attempts: 3,
      last_status: null,
      detail: 'the edge could not be reached (TypeError: fetch failed)',
      next_attempt_at: '2026-05-01T09:00:20.000Z',
    });
    expect(html).toContain('data-state="pending"');
    expect(html).toContain('title="Last try: the edge could not be reached');
    expect(text(html)).toBe('Pending — retrying (3 tries, next try 09:00:20 UTC)');
  });

  it('says a failed verdict is not applied, and why', () => {
    const html = render({
      ...base,
      state: 'failed',
      attempts: 4,
      last_status: 404,
      detail: 'the edge does not know transaction tx_1',
    });
    expect(html).toContain('data-state="failed"');
    expect(text(html)).toBe('Not applied: the edge does not know transaction tx_1');
  });

  it('shows nothing for a case without a delivery (unresolved)', () => {
    expect(text(render(null))).toBe('');
  });
});
