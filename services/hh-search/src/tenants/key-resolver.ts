/**
 * API key → tenant, with the caches and the budget that keep authentication off the database:
 *
 * - Known keys: an LRU (lru-cache) with a TTL, keyed by the key's SHA-256 digest (the plaintext
 *   is never kept), so a revoked key stops working within the TTL and a flood of other keys
 *   evicts only the least recently used entries, never all of them.
 * - Unknown keys: a separate, small LRU with the same TTL, so a client repeating a wrong key costs
 *   one lookup per TTL and unknown keys cannot push known ones out.
 * - Concurrent lookups of one digest share a single query.
 * - A per-client budget of database lookups that found nothing (fixed one-minute windows, counters
 *   in a bounded LRU): past it, that client's uncached keys are refused with 429 before any query,
 *   so guessing keys cannot turn into unbounded database work. IPv6 clients are counted per /64,
 *   the block one subscriber usually holds. The client address is `req.ip`: behind a proxy that is
 *   the proxy's address unless TRUST_PROXY names it (see README).
 */
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';
import type { Tenant, TenantRepository } from './repository.js';

export interface KeyResolverOptions {
  /** How long a resolution (found or not) is reused. */
  ttlMs: number;
  /** Known keys kept. */
  maxKeys: number;
  /** Unknown keys kept. Default: a tenth of maxKeys, at least 100, at most 10,000. */
  maxUnknownKeys?: number;
  /** Lookups that found no key, per client and minute; 0 = unlimited. */
  unknownLookupsPerMinute: number;
  /** Clients whose counters are kept (least recently seen dropped first). Default 10,000. */
  maxClients?: number;
}

export type KeyResolution =
  | { kind: 'tenant'; tenant: Tenant }
  | { kind: 'unknown' }
  /** The client used up its budget of unknown-key lookups; retry after this many seconds. */
  | { kind: 'throttled'; retryAfterSeconds: number };

const WINDOW_MS = 60_000;

/** The bucket a client address is counted in: the address, or its /64 for IPv6. */
export function clientBucket(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const addr = ipaddr.process(ip); // ::ffff:1.2.3.4 → 1.2.3.4
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

export function createKeyResolver(tenants: Pick<TenantRepository, 'resolveDigest'>, opts: KeyResolverOptions) {
  const known = new LRUCache<string, Tenant>({ max: opts.maxKeys, ttl: opts.ttlMs });
  const unknown = new LRUCache<string, true>({
    max: opts.maxUnknownKeys ?? Math.min(10_000, Math.max(100, Math.floor(opts.maxKeys / 10))),
    ttl: opts.ttlMs,
  });
  const inflight = new Map<string, Promise<Tenant | null>>();
  const misses = new LRUCache<string, { count: number; resetAt: number }>({ max: opts.maxClients ?? 10_000, ttl: WINDOW_MS });

  function lookup(id: string, digest: Buffer): Promise<Tenant | null> {
    let p = inflight.get(id);
    if (!p) {
      p = tenants.resolveDigest(digest).finally(() => inflight.delete(id));
      inflight.set(id, p);
    }
    return p;
  }

  return {
    async resolve(key: string, clientIp: string): Promise<KeyResolution> {
      const digest = createHash('sha256').update(key, 'utf8').digest();
      const id = digest.toString('base64url');
      const cached = known.get(id);
      if (cached) return { kind: 'tenant', tenant: cached };
      if (unknown.has(id)) return { kind: 'unknown' };

      const now = Date.now();
      const bucket = clientBucket(clientIp);
      let budget = misses.get(bucket);
      if (budget && budget.resetAt <= now) budget = undefined;
      if (opts.unknownLookupsPerMinute > 0 && budget && budget.count >= opts.unknownLookupsPerMinute) {
        return { kind: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((budget.resetAt - now) / 1000)) };
      }

      const tenant = await lookup(id, digest);
      if (tenant) {
        known.set(id, tenant);
        return { kind: 'tenant', tenant };
      }
      unknown.set(id, true);
      if (opts.unknownLookupsPerMinute > 0) {
        const b = budget ?? { count: 0, resetAt: now + WINDOW_MS };
        b.count++;
        misses.set(bucket, b, { ttl: Math.max(1, b.resetAt - now) });
      }
      return { kind: 'unknown' };
    },
  };
}
export type KeyResolver = ReturnType<typeof createKeyResolver>;
