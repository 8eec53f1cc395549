/**
 * Per-tenant request quota on /v1: counted per tenant after authentication
 * (preHandler), so one tenant's burst never spends another's quota. With Redis the count is shared by
 * the fleet (the atomic INCR/PEXPIRE script of @fastify/rate-limit's RedisStore) on a dedicated client
 * that fails fast like the cache's (@hh/cache createFailFastRedis, same command timeout).
 *
 * While Redis is unreachable or too slow, requests are never failed because of the limiter: each
 * replica counts in its own memory instead (@fastify/rate-limit's LocalStore), so the quota still
 * binds, per replica, and the x-ratelimit-* headers report real counts. The outage and the recovery
 * are logged once each. After a failure Redis is left alone for a short pause, so a frozen Redis
 * does not cost every request a command timeout.
 */
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { createFailFastRedis } from '@hh/cache';
import { HttpProblem, type ZodApp } from '@hh/service-kit';

export interface TenantRateLimitOptions {
  /** Requests per minute per tenant; 0 disables the limiter. */
  perMinute: number;
  /** Shared counters; unset → counted in this process. */
  redis?: Redis;
  /** Prepended to every counter key (names the deployment; see runtime.ts). */
  keyPrefix?: string;
  /** After a Redis failure, count in memory for this long before trying Redis again. Default 1 s. */
  redisRetryMs?: number;
}

/** A Redis client for counters: fails a command at once instead of queueing it while disconnected. */
export function createLimiterRedis(url: string, commandTimeoutMs: number): Redis {
  const redis = createFailFastRedis(url, { commandTimeout: commandTimeoutMs });
  redis.on('error', () => undefined); // reconnects on its own; the limiter counts in memory meanwhile
  return redis;
}

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;
type IncrStore = { incr(key: string, cb: IncrCallback, timeWindow: number, max: number): void };

/**
 * Redis first, this process's memory while Redis fails. Counts taken in memory during an outage
 * are not copied to Redis afterwards: for the rest of that window a tenant may get up to one
 * extra quota per replica, which is the price of never failing a request for the limiter.
 */
class FallbackStore {
  private downUntil = 0;
  private down = false;

  constructor(
    private readonly redis: Redis,
    private readonly shared: IncrStore,
    private readonly local: IncrStore,
    private readonly log: FastifyBaseLogger,
    private readonly retryMs: number,
  ) {}

  incr(key: string, cb: IncrCallback, timeWindow: number, max: number): void {
    const now = Date.now();
    if (this.redis.status !== 'ready' || now < this.downUntil) {
      this.markDown(now, this.redis.status === 'ready' ? undefined : `connection ${this.redis.status}`);
      this.local.incr(key, cb, timeWindow, max);
      return;
    }
    this.shared.incr(
      key,
      (err, res) => {
        if (err || !res) {
          this.markDown(Date.now(), err?.message ?? 'no result');
          this.local.incr(key, cb, timeWindow, max);
          return;
        }
        if (this.down) {
          this.down = false;
          this.log.info('rate limiter: Redis is reachable again; counting in Redis across the fleet');
        }
        cb(null, res);
      },
      timeWindow,
      max,
    );
  }

  private markDown(now: number, reason: string | undefined): void {
    if (reason !== undefined) this.downUntil = now + this.retryMs;
    if (this.down) return;
    this.down = true;
    this.log.warn({ reason }, 'rate limiter: Redis unavailable; counting per replica in memory until it is back');
  }

  child(): FallbackStore {
    return this; // no per-route limits are configured; one set of counters per tenant
  }
}

export async function registerTenantRateLimit(app: ZodApp, opts: TenantRateLimitOptions): Promise<void> {
  if (opts.perMinute <= 0) return;
  const nameSpace = `${opts.keyPrefix ?? ''}hh:v1:ratelimit:`;
  const redis = opts.redis;
  const retryMs = opts.redisRetryMs ?? 1_000;
  const log = app.log;
  // @fastify/rate-limit constructs the store itself (new Store(options)); the closure supplies the rest.
  const fallbackStore = (r: Redis) =>
    class {
      constructor() {
        return new FallbackStore(r, new RedisStore(false, false, r, nameSpace), new LocalStore(false, false, 10_000), log, retryMs);
      }
    };
  const store = redis ? fallbackStore(redis) : undefined;
  await app.register(rateLimit, {
    global: true,
    max: opts.perMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (req) => `tenant:${req.tenant.id}`,
    nameSpace,
    cache: 10_000,
    ...(store ? { store: store as unknown as new () => FastifyRateLimitStore } : {}),
    skipOnError: false,
    errorResponseBuilder: (_req, ctx) =>
      new HttpProblem(429, 'HH_SEARCH_RATE_LIMITED', `this tenant's quota of ${ctx.max} requests per minute is used up; retry in ${ctx.after}`),
  });
}
