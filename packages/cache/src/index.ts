/**
 * @hh/cache: one `Cache` interface, two adapters (Redis, in-process LRU). See README.md.
 */
import { createMemoryCache, type MemoryCacheOptions } from './memory.js';
import { createRedisCache, type RedisCacheOptions } from './redis.js';
import type { Cache } from './types.js';

export type * from './types.js';
export type { BreakerOptions, CommonCacheOptions } from './core.js';
export { cacheKey, keyNamespace, KEY_VERSION, type KeyPart } from './key.js';
export { jitteredTtlMs } from './entry.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory.js';
export { createFailFastRedis, createRedisCache, type RedisCacheOptions } from './redis.js';
export { cacheMetricsListener, instrumentCache } from './metrics.js';

export interface CreateCacheOptions extends Omit<RedisCacheOptions, 'url'>, MemoryCacheOptions {
  /** Set → Redis adapter; unset/empty → in-process LRU. */
  redisUrl?: string | undefined;
}

/** Redis when a URL is given, in-process LRU otherwise. Options of the other adapter are ignored. */
export function createCache(opts: CreateCacheOptions = {}): Cache {
  const { redisUrl, maxEntries, maxBytes, commandTimeoutMs, connectTimeoutMs, keyPrefix, lazyConnect, reconnectMaxDelayMs, ...common } = opts;
  if (redisUrl) {
    return createRedisCache({
      ...common,
      url: redisUrl,
      ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}),
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      ...(reconnectMaxDelayMs !== undefined ? { reconnectMaxDelayMs } : {}),
    });
  }
  return createMemoryCache({
    ...common,
    ...(maxEntries !== undefined ? { maxEntries } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  });
}
