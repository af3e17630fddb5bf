import { describe, expect, it } from 'vitest';
import { localOrigin, readSystemConfig } from './system-config.js';

describe('readSystemConfig', () => {
  it('listens on 127.0.0.1:8787 and logs at warn by default; blank counts as unset', () => {
    const defaults = { host: '127.0.0.1', port: 8787, logLevel: 'warn' };
    expect(readSystemConfig({})).toEqual(defaults);
    expect(readSystemConfig({ VIGIL_HOST: '', PORT: ' ', VIGIL_LOG_LEVEL: '' })).toEqual(defaults);
  });

  it('reads VIGIL_HOST, PORT and VIGIL_LOG_LEVEL', () => {
    expect(readSystemConfig({ VIGIL_HOST: '::', PORT: '0', VIGIL_LOG_LEVEL: 'info' })).toEqual({
      host: '::',
      port: 0,
      logLevel: 'info',
    });
  });

  it.each([
    [
      { VIGIL_LOG_LEVEL: 'loud' },
      /^VIGIL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'$/,
    ],
    [
      { VIGIL_HOST: 'localhost' },
      /^VIGIL_HOST must be an IP address to listen on .*; got 'localhost'$/,
    ],
    [{ VIGIL_HOST: '0.0.0.0:80' }, /^VIGIL_HOST must be an IP address/],
    [{ PORT: '8787x' }, /^PORT must be an integer from 0 to 65535, got '8787x'$/],
    [{ PORT: '70000' }, /^PORT must be an integer from 0 to 65535/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => readSystemConfig(env)).toThrow(message);
  });
});

describe('localOrigin', () => {
  it('reaches every-interface addresses over loopback and brackets IPv6', () => {
    expect(localOrigin('0.0.0.0', 8787)).toBe('http://127.0.0.1:8787');
    expect(localOrigin('::', 8787)).toBe('http://127.0.0.1:8787');
    expect(localOrigin('192.168.1.20', 80)).toBe('http://192.168.1.20:80');
    expect(localOrigin('::1', 8787)).toBe('http://[::1]:8787');
  });
});
