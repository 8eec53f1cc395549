/**
 * JSON-over-HTTP calls to hh-embed / hh-rerank with undici: a bounded keep-alive pool per origin,
 * a per-call timeout that always fits inside the caller's deadline (docs/RELIABILITY.md §2.4), and the
 * service token the callee requires (docs/RELIABILITY.md §4.1) when SERVICE_AUTH_SECRET is set.
 */
import { Pool, errors as undiciErrors } from 'undici';
import { DEADLINE_HEADER, ServiceTokenSigner } from '@hh/service-kit';

interface Log {
  info(msg: string): void;
  warn(obj: object, msg: string): void;
}

export class DownstreamError extends Error {
  constructor(
    readonly service: string,
    readonly kind: 'timeout' | 'unavailable' | 'unauthorized' | 'bad_response',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownstreamError';
  }
}

export class JsonClient {
  private readonly pool: Pool;
  private readonly signer: ServiceTokenSigner | undefined;
  private log: Log | undefined;
  /** Set while the callee refuses our credentials: the refusal is logged once, not per call. */
  private refused = false;

  constructor(
    readonly service: string,
    origin: string,
    opts: { connections?: number; serviceAuthSecret?: string | undefined } = {},
  ) {
    // The callee's name is the token's audience: a token for hh-rerank does not open hh-embed.
    this.signer = opts.serviceAuthSecret ? new ServiceTokenSigner({ secret: opts.serviceAuthSecret, audience: service }) : undefined;
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
    // Budgets come from a monotonic clock and are fractional; timers and the header want whole ms.
    const timeoutMs = Math.floor(opts.timeoutMs);
    if (timeoutMs <= 0) throw new DownstreamError(this.service, 'timeout', `${this.service}: no time left in the request budget`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    // Cached between calls; signing happens about once every 40 s.
    const token = this.signer ? await this.signer.token() : undefined;
    let res;
    try {
      res = await this.pool.request({
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          [DEADLINE_HEADER]: String(timeoutMs),
          ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw new DownstreamError(this.service, 'unavailable', `${this.service}: call abandoned by the caller`);
      if (timeout.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
        throw new DownstreamError(this.service, 'timeout', `${this.service}: timed out after ${timeoutMs} ms`);
      }
      throw new DownstreamError(this.service, 'unavailable', `${this.service}: ${(err as Error).message}`);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch {
      throw new DownstreamError(this.service, timeout.aborted ? 'timeout' : 'unavailable', `${this.service}: response body interrupted`);
    }
    if (res.statusCode === 401) throw this.unauthorized(text);
    if (res.statusCode >= 400) {
      const kind = res.statusCode === 504 ? 'timeout' : 'unavailable';
      throw new DownstreamError(this.service, kind, `${this.service}: HTTP ${res.statusCode}`, res.statusCode);
    }
    if (this.refused) {
      this.refused = false;
      this.log?.info(`${this.service} accepts this service's credentials again`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new DownstreamError(this.service, 'bad_response', `${this.service}: response is not JSON`);
    }
  }

  setLog(log: Log): void {
    this.log = log;
  }

  /**
   * A 401: the two sides disagree on SERVICE_AUTH_SECRET. The log says which way, once per outage;
   * the error (which reaches API clients as a branch detail) stays short.
   */
  private unauthorized(body: string): DownstreamError {
    if (!this.refused) {
      this.refused = true;
      let reason: string | undefined;
      try {
        const p = JSON.parse(body) as { detail?: unknown };
        if (typeof p.detail === 'string') reason = p.detail;
      } catch {
        /* not problem+json; the status says enough */
      }
      const hint = this.signer
        ? `check that SERVICE_AUTH_SECRET is the same on hh-search and ${this.service}`
        : `${this.service} requires a service token: set the same SERVICE_AUTH_SECRET on hh-search`;
      this.log?.warn({ service: this.service, reason }, `${this.service} refuses this service's credentials (HTTP 401); ${hint}`);
    }
    return new DownstreamError(this.service, 'unauthorized', `${this.service}: refused the service credentials (HTTP 401)`, 401);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
