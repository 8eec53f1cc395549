// The stores @fastify/rate-limit ships (CommonJS, no typings for these paths); see rate-limit.ts.
declare module '@fastify/rate-limit/store/LocalStore.js' {
  type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;
  export default class LocalStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, cache?: number);
    incr(key: string, cb: IncrCallback, timeWindow: number, max: number): void;
  }
}
declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Redis } from 'ioredis';
  type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;
  export default class RedisStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string);
    incr(key: string, cb: IncrCallback, timeWindow: number, max: number): void;
  }
}
