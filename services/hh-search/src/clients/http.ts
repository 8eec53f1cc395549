/**
 * JSON-over-HTTP calls to hh-embed / hh-rerank with undici: a bounded keep-alive pool per origin,
 * and a per-call timeout that always fits inside the caller's deadline (RELIABILITY.md §2.4).
 */
import { Pool, errors as undiciErrors } from 'undici';
import { DEADLINE_HEADER } from '@hh/service-kit';

export class DownstreamError extends Error {
  constructor(
    readonly service: string,
    readonly kind: 'timeout' | 'unavailable' | 'bad_response',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownstreamError';
  }
}

export class JsonClient {
  private readonly pool: Pool;
  constructor(
    readonly service: string,
    origin: string,
    opts: { connections?: number } = {},
  ) {
    this.pool = new Pool(origin, {
      connections: opts.connections ?? 32,
      connectTimeout: 1_000,
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
      keepAliveTimeout: 4_000,
    });
  }

  /** `signal` lets the caller give up early (e.g. a worker shutting down); it is reported as unavailable. */
  async post<T>(path: string, body: unknown, opts: { timeoutMs: number; requestId?: string; signal?: AbortSignal }): Promise<T> {
    if (opts.timeoutMs <= 0) throw new DownstreamError(this.service, 'timeout', `${this.service}: no time left in the request budget`);
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res;
    try {
      res = await this.pool.request({
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          [DEADLINE_HEADER]: String(Math.max(1, Math.floor(opts.timeoutMs))),
          ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}),
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw new DownstreamError(this.service, 'unavailable', `${this.service}: call abandoned by the caller`);
      if (timeout.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
        throw new DownstreamError(this.service, 'timeout', `${this.service}: timed out after ${opts.timeoutMs} ms`);
      }
      throw new DownstreamError(this.service, 'unavailable', `${this.service}: ${(err as Error).message}`);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch {
      throw new DownstreamError(this.service, timeout.aborted ? 'timeout' : 'unavailable', `${this.service}: response body interrupted`);
    }
    if (res.statusCode >= 400) {
      const kind = res.statusCode === 504 ? 'timeout' : 'unavailable';
      throw new DownstreamError(this.service, kind, `${this.service}: HTTP ${res.statusCode}`, res.statusCode);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new DownstreamError(this.service, 'bad_response', `${this.service}: response is not JSON`);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
