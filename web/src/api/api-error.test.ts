import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, parseProblem, problemMessage } from './api-error.js';

/** A validation problem with two field errors, as the API sends it. */
const TWO_PROBLEMS = {
  type: 'urn:vigil:problem:validation',
  title: 'Invalid request',
  status: 400,
  detail: '2 problems, first /rate: too large',
  errors: [
    { path: '/rate', message: 'too large' },
    { path: '/running', message: 'expected boolean' },
  ],
};

describe('parseProblem', () => {
  it('reads an RFC 9457 body with field errors', () => {
    expect(parseProblem({ ...TWO_PROBLEMS, instance: 'req-1' })).toEqual(TWO_PROBLEMS);
  });

  it('defaults the type and skips malformed field errors', () => {
    const p = parseProblem({
      title: 'Not found',
      status: 404,
      errors: [1, { path: 3 }, { message: 'm' }],
    });
    expect(p).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: undefined,
      errors: [{ path: '', message: 'm' }],
    });
  });

  it('refuses what is not a problem', () => {
    expect(parseProblem(null)).toBeNull();
    expect(parseProblem('Bad Gateway')).toBeNull();
    expect(parseProblem({ status: 500 })).toBeNull();
    expect(parseProblem({ title: 'x', status: '500' })).toBeNull();
    expect(parseProblem([{ title: 'x', status: 500 }])).toBeNull();
  });
});

describe('problemMessage and errorMessage', () => {
  it('prefers the detail, lists field errors, falls back to the status', () => {
    expect(
      problemMessage(409, 'Conflict', {
        type: 't',
        title: 'Stale version',
        status: 409,
        detail: 'case c1 is at version 3',
      }),
    ).toBe('case c1 is at version 3');
    expect(
      problemMessage(400, '', {
        type: 't',
        title: 'Invalid request',
        status: 400,
        errors: [{ path: '/rate', message: 'too large' }],
      }),
    ).toBe('Invalid request (/rate: too large)');
    expect(problemMessage(400, '', TWO_PROBLEMS)).toBe(
      '2 problems, first /rate: too large (/running: expected boolean)',
    );
    expect(problemMessage(502, 'Bad Gateway', null)).toBe('502 Bad Gateway');
    expect(problemMessage(502, '', null)).toBe('HTTP 502');
  });

  it('says a one-field problem once (the detail is that field)', () => {
    const message = 'value looks like a card number: send a token, never a PAN';
    expect(
      problemMessage(400, 'Bad Request', {
        type: 'urn:vigil:problem:validation',
        title: 'Invalid request',
        status: 400,
        detail: `/value: ${message}`,
        errors: [{ path: '/value', message }],
      }),
    ).toBe(`/value: ${message}`);
  });

  it('words network failures for people', () => {
    expect(errorMessage(new ApiError('network', 0, null, 'x'))).toMatch(/could not be reached/);
    expect(errorMessage(new ApiError('http', 403, null, 'Missing CSRF header'))).toBe(
      'Missing CSRF header',
    );
    expect(errorMessage(new Error('e'))).toBe('e');
    expect(errorMessage('s')).toBe('s');
  });
});
