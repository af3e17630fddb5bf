import { describe, expect, it } from 'vitest';
import { isStorableText } from './storable-text.js';

describe('isStorableText', () => {
  it.each(['', 'analyst@example', 'émile 😀', '\u2028"\\', '\ud83d\ude00'])('takes %j', (s) => {
    expect(isStorableText(s)).toBe(true);
  });

  it.each(['a\u0000b', '\u0000', '\ud800', 'x\udc00', '\ude00\ud83d', 'a\ud83d'])(
    'refuses %j (NUL or a lone surrogate)',
    (s) => {
      expect(isStorableText(s)).toBe(false);
    },
  );
});
