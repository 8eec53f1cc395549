import { describe, expect, it } from 'vitest';
import { cacheKey, jitteredTtlMs, keyNamespace } from '@hh/cache';

describe('cacheKey', () => {
  it('has the documented shape with the tenant in clear and the parts hashed', () => {
    const k = cacheKey('search', 42, 'senior nurse', 'pt-BR');
    expect(k).toMatch(/^hh:v1:search:42:[A-Za-z0-9_-]{43}$/);
    expect(k).not.toContain('nurse');
    expect(keyNamespace(k)).toBe('search');
  });

  it('is deterministic and separates tenants, namespaces and parts', () => {
    const a = cacheKey('qemb', 1, 'model', 'text');
    expect(cacheKey('qemb', 1, 'model', 'text')).toBe(a);
    expect(cacheKey('qemb', 2, 'model', 'text')).not.toBe(a);
    expect(cacheKey('rerank', 1, 'model', 'text')).not.toBe(a);
    expect(cacheKey('qemb', 1, 'model', 'text2')).not.toBe(a);
  });

  it('does not collide on concatenation or on type', () => {
    expect(cacheKey('x', 't', 'ab', 'c')).not.toBe(cacheKey('x', 't', 'a', 'bc'));
    expect(cacheKey('x', 't', 'a:b')).not.toBe(cacheKey('x', 't', 'a', 'b'));
    expect(cacheKey('x', 't', 1)).not.toBe(cacheKey('x', 't', '1'));
    expect(cacheKey('x', 't', true)).not.toBe(cacheKey('x', 't', 'true'));
    expect(cacheKey('x', 't')).not.toBe(cacheKey('x', 't', ''));
  });

  it('rejects a missing or malformed tenant and namespace', () => {
    expect(() => cacheKey('search', '')).toThrow(/tenantId/);
    expect(() => cacheKey('search', 'a:b')).toThrow(/tenantId/);
    expect(() => cacheKey('search', -1)).toThrow(/tenantId/);
    expect(() => cacheKey('search', 1.5)).toThrow(/tenantId/);
    expect(() => cacheKey('search', undefined as unknown as string)).toThrow(/tenantId/);
    expect(() => cacheKey('Search', 1)).toThrow(/namespace/);
    expect(() => cacheKey('a:b', 1)).toThrow(/namespace/);
  });

  it('keyNamespace is undefined for keys not made by cacheKey', () => {
    expect(keyNamespace('plain-key')).toBeUndefined();
    expect(keyNamespace('hh:v1:search')).toBeUndefined();
  });
});

describe('jitteredTtlMs', () => {
  it('maps the random extremes to ±jitter', () => {
    expect(jitteredTtlMs(100, 0.1, () => 0)).toBe(90_000);
    expect(jitteredTtlMs(100, 0.1, () => 0.5)).toBe(100_000);
    expect(jitteredTtlMs(100, 0.1, () => 0.999999)).toBe(110_000);
    expect(jitteredTtlMs(100, 0, () => 0)).toBe(100_000);
    expect(jitteredTtlMs(0.0001, 0.1, () => 0)).toBe(1); // never 0 (which would mean "no expiry" to some backends)
  });

  it('stays within bounds and actually spreads values', () => {
    const samples = Array.from({ length: 5_000 }, () => jitteredTtlMs(300, 0.1));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(270_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(330_000);
    // Uniform over ±10%: both outer fifths of the range are populated.
    expect(samples.filter((s) => s < 282_000).length).toBeGreaterThan(500);
    expect(samples.filter((s) => s > 318_000).length).toBeGreaterThan(500);
  });
});

describe('cacheKey parts', () => {
  it('rejects objects, which would all stringify alike', () => {
    expect(() => cacheKey('x', 1, { a: 1 } as unknown as string)).toThrow(/parts/);
    expect(() => cacheKey('x', 1, null as unknown as string)).toThrow(/parts/);
  });
});
