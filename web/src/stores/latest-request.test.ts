import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { fakeClock } from '../test/fakes.js';
import { createLatestRequest } from './latest-request.js';

/** A send whose calls the test answers one by one. */
function pendingSend() {
  const calls: {
    input: string;
    signal: AbortSignal;
    resolve: (a: string) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const send = (input: string, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ input, signal, resolve, reject });
      signal.addEventListener('abort', () =>
        reject(new ApiError('aborted', 0, null, 'Request cancelled')),
      );
    });
  return { calls, send };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const clock = fakeClock();
  const s = pendingSend();
  const req = createLatestRequest({
    send: s.send,
    debounceMs: 400,
    retryMs: 1000,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return { clock, req, calls: s.calls };
}

describe('a request that follows its input', () => {
  it('sends once the input has been still for the debounce, not at each change', () => {
    const { clock, req, calls } = setup();
    req.set('a');
    clock.advance(399);
    req.set('ab');
    clock.advance(399);
    expect(calls).toEqual([]);
    expect(req.state()).toBe('waiting');
    clock.advance(1);
    expect(calls.map((c) => c.input)).toEqual(['ab']);
    expect(req.state()).toBe('running');
  });

  it('cancels the one in flight on the next change, so a late answer never lands', async () => {
    const { clock, req, calls } = setup();
    req.set('a');
    clock.advance(400);
    req.set('b');
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.resolve('answer a');
    await tick();
    expect(req.answer()).toBeNull();
    clock.advance(400);
    calls[1]!.resolve('answer b');
    await tick();
    expect(req.answer()).toBe('answer b');
    expect(req.state()).toBe('done');
  });

  it('on a 429 says busy and retries the same input after the wait', async () => {
    const { clock, req, calls } = setup();
    req.set('a');
    clock.advance(400);
    calls[0]!.reject(new ApiError('http', 429, null, 'Too Many Requests'));
    await tick();
    expect(req.state()).toBe('busy');
    expect(req.message()).toBeNull();
    clock.advance(999);
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(calls.map((c) => c.input)).toEqual(['a', 'a']);
    calls[1]!.resolve('ok');
    await tick();
    expect(req.state()).toBe('done');
    expect(req.answer()).toBe('ok');
  });

  it('waits as long as the server’s Retry-After says when it gives one', async () => {
    const { clock, req, calls } = setup();
    req.set('a');
    clock.advance(400);
    calls[0]!.reject(new ApiError('http', 429, null, 'Too Many Requests', undefined, 2000));
    await tick();
    clock.advance(1999);
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(calls).toHaveLength(2);
  });

  it('a change while busy drops the retry and sends the new input instead', async () => {
    const { clock, req, calls } = setup();
    req.set('a');
    clock.advance(400);
    calls[0]!.reject(new ApiError('http', 429, null, 'Too Many Requests'));
    await tick();
    req.set('b');
    clock.advance(5000);
    expect(calls.map((c) => c.input)).toEqual(['a', 'b']);
  });

  it('keeps a failure and its message until the next answer; null input cancels', async () => {
    const { clock, req, calls } = setup();
    req.set('a');
    clock.advance(400);
    calls[0]!.reject(new ApiError('http', 400, null, 'bad expression'));
    await tick();
    expect(req.state()).toBe('failed');
    expect(req.error()?.status).toBe(400);
    expect(req.message()).toBe('bad expression');
    req.set('b');
    req.flush();
    calls[1]!.resolve('fine');
    await tick();
    expect(req.error()).toBeNull();
    expect(req.message()).toBeNull();
    req.set('c');
    req.set(null);
    clock.advance(1000);
    expect(calls).toHaveLength(2);
    expect(req.state()).toBe('idle');
  });
});
