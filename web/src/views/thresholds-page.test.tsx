/** The Thresholds histogram's key, rendered by Solid's server renderer. */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'solid-js/web';
import { ScoreLegend } from './thresholds-page.js';

describe('ScoreLegend', () => {
  it('keys the bars as boxes and unlabelled as the line it is drawn as', () => {
    const html = renderToString(() => <ScoreLegend />);
    const items = [...html.matchAll(/<li[^>]*>(.*?)<\/li>/g)].map((m) => m[1]!);
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/legend-box legend-fraud.*fraud/);
    expect(items[1]).toMatch(/legend-box legend-legitimate.*legitimate/);
    expect(items[2]).toMatch(/legend-line.*unlabelled \(a line/);
    expect(items[2]).not.toContain('legend-box');
  });
});
