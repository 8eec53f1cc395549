/**
 * Prometheus metrics for a cache, on a registry the caller owns (each service app has its own):
 *   hh_cache_requests_total{cache,result}          result = hit | miss | stale | bypass
 *   hh_cache_backend_errors_total{backend,reason}  reason = timeout | error | disconnected | breaker_open | closed
 *   hh_cache_backend_up{backend}                   1 while connected (Redis), always 1 for memory
 * `cache` is the key namespace (search, qemb, rerank, …), a small fixed set chosen in code.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Cache, CacheEventListener } from './types.js';

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  // Several caches (or a rebuilt app in tests) may share one registry: reuse the metric.
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string, labelNames: string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

/** Returns an event listener that records metrics; pass it as `onEvent` or to `cache.onEvent()`. */
export function cacheMetricsListener(registry: Registry, backend: Cache['kind']): CacheEventListener {
  const requests = counter(registry, 'hh_cache_requests_total', 'Cache lookups by cache (key namespace) and result', ['cache', 'result']);
  const errors = counter(registry, 'hh_cache_backend_errors_total', 'Cache backend operations that failed or were skipped, by reason', [
    'backend',
    'reason',
  ]);
  const upGauge = gauge(registry, 'hh_cache_backend_up', 'Whether the cache backend is connected (1) or not (0)', ['backend']);
  if (backend === 'memory') upGauge.set({ backend }, 1);
  return (e) => {
    switch (e.type) {
      case 'request':
        requests.inc({ cache: e.cache, result: e.result });
        break;
      case 'backend_error':
        errors.inc({ backend, reason: e.reason });
        break;
      case 'connection':
        upGauge.set({ backend }, e.state === 'ready' ? 1 : 0);
        break;
      default:
        break;
    }
  };
}

/** Attaches metrics to an existing cache; returns a function that detaches them. */
export function instrumentCache(cache: Cache, registry: Registry): () => void {
  const listener = cacheMetricsListener(registry, cache.kind);
  const detach = cache.onEvent(listener);
  if (cache.kind === 'redis') {
    // A Redis cache that connected before instrumentation would otherwise show nothing until the
    // next reconnect. Only ever raise it here: a later 'down' event is the authority for 0.
    listener({ type: 'connection', state: 'down' });
    void cache.ready(0).then((ok) => {
      if (ok) listener({ type: 'connection', state: 'ready' });
    });
  }
  return detach;
}
