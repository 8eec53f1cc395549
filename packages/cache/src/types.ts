/**
 * Public contract of @hh/cache. Both adapters (Redis, in-process LRU) implement `Cache` with the
 * same semantics; only the storage differs.
 */

/** What a read produced. `stale` = past its fresh TTL but inside the stale-while-revalidate window. */
export type CacheStatus = 'hit' | 'miss' | 'stale' | 'bypass';

/**
 * Why the backend was not used. `disconnected`: Redis is not connected (reconnecting in the
 * background); `timeout`: a command exceeded the command timeout; `error`: any other backend
 * error; `breaker_open`: recent consecutive failures, so the backend is skipped for a cool-down;
 * `closed`: the cache was closed.
 */
export type BypassReason = 'disconnected' | 'timeout' | 'error' | 'breaker_open' | 'closed';

export type CacheResult<V> =
  | { status: 'hit'; value: V }
  | { status: 'stale'; value: V }
  | { status: 'miss' }
  | { status: 'bypass'; reason: BypassReason };

/** Outcome of a write or delete: `ok`, or `bypass` when the backend could not be used. */
export type WriteStatus = 'ok' | 'bypass';

export interface LoaderContext {
  /** `miss`: nothing usable cached; `bypass`: backend unavailable; `revalidate`: refreshing a stale entry in the background. */
  reason: 'miss' | 'bypass' | 'revalidate';
}

export interface GetOrLoadOptions<T> {
  /**
   * Fresh lifetime in seconds (fractions allowed), before jitter. A function decides per value;
   * returning 0 means "do not store this value" (e.g. degraded results).
   */
  ttlSeconds: number | ((value: T) => number);
  /** Extra seconds an expired entry may still be served (status `stale`) while one background refresh runs. Default 0. */
  staleSeconds?: number;
  /** Fraction of TTL to randomise by, ±. Default: the cache's `jitter` (0.1). */
  jitter?: number;
  /** Value → bytes. Default JSON. Returning undefined skips the write. */
  encode?: (value: T) => Buffer | string | undefined;
  /** Bytes → value. Default JSON. A throw is treated as a miss and the entry is replaced. */
  decode?: (raw: Buffer) => T;
  /** `cache` label for metrics; default: the namespace of a `cacheKey()` key, else the cache's name. */
  name?: string;
}

export interface GetOrLoadResult<T> {
  value: T;
  status: CacheStatus;
}

export type CacheEvent =
  /** One per `get`/`getOrLoad` caller (single-flight joiners included). */
  | { type: 'request'; cache: string; result: CacheStatus; reason?: BypassReason }
  /** The backend failed an operation; the caller got `bypass` (reads) or a failed write. */
  | { type: 'backend_error'; op: 'get' | 'set' | 'del' | 'ping'; reason: BypassReason; error?: Error }
  /** Connection state transitions (Redis only). */
  | { type: 'connection'; state: 'ready' | 'down'; error?: Error }
  /** A cached value could not be decoded, or a value could not be encoded. */
  | { type: 'codec_error'; op: 'encode' | 'decode'; cache: string; error: Error }
  /** A background stale-while-revalidate refresh failed; the stale entry stays until its hard expiry. */
  | { type: 'revalidate_error'; cache: string; error: Error };

export type CacheEventListener = (event: CacheEvent) => void;

/** Minimal pino-compatible logger. */
export interface CacheLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface Cache {
  readonly kind: 'redis' | 'memory';
  /** Raw read. Never throws for backend failures: returns `bypass` with a reason. */
  get(key: string): Promise<CacheResult<Buffer>>;
  /** Raw write with an exact TTL (no jitter). `staleSeconds` extends the hard expiry as in getOrLoad. */
  set(key: string, value: Buffer | string, ttlSeconds: number, opts?: { staleSeconds?: number }): Promise<WriteStatus>;
  del(key: string): Promise<WriteStatus>;
  /**
   * Read-through with single-flight per key (in this process), jittered TTL and optional
   * stale-while-revalidate. Backend failures never throw: the loader is called directly and
   * the status is `bypass`. Loader errors propagate to every waiting caller and are not cached.
   */
  getOrLoad<T>(key: string, loader: (ctx: LoaderContext) => Promise<T>, opts: GetOrLoadOptions<T>): Promise<GetOrLoadResult<T>>;
  /** Round trip to the backend. Never throws. */
  ping(): Promise<{ ok: true } | { ok: false; reason: BypassReason; error?: string }>;
  /** Resolves true once the backend is usable, false if `timeoutMs` passes first. Never throws. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Adds an event listener (metrics, logs); returns a function that removes it. */
  onEvent(listener: CacheEventListener): () => void;
  /** Closes the connection; later calls bypass with reason `closed`. Idempotent. */
  close(): Promise<void>;
}
