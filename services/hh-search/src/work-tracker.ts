/**
 * Writes in flight. On shutdown the HTTP server stops taking requests and waits for the ones in
 * flight, but a write whose connection was cut when the grace period ran out keeps running in its
 * handler: closing the Postgres pool under it would fail it half-way (a bulk request between chunks,
 * an Idempotency-Key left "in flight" until it goes stale). Shutdown waits here, bounded, first.
 */
export class WorkTracker {
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Runs `fn`, counting it as in flight until it settles. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = fn();
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return p;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** Resolves true when nothing is in flight, false if `timeoutMs` passed first. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = (async () => {
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      return true as const;
    })();
    try {
      return await Promise.race([done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
