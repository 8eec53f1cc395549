/**
 * Cache keys: `hh:v1:<namespace>:<tenant>:<sha256(parts)>`.
 *
 * The tenant is mandatory and kept in clear so that (a) two tenants can never share an entry even
 * for identical inputs and (b) one tenant's entries can be found with `SCAN hh:v1:*:<tenant>:*`.
 * The parts (query text, filters, model ids…) are hashed: keys stay short, bounded and free of
 * user text (no PII in Redis key listings). Bump `KEY_VERSION` when a cached value's shape changes.
 */
import { createHash } from 'node:crypto';

export const KEY_VERSION = 'v1';
const NAMESPACE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const TENANT_RE = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_RE = /^hh:v\d+:([a-z][a-z0-9_-]{0,31}):[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]+$/;

export type KeyPart = string | number | boolean;

export function cacheKey(namespace: string, tenantId: string | number, ...parts: KeyPart[]): string {
  if (typeof namespace !== 'string' || !NAMESPACE_RE.test(namespace)) throw new TypeError(`cacheKey: namespace must match ${NAMESPACE_RE.source}`);
  const tenant = typeof tenantId === 'number' ? tenantIdFromNumber(tenantId) : tenantId;
  // typeof check first: RegExp.test(undefined) would test the string "undefined" and pass.
  if (typeof tenant !== 'string' || !TENANT_RE.test(tenant)) throw new TypeError(`cacheKey: tenantId must match ${TENANT_RE.source}`);
  const h = createHash('sha256');
  // Length-prefixed and typed, so ('ab','c') and ('a','bc') or (1) and ('1') never collide.
  for (const p of parts) {
    // An object would hash as "[object Object]" and collide with every other object.
    if (typeof p !== 'string' && typeof p !== 'number' && typeof p !== 'boolean') {
      throw new TypeError('cacheKey: parts must be strings, numbers or booleans (serialise objects first)');
    }
    const s = `${typeof p}:${String(p)}`;
    h.update(`${Buffer.byteLength(s)}:${s};`);
  }
  return `hh:${KEY_VERSION}:${namespace}:${tenant}:${h.digest('base64url')}`;
}

function tenantIdFromNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('cacheKey: a numeric tenantId must be a non-negative safe integer');
  return String(n);
}

/** The namespace of a key made by `cacheKey` (for metric labels), or undefined. */
export function keyNamespace(key: string): string | undefined {
  return KEY_RE.exec(key)?.[1];
}
