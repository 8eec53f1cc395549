/**
 * Redis adapter. ioredis defaults would make callers wait while Redis is down (offline queue on,
 * 20 retries per request, no command timeout), so every one of them is overridden: a call either
 * gets an answer within `commandTimeoutMs` or fails at once, and the cache layer turns that
 * failure into a `bypass`. The client keeps reconnecting in the background with capped backoff.
 */
import { Redis } from 'ioredis';
import { CacheCore, type Backend, type CommonCacheOptions } from './core.js';
import type { BypassReason, Cache } from './types.js';

export interface RedisCacheOptions extends CommonCacheOptions {
  url: string;
  /** Upper bound on one command's round trip. Default 100 ms. */
  commandTimeoutMs?: number;
  /** Upper bound on establishing a connection. Default 1 000 ms. */
  connectTimeoutMs?: number;
  /** Prepended to every key (e.g. per environment, or per test run). Default ''. */
  keyPrefix?: string;
  /** Do not connect until the first operation or `ready()`. Default false. */
  lazyConnect?: boolean;
  /** Cap on the reconnect backoff. Default 2 000 ms. */
  reconnectMaxDelayMs?: number;
}

const positive = (v: number, what: string) => {
  if (!(Number.isFinite(v) && v > 0)) throw new TypeError(`${what} must be a positive number`);
  return v;
};

/**
 * An ioredis client that never makes a caller wait on a down Redis: no offline queue, one attempt,
 * a command timeout, no replay of unanswered commands after a reconnect (a cache write or a counter
 * INCR must not land twice), and a capped, jittered reconnect in the background. Used by the cache
 * and by hh-search's rate limiter; callers attach their own `error` listener.
 */
export function createFailFastRedis(
  url: string,
  o: { commandTimeout: number; connectTimeout?: number; maxDelay?: number; lazyConnect?: boolean },
): Redis {
  const maxDelay = o.maxDelay ?? 2_000;
  const redis = new Redis(url, {
    // Fail fast while disconnected instead of queueing until reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: o.commandTimeout,
    connectTimeout: o.connectTimeout ?? 1_000,
    // A command that timed out was already answered (cache bypass, limiter fail-open); replaying it
    // later is pointless or, for counters, wrong.
    autoResendUnfulfilledCommands: false,
    lazyConnect: o.lazyConnect ?? false,
    // Must always return a number: anything else makes ioredis give up reconnecting for good.
    // Exponential, capped, with jitter so a fleet does not reconnect in lockstep.
    retryStrategy: (attempt: number) => Math.min(maxDelay, 50 * 2 ** Math.min(attempt, 16)) + Math.floor(Math.random() * 100),
    // Plain commands only; no client-side name/db juggling beyond the URL.
    enableAutoPipelining: false,
  });
  return redis;
}

export function createRedisCache(opts: RedisCacheOptions): Cache {
  if (!/^rediss?:\/\//.test(opts.url)) throw new TypeError('url must be a redis:// or rediss:// URL');
  const commandTimeout = positive(opts.commandTimeoutMs ?? 100, 'commandTimeoutMs');
  const connectTimeout = positive(opts.connectTimeoutMs ?? 1_000, 'connectTimeoutMs');
  const maxDelay = positive(opts.reconnectMaxDelayMs ?? 2_000, 'reconnectMaxDelayMs');
  const prefix = opts.keyPrefix ?? '';

  const redis = createFailFastRedis(opts.url, { commandTimeout, connectTimeout, maxDelay, lazyConnect: opts.lazyConnect ?? false });

  const backend: Backend = {
    kind: 'redis',
    unavailable(): BypassReason | undefined {
      if (redis.status === 'ready') return undefined;
      if (redis.status === 'end') return 'closed';
      if (redis.status === 'wait') void redis.connect().catch(() => undefined);
      return 'disconnected';
    },
    read: (key) => redis.getBuffer(prefix + key),
    write: async (key, value, ttlMs) => {
      await redis.set(prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    remove: async (key) => {
      await redis.del(prefix + key);
    },
    ping: async () => {
      await redis.ping();
    },
    ready: (timeoutMs) => {
      if (redis.status === 'ready') return Promise.resolve(true);
      if (redis.status === 'end') return Promise.resolve(false);
      if (redis.status === 'wait') void redis.connect().catch(() => undefined);
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(ok);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        redis.on('ready', onReady);
      });
    },
    close: async () => {
      if (redis.status === 'end') return;
      const ended = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1_000);
        redis.once('end', () => {
          clearTimeout(t);
          resolve();
        });
      });
      // disconnect(), not quit(): quit would wait for a reply from a possibly hung server, and a
      // cache has nothing that must be flushed.
      redis.disconnect();
      await ended;
    },
    classify: (error) => (/timed? ?out/i.test(error.message) ? 'timeout' : redis.status === 'ready' ? 'error' : 'disconnected'),
  };

  const core = new CacheCore(backend, opts);

  let up = false;
  let downReported = false;

  const markDown = (error?: Error) => {
    const wasUp = up;
    up = false;
    // One log line and one event per outage, not one per reconnect attempt.
    if (wasUp || !downReported) {
      downReported = true;
      core.emit({ type: 'connection', state: 'down', ...(error ? { error } : {}) });
      opts.logger?.warn({ cache: 'redis', err: error?.message }, 'redis cache unavailable; callers bypass the cache while it reconnects');
    }
  };

  // Without an 'error' listener ioredis prints "Unhandled error event" for every failed reconnect.
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
    if (!up) markDown(err);
  });
  redis.on('ready', () => {
    up = true;
    downReported = false;
    lastError = undefined;
    core.backendRecovered();
    core.emit({ type: 'connection', state: 'ready' });
    opts.logger?.info({ cache: 'redis' }, 'redis cache connected');
  });
  redis.on('close', () => {
    if (up) markDown(lastError);
  });

  return core;
}
