import { describe, expect, it } from 'vitest';
import {
  MAX_REPORTED_ISSUES,
  PROBLEMS,
  pickProblems,
  problemBody,
  problemKindForStatus,
  ProblemError,
  validationProblem,
  narrowProblemError,
  problemResponseInit,
} from './problem.js';

describe('problem details', () => {
  it('render a kind as its URN, title and status, with optional members only when given', () => {
    expect(problemBody('stale-version', 'the case has changed')).toEqual({
      type: 'urn:vigil:problem:stale-version',
      title: 'Stale version',
      status: 409,
      detail: 'the case has changed',
    });
    expect(problemBody('internal', 'oops', [], 'urn:uuid:1')).toEqual({
      type: 'urn:vigil:problem:internal',
      title: 'Internal error',
      status: 500,
      detail: 'oops',
      errors: [],
      instance: 'urn:uuid:1',
    });
  });

  it("pick one API's kinds in the order given", () => {
    const picked = pickProblems(['unavailable', 'validation']);
    expect(Object.keys(picked)).toEqual(['unavailable', 'validation']);
    expect(picked.unavailable).toBe(PROBLEMS.unavailable);
  });

  it('carry status, headers and cause on the error a handler throws', () => {
    const cause = new Error('store down');
    const e = new ProblemError('unavailable', 'try again', {
      headers: { 'retry-after': '1' },
      cause,
    });
    expect(e).toMatchObject({ name: 'ProblemError', code: 'unavailable', status: 503, cause });
    expect(e.headers).toEqual({ 'retry-after': '1' });
    expect(e.body()).toEqual(problemBody('unavailable', 'try again'));
  });
});

describe('validationProblem', () => {
  it('leads with the first issue, and counts them when there are more', () => {
    const one = validationProblem([{ path: '/amount', message: 'must be positive' }]);
    expect(one).toMatchObject({ status: 400, message: '/amount: must be positive' });
    const two = validationProblem([
      { path: '', message: 'must be an object' },
      { path: '/b', message: 'x' },
    ]);
    expect(two.message).toBe('2 problems, first the body: must be an object');
  });

  it('lists at most MAX_REPORTED_ISSUES and says so', () => {
    const n = MAX_REPORTED_ISSUES + 5;
    const issues = Array.from({ length: n }, (_, i) => ({ path: `/events/${i}`, message: 'bad' }));
    const e = validationProblem(issues);
    expect(e.message).toBe(
      `${n} problems, first /events/0: bad (the first ${MAX_REPORTED_ISSUES} are listed)`,
    );
    expect(e.body().errors).toHaveLength(MAX_REPORTED_ISSUES);
  });

  it("maps a bare status to the app's first kind with it, else validation or internal", () => {
    const table = pickProblems(['validation', 'csrf', 'forbidden', 'unavailable', 'internal']);
    expect(problemKindForStatus(table, 403)).toBe('csrf');
    expect(problemKindForStatus(table, 503)).toBe('unavailable');
    expect(problemKindForStatus(table, 418)).toBe('validation');
    expect(problemKindForStatus(table, 504)).toBe('internal');
  });
});

describe('problemResponseInit and narrowProblemError', () => {
  it("answer the problem's status with its content type, the caller's headers added", () => {
    const body = problemBody('unavailable', 'later');
    expect(problemResponseInit(body, { 'retry-after': '1' })).toEqual({
      status: 503,
      headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
    });
  });

  it("narrow the constructor only: an app's error is core's ProblemError", () => {
    const AppError = narrowProblemError<'not-found'>();
    const e = new AppError('not-found', 'no such case');
    expect(e).toBeInstanceOf(ProblemError);
    expect(e.body()).toEqual(problemBody('not-found', 'no such case'));
  });
});
