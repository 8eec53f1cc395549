import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, type ZodApp } from '../src/index.js';

let app: ZodApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(shed: Parameters<typeof createServiceApp>[0]['shed']): ZodApp {
  const a = createServiceApp({ name: 'svc', errorPrefix: 'SVC', metricPrefix: 'svc', logLevel: 'silent', ...(shed ? { shed } : {}) });
  a.get('/v1/work', async () => ({ ok: true }));
  return a;
}

/** Waits until the pressure sampler has run (it samples every sampleIntervalMs). */
const sampled = (ms: number) => new Promise((r) => setTimeout(r, ms * 3));

describe('load shedding', () => {
  it('an overloaded process answers 503 FST_UNDER_PRESSURE with Retry-After, counts it, and keeps health and metrics up', async () => {
    // 1 byte of heap is always exceeded: a deterministic stand-in for real overload.
    app = build({ maxHeapUsedBytes: 1, retryAfterSeconds: 7, sampleIntervalMs: 20 });
    await app.ready();
    await sampled(20);
    const res = await app.inject({ method: 'GET', url: '/v1/work' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 503, code: 'FST_UNDER_PRESSURE' });
    expect(res.json().detail).toMatch(/overloaded \(heap in use\)/);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/svc_shed_requests_total\{reason="heapUsedBytes"\} 1/);
  });

  it('below the thresholds nothing is shed', async () => {
    // A sample interval long enough to always hold event-loop samples: @fastify/under-pressure reads
    // an interval without any (a loop blocked throughout, e.g. a busy CI machine) as infinite delay.
    app = build({ maxHeapUsedBytes: Number.MAX_SAFE_INTEGER, maxEventLoopDelayMs: 60_000, sampleIntervalMs: 250 });
    await app.ready();
    await sampled(250);
    const res = await app.inject({ method: 'GET', url: '/v1/work' });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('thresholds of 0 leave shedding off entirely', async () => {
    app = build({ maxHeapUsedBytes: 0, maxEventLoopDelayMs: 0 });
    await app.ready();
    expect(app.hasDecorator('isUnderPressure')).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/v1/work' })).statusCode).toBe(200);
  });
});
