/**
 * In-process adapter: lru-cache holding the same framed bytes the Redis adapter stores, so values
 * are copied in and out (callers cannot mutate a cached object) and both adapters behave alike.
 * Used when no REDIS_URL is configured; it is per process, so replicas do not share it.
 */
import { LRUCache } from 'lru-cache';
import { CacheCore, type Backend, type CommonCacheOptions } from './core.js';
import type { Cache } from './types.js';

export interface MemoryCacheOptions extends CommonCacheOptions {
  /** Entry count bound. Default 10 000. */
  maxEntries?: number;
  /** Optional bound on stored bytes (value + key). Larger single entries are not stored. */
  maxBytes?: number;
}

export function createMemoryCache(opts: MemoryCacheOptions = {}): Cache {
  const max = opts.maxEntries ?? 10_000;
  if (!(Number.isSafeInteger(max) && max >= 1)) throw new TypeError('maxEntries must be an integer ≥ 1');
  if (opts.maxBytes !== undefined && !(Number.isSafeInteger(opts.maxBytes) && opts.maxBytes >= 1)) {
    throw new TypeError('maxBytes must be an integer ≥ 1');
  }
  const lru = new LRUCache<string, Buffer>({
    max,
    ...(opts.maxBytes !== undefined ? { maxSize: opts.maxBytes, sizeCalculation: (v: Buffer, k: string) => v.length + k.length } : {}),
    // Expired entries are never returned; they are dropped lazily on access or by LRU pressure.
    allowStale: false,
    updateAgeOnGet: false,
  });
  let closed = false;
  const backend: Backend = {
    kind: 'memory',
    unavailable: () => (closed ? 'closed' : undefined),
    read: async (key) => lru.get(key) ?? null,
    write: async (key, value, ttlMs) => {
      lru.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    },
    remove: async (key) => {
      lru.delete(key);
    },
    ping: async () => undefined,
    ready: async () => !closed,
    close: async () => {
      closed = true;
      lru.clear();
    },
    classify: () => 'error',
  };
  // An in-process map cannot time out or disconnect, so there is nothing for a breaker to protect.
  return new CacheCore(backend, { ...opts, breaker: false });
}
