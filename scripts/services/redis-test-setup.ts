/** The one vitest globalSetup for test projects that need a real Redis: provides `redisUrl`. */
import type {} from 'vitest';
import { serviceGlobalSetup, type ServiceSetupOptions } from './service-script.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:PORT` of the Redis the tests run against. */
    redisUrl: string;
  }
}

/** A globalSetup function for one test project. */
export const redisGlobalSetup = (o: ServiceSetupOptions) =>
  serviceGlobalSetup(
    { script: 'redis.sh', name: 'Redis', install: 'apt-get install redis-server, needs root' },
    o,
    (project, port) => project.provide('redisUrl', `redis://127.0.0.1:${port}`),
  );
