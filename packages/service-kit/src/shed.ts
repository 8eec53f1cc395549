/**
 * Load shedding (docs/RELIABILITY.md §2.2): @fastify/under-pressure samples this process's event-loop
 * delay and heap and, past a threshold, answers new requests 503 FST_UNDER_PRESSURE with Retry-After
 * before their bodies are read — so an overloaded process sheds the excess instead of queueing it
 * into timeouts. Only self-overload counts: dependency health stays in /health/ready (a failing
 * dependency must degrade answers, not turn every route into a 503). Health and metrics routes are
 * never shed, so an overloaded instance is still observable and is not restarted for being busy.
 */
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from './errors.js';

export interface ShedOptions {
  /** Mean event-loop delay (ms) over a sample interval above which requests are shed; 0 = off. */
  maxEventLoopDelayMs?: number;
  /** V8 heap in use (bytes) above which requests are shed; 0 = off. */
  maxHeapUsedBytes?: number;
  /** Retry-After sent with a shed request (seconds). */
  retryAfterSeconds?: number;
  /** How often the process is sampled (ms). */
  sampleIntervalMs?: number;
}

/** The shedding settings every service reads from its environment (@hh/config `common`). */
export function shedOptionsFromConfig(c: { SHED_MAX_EVENT_LOOP_DELAY_MS: number; SHED_MAX_HEAP_USED_BYTES: number; SHED_RETRY_AFTER_SECONDS: number }): ShedOptions {
  return { maxEventLoopDelayMs: c.SHED_MAX_EVENT_LOOP_DELAY_MS, maxHeapUsedBytes: c.SHED_MAX_HEAP_USED_BYTES, retryAfterSeconds: c.SHED_RETRY_AFTER_SECONDS };
}

const EXEMPT = /^\/(health\/|metrics(\?|$))/;

export function installShedding(app: FastifyInstance, prefix: string, opts: ShedOptions): void {
  const maxEventLoopDelay = opts.maxEventLoopDelayMs ?? 0;
  const maxHeapUsedBytes = opts.maxHeapUsedBytes ?? 0;
  if (maxEventLoopDelay <= 0 && maxHeapUsedBytes <= 0) return;
  const retryAfter = opts.retryAfterSeconds ?? 5;
  const shed = app.metrics.counter(`${prefix}_shed_requests_total`, 'Requests answered 503 because this process was overloaded', ['reason']);
  void app.register(underPressure, {
    maxEventLoopDelay,
    maxHeapUsedBytes,
    retryAfter,
    sampleInterval: opts.sampleIntervalMs ?? 1_000,
    // The plugin sends a returned value and lets the request through on undefined (index.js
    // handlePressure); its typings only allow void, hence the cast.
    pressureHandler: ((req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      if (EXEMPT.test(req.url)) return undefined; // answered as usual
      shed.inc({ reason: type });
      void reply.header('retry-after', String(retryAfter));
      const what = type === 'eventLoopDelay' ? `event-loop delay ${Math.round(Number(value))} ms` : type === 'heapUsedBytes' ? 'heap in use' : type;
      return new HttpProblem(503, 'FST_UNDER_PRESSURE', `this instance is overloaded (${what}); retry in ${retryAfter} s`);
    }) as unknown as FastifyUnderPressureOptions['pressureHandler'],
  });
}
