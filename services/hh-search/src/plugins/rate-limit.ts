/**
 * Per-tenant request quota on /v1 (RELIABILITY.md §2.3): counted per tenant after authentication
 * (preHandler), so one tenant's burst never spends another's quota. With Redis the count is shared by
 * the fleet (an atomic INCR/PEXPIRE script in @fastify/rate-limit) on a dedicated client that fails
 * fast like the cache's (@hh/cache createFailFastRedis, same command timeout). A slow or dead Redis
 * lets the request through (fail-open): requests go unlimited, they never fail because of the limiter.
 */
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { createFailFastRedis } from '@hh/cache';
import { HttpProblem, type ZodApp } from '@hh/service-kit';

export interface TenantRateLimitOptions {
  /** Requests per minute per tenant; 0 disables the limiter. */
  perMinute: number;
  redisUrl?: string;
  commandTimeoutMs: number;
}

/** A Redis client for counters: fails a command at once instead of queueing it while disconnected. */
export function createLimiterRedis(url: string, commandTimeoutMs: number): Redis {
  const redis = createFailFastRedis(url, { commandTimeout: commandTimeoutMs });
  redis.on('error', () => undefined); // reconnects on its own; the limiter fails open meanwhile
  return redis;
}

export async function registerTenantRateLimit(app: ZodApp, opts: TenantRateLimitOptions & { redis?: Redis }): Promise<void> {
  if (opts.perMinute <= 0) return;
  await app.register(rateLimit, {
    global: true,
    max: opts.perMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (req) => `tenant:${req.tenant.id}`,
    nameSpace: 'hh:v1:ratelimit:',
    ...(opts.redis ? { redis: opts.redis } : {}),
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) =>
      new HttpProblem(429, 'HH_SEARCH_RATE_LIMITED', `this tenant's quota of ${ctx.max} requests per minute is used up; retry in ${ctx.after}`),
  });
}
