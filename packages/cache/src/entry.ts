/**
 * Stored entry format and TTL arithmetic, shared by both adapters so they behave identically.
 *
 * An entry is `"h" 0x01 | freshUntil (float64 BE, epoch ms) | payload`. The backend's own expiry
 * (Redis PX, lru-cache ttl) is the *hard* expiry = fresh TTL + stale window; `freshUntil` inside
 * the entry tells a reader whether it is fresh or stale. Epoch time is used because entries are
 * shared between replicas through Redis; skew between hosts only shifts the fresh/stale boundary.
 */
const MAGIC0 = 0x68; // 'h'
const FORMAT = 0x01;
const HEADER = 10;

export function wrapEntry(payload: Buffer, freshUntilMs: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = MAGIC0;
  out[1] = FORMAT;
  out.writeDoubleBE(freshUntilMs, 2);
  payload.copy(out, HEADER);
  return out;
}

/** undefined for bytes not written by this package (treated as a miss and overwritten). */
export function unwrapEntry(raw: Buffer): { freshUntilMs: number; payload: Buffer } | undefined {
  if (raw.length < HEADER || raw[0] !== MAGIC0 || raw[1] !== FORMAT) return undefined;
  const freshUntilMs = raw.readDoubleBE(2);
  if (!Number.isFinite(freshUntilMs)) return undefined;
  return { freshUntilMs, payload: raw.subarray(HEADER) };
}

/**
 * TTL in ms randomised uniformly within ±`jitter` of `ttlSeconds`, so entries written together
 * (a deploy, a traffic spike) do not all expire in the same instant and stampede the loaders.
 */
export function jitteredTtlMs(ttlSeconds: number, jitter: number, random: () => number = Math.random): number {
  const factor = 1 + (2 * random() - 1) * jitter;
  return Math.max(1, Math.round(ttlSeconds * 1000 * factor));
}

export function assertTtl(ttlSeconds: number, what = 'ttlSeconds'): void {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError(`${what} must be a positive finite number of seconds`);
  }
}

export function assertJitter(jitter: number): void {
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) throw new TypeError('jitter must be in [0, 1)');
}

export function assertStale(staleSeconds: number): void {
  if (typeof staleSeconds !== 'number' || !Number.isFinite(staleSeconds) || staleSeconds < 0) {
    throw new TypeError('staleSeconds must be a finite number ≥ 0');
  }
}

export const MAX_KEY_LENGTH = 1024;

export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(`cache key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
}
