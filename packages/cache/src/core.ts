/**
 * The behaviour both adapters share: entry framing, jittered TTL, single-flight, stale-while-
 * revalidate, bypass on backend failure, a small circuit breaker and events. An adapter only
 * supplies a `Backend` (raw bytes in, bytes out) that may fail.
 */
import { assertJitter, assertKey, assertStale, assertTtl, jitteredTtlMs, unwrapEntry, wrapEntry } from './entry.js';
import { keyNamespace } from './key.js';
import type {
  BypassReason,
  Cache,
  CacheEvent,
  CacheEventListener,
  CacheLogger,
  CacheResult,
  CacheStatus,
  GetOrLoadOptions,
  GetOrLoadResult,
  LoaderContext,
  WriteStatus,
} from './types.js';

export interface Backend {
  readonly kind: 'redis' | 'memory';
  /** Why the backend cannot be used right now (checked before every call so a down backend costs nothing), or undefined. */
  unavailable(): BypassReason | undefined;
  read(key: string): Promise<Buffer | null>;
  write(key: string, value: Buffer, ttlMs: number): Promise<void>;
  remove(key: string): Promise<void>;
  ping(): Promise<void>;
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
  /** Maps a thrown error to a bypass reason. */
  classify(error: Error): BypassReason;
}

export interface BreakerOptions {
  /** Consecutive backend failures (timeouts/errors) that open the breaker. Default 3. */
  threshold?: number;
  /** How long an open breaker skips the backend before letting one probe through. Default 1000 ms. */
  cooldownMs?: number;
}

export interface CommonCacheOptions {
  /** Default `cache` metric label when a key has no namespace. Default: the adapter kind. */
  name?: string;
  /** Default TTL jitter fraction for getOrLoad (±). Default 0.1. */
  jitter?: number;
  onEvent?: CacheEventListener;
  logger?: CacheLogger;
  /** `false` disables it. Only ever trips on a backend that can fail (Redis). */
  breaker?: BreakerOptions | false;
}

interface Flight {
  promise: Promise<{ value: unknown; status: CacheStatus; reason?: BypassReason }>;
  /** Known before the loader runs, so callers can be counted even when the loader throws. */
  status: CacheStatus;
  reason?: BypassReason;
}

type OpResult<R> = { ok: true; value: R } | { ok: false; reason: BypassReason; error?: Error };

const jsonEncode = (v: unknown): string | undefined => JSON.stringify(v);
const jsonDecode = (raw: Buffer): unknown => JSON.parse(raw.toString('utf8'));

class Breaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
  ) {}
  /** undefined: go ahead (possibly as the single half-open probe); 'breaker_open': skip the backend. */
  before(): BypassReason | undefined {
    if (this.failures < this.threshold) return undefined;
    if (Date.now() < this.openUntil || this.probing) return 'breaker_open';
    this.probing = true;
    return undefined;
  }
  success(): void {
    this.failures = 0;
    this.probing = false;
  }
  failure(): void {
    this.failures++;
    this.probing = false;
    if (this.failures >= this.threshold) this.openUntil = Date.now() + this.cooldownMs;
  }
  reset(): void {
    this.success();
    this.openUntil = 0;
  }
}

export class CacheCore implements Cache {
  readonly kind: 'redis' | 'memory';
  private readonly name: string;
  private readonly jitter: number;
  private readonly listeners = new Set<CacheEventListener>();
  private readonly flights = new Map<string, Flight>();
  private readonly revalidating = new Set<string>();
  private readonly breaker: Breaker | undefined;
  private closed = false;

  constructor(
    private readonly backend: Backend,
    opts: CommonCacheOptions,
  ) {
    this.kind = backend.kind;
    this.name = opts.name ?? backend.kind;
    this.jitter = opts.jitter ?? 0.1;
    assertJitter(this.jitter);
    if (opts.onEvent) this.listeners.add(opts.onEvent);
    if (opts.breaker !== false) {
      const threshold = opts.breaker?.threshold ?? 3;
      const cooldownMs = opts.breaker?.cooldownMs ?? 1000;
      if (!(Number.isInteger(threshold) && threshold >= 1)) throw new TypeError('breaker.threshold must be an integer ≥ 1');
      if (!(Number.isFinite(cooldownMs) && cooldownMs >= 0)) throw new TypeError('breaker.cooldownMs must be ≥ 0');
      this.breaker = new Breaker(threshold, cooldownMs);
    }
  }

  onEvent(listener: CacheEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For adapters: publish an event. A throwing listener never affects a cache call. */
  emit(event: CacheEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // Listeners are metrics/logging; their bugs must not turn into cache failures.
      }
    }
  }

  /** For adapters: the backend reconnected, so forget past failures at once instead of waiting out the cool-down. */
  backendRecovered(): void {
    this.breaker?.reset();
  }

  private async op<R>(op: 'get' | 'set' | 'del' | 'ping', fn: () => Promise<R>): Promise<OpResult<R>> {
    if (this.closed) return { ok: false, reason: 'closed' };
    const down = this.backend.unavailable() ?? this.breaker?.before();
    if (down) {
      this.emit({ type: 'backend_error', op, reason: down });
      return { ok: false, reason: down };
    }
    try {
      const value = await fn();
      this.breaker?.success();
      return { ok: true, value };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const reason = this.backend.classify(error);
      this.breaker?.failure();
      this.emit({ type: 'backend_error', op, reason, error });
      return { ok: false, reason, error };
    }
  }

  async get(key: string): Promise<CacheResult<Buffer>> {
    assertKey(key);
    const r = await this.readEntry(key);
    const cache = keyNamespace(key) ?? this.name;
    if (r.kind === 'bypass') {
      this.emit({ type: 'request', cache, result: 'bypass', reason: r.reason });
      return { status: 'bypass', reason: r.reason };
    }
    if (r.kind === 'miss') {
      this.emit({ type: 'request', cache, result: 'miss' });
      return { status: 'miss' };
    }
    // Still present in the backend, so inside its hard expiry: past freshUntil means stale.
    const status = Date.now() < r.freshUntilMs ? 'hit' : 'stale';
    this.emit({ type: 'request', cache, result: status });
    return { status, value: Buffer.from(r.payload) };
  }

  async set(key: string, value: Buffer | string, ttlSeconds: number, opts: { staleSeconds?: number } = {}): Promise<WriteStatus> {
    assertKey(key);
    assertTtl(ttlSeconds);
    const stale = opts.staleSeconds ?? 0;
    assertStale(stale);
    const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const freshMs = Math.max(1, Math.round(ttlSeconds * 1000));
    return this.writeEntry(key, payload, freshMs, stale);
  }

  async del(key: string): Promise<WriteStatus> {
    assertKey(key);
    const r = await this.op('del', () => this.backend.remove(key));
    return r.ok ? 'ok' : 'bypass';
  }

  async ping(): Promise<{ ok: true } | { ok: false; reason: BypassReason; error?: string }> {
    const r = await this.op('ping', () => this.backend.ping());
    return r.ok ? { ok: true } : { ok: false, reason: r.reason, ...(r.error ? { error: r.error.message } : {}) };
  }

  async ready(timeoutMs = 5_000): Promise<boolean> {
    if (this.closed) return false;
    try {
      return await this.backend.ready(timeoutMs);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }

  async getOrLoad<T>(key: string, loader: (ctx: LoaderContext) => Promise<T>, opts: GetOrLoadOptions<T>): Promise<GetOrLoadResult<T>> {
    assertKey(key);
    if (typeof opts.ttlSeconds === 'number') assertTtl(opts.ttlSeconds);
    else if (typeof opts.ttlSeconds !== 'function') throw new TypeError('ttlSeconds must be a number or a function');
    assertStale(opts.staleSeconds ?? 0);
    if (opts.jitter !== undefined) assertJitter(opts.jitter);
    const cache = opts.name ?? keyNamespace(key) ?? this.name;

    let flight = this.flights.get(key);
    if (!flight) {
      const f: Flight = { status: 'miss', promise: Promise.resolve({ value: undefined, status: 'miss' }) };
      f.promise = this.loadThrough(key, loader, opts, cache, f);
      this.flights.set(key, f);
      const clear = () => {
        if (this.flights.get(key) === f) this.flights.delete(key);
      };
      f.promise.then(clear, clear);
      flight = f;
    }
    try {
      const r = await flight.promise;
      this.emit({ type: 'request', cache, result: r.status, ...(r.reason ? { reason: r.reason } : {}) });
      return { value: r.value as T, status: r.status };
    } catch (e) {
      this.emit({ type: 'request', cache, result: flight.status, ...(flight.reason ? { reason: flight.reason } : {}) });
      throw e;
    }
  }

  private async loadThrough<T>(
    key: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    opts: GetOrLoadOptions<T>,
    cache: string,
    flight: Flight,
  ): Promise<{ value: unknown; status: CacheStatus; reason?: BypassReason }> {
    const read = await this.readEntry(key);
    if (read.kind === 'bypass') {
      // Backend unusable: serve from the origin and do not try to write (it would fail too, and cost another timeout).
      flight.status = 'bypass';
      flight.reason = read.reason;
      return { value: await loader({ reason: 'bypass' }), status: 'bypass', reason: read.reason };
    }
    if (read.kind === 'entry') {
      const decode = opts.decode ?? (jsonDecode as (raw: Buffer) => T);
      let decoded: { v: T } | undefined;
      try {
        decoded = { v: decode(read.payload) };
      } catch (e) {
        this.emit({ type: 'codec_error', op: 'decode', cache, error: e instanceof Error ? e : new Error(String(e)) });
      }
      if (decoded) {
        const now = Date.now();
        if (now < read.freshUntilMs) return { value: decoded.v, status: 'hit' };
        if (now < read.freshUntilMs + (opts.staleSeconds ?? 0) * 1000) {
          flight.status = 'stale';
          this.revalidate(key, loader, opts, cache);
          return { value: decoded.v, status: 'stale' };
        }
      }
    }
    flight.status = 'miss';
    const value = await loader({ reason: 'miss' });
    await this.store(key, value, opts, cache);
    return { value, status: 'miss' };
  }

  /** One background refresh per key at a time; failures keep the stale entry and are reported, never thrown. */
  private revalidate<T>(key: string, loader: (ctx: LoaderContext) => Promise<T>, opts: GetOrLoadOptions<T>, cache: string): void {
    if (this.revalidating.has(key) || this.closed) return;
    this.revalidating.add(key);
    void (async () => {
      try {
        const value = await loader({ reason: 'revalidate' });
        await this.store(key, value, opts, cache);
      } catch (e) {
        this.emit({ type: 'revalidate_error', cache, error: e instanceof Error ? e : new Error(String(e)) });
      } finally {
        this.revalidating.delete(key);
      }
    })();
  }

  private async store<T>(key: string, value: T, opts: GetOrLoadOptions<T>, cache: string): Promise<void> {
    let ttlSeconds: number;
    let payload: Buffer;
    try {
      ttlSeconds = typeof opts.ttlSeconds === 'function' ? opts.ttlSeconds(value) : opts.ttlSeconds;
      // 0 (or anything not a positive number) from a TTL function means "do not cache this value".
      if (!(typeof ttlSeconds === 'number' && Number.isFinite(ttlSeconds) && ttlSeconds > 0)) return;
      const encoded = (opts.encode ?? (jsonEncode as (v: T) => string | undefined))(value);
      if (encoded === undefined) return;
      payload = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;
    } catch (e) {
      // The value is still good for this caller; it just is not cached.
      this.emit({ type: 'codec_error', op: 'encode', cache, error: e instanceof Error ? e : new Error(String(e)) });
      return;
    }
    const freshMs = jitteredTtlMs(ttlSeconds, opts.jitter ?? this.jitter);
    await this.writeEntry(key, payload, freshMs, opts.staleSeconds ?? 0);
  }

  private async writeEntry(key: string, payload: Buffer, freshMs: number, staleSeconds: number): Promise<WriteStatus> {
    const entry = wrapEntry(payload, Date.now() + freshMs);
    const hardMs = Math.ceil(freshMs + staleSeconds * 1000);
    const r = await this.op('set', () => this.backend.write(key, entry, hardMs));
    return r.ok ? 'ok' : 'bypass';
  }

  private async readEntry(
    key: string,
  ): Promise<{ kind: 'bypass'; reason: BypassReason } | { kind: 'miss' } | { kind: 'entry'; freshUntilMs: number; payload: Buffer }> {
    const r = await this.op('get', () => this.backend.read(key));
    if (!r.ok) return { kind: 'bypass', reason: r.reason };
    if (!r.value) return { kind: 'miss' };
    const entry = unwrapEntry(r.value);
    return entry ? { kind: 'entry', ...entry } : { kind: 'miss' };
  }
}
