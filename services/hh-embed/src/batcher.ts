/**
 * Micro-batcher: inputs from concurrent requests are queued for at most `waitMs` (or until `maxItems`
 * are waiting) and sent to the provider in one call, so N small concurrent requests cost far fewer
 * provider round trips. A request larger than `maxItems` is split over several calls.
 *
 * Each request keeps its own deadline: when it passes, that request fails alone (its queued inputs are
 * dropped), and a provider call is aborted only when every request waiting on it has given up.
 */

const CALL_GRACE_MS = 5;

export class DeadlineExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`request deadline of ${Math.round(budgetMs)} ms passed before the embeddings were ready`);
    this.name = 'DeadlineExceededError';
  }
}

export interface BatchCall {
  /** Aborted when no request is waiting for this call any more. */
  signal: AbortSignal;
  /** The longest remaining deadline among the requests in this call (ms), plus a few ms of grace. */
  timeoutMs: number;
}

export interface BatcherOptions<I, O> {
  maxItems: number;
  waitMs: number;
  run: (items: I[], call: BatchCall) => Promise<O[]>;
  /** Called with the size of every provider call (for the batch-size histogram). */
  onFlush?: (size: number) => void;
}

interface Job<I, O> {
  readonly items: readonly I[];
  readonly results: O[];
  pending: number;
  readonly deadlineAt: number;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  readonly flights: Set<Flight<I, O>>;
  resolve(results: O[]): void;
  reject(err: unknown): void;
}

interface Entry<I, O> {
  job: Job<I, O>;
  index: number;
}

interface Flight<I, O> {
  readonly controller: AbortController;
  readonly jobs: Set<Job<I, O>>;
}

export class MicroBatcher<I, O> {
  private queue: Entry<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly maxItems: number;
  private readonly waitMs: number;

  constructor(private readonly opts: BatcherOptions<I, O>) {
    if (!Number.isInteger(opts.maxItems) || opts.maxItems < 1) throw new RangeError('maxItems must be a positive integer');
    if (!(opts.waitMs >= 0)) throw new RangeError('waitMs must be >= 0');
    this.maxItems = opts.maxItems;
    this.waitMs = opts.waitMs;
  }

  /** Queue `items` and resolve with one output per item, in order; rejects after `budgetMs`. */
  submit(items: readonly I[], budgetMs: number): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<O[]>((resolve, reject) => {
      const job: Job<I, O> = {
        items,
        results: new Array<O>(items.length),
        pending: items.length,
        deadlineAt: performance.now() + budgetMs,
        settled: false,
        timer: undefined,
        flights: new Set(),
        resolve,
        reject,
      };
      if (budgetMs <= 0) {
        reject(new DeadlineExceededError(budgetMs));
        return;
      }
      job.timer = setTimeout(() => this.fail(job, new DeadlineExceededError(budgetMs)), budgetMs);
      for (let i = 0; i < items.length; i++) this.queue.push({ job, index: i });
      while (this.queue.length >= this.maxItems) this.flush();
      if (this.queue.length > 0) this.schedule();
    });
  }

  /** Inputs waiting for the next provider call (requests that gave up excluded). */
  get queued(): number {
    return this.queue.length;
  }

  /** Send whatever is queued now (used on shutdown so no request waits for a timer). */
  drain(): void {
    while (this.queue.length > 0) this.flush();
  }

  private schedule(): void {
    if (this.timer || this.immediate) return;
    const fire = () => {
      this.timer = undefined;
      this.immediate = undefined;
      this.drain();
    };
    // waitMs = 0 still merges the requests that arrived in the same event-loop turn.
    if (this.waitMs === 0) this.immediate = setImmediate(fire);
    else this.timer = setTimeout(fire, this.waitMs);
  }

  private cancelSchedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private flush(): void {
    const take = this.queue.splice(0, this.maxItems);
    if (this.queue.length === 0) this.cancelSchedule();
    if (take.length === 0) return;

    const flight: Flight<I, O> = { controller: new AbortController(), jobs: new Set() };
    let deadlineAt = 0;
    for (const e of take) {
      if (!flight.jobs.has(e.job)) {
        flight.jobs.add(e.job);
        e.job.flights.add(flight);
        deadlineAt = Math.max(deadlineAt, e.job.deadlineAt);
      }
    }
    const items = take.map((e) => e.job.items[e.index] as I);
    this.opts.onFlush?.(items.length);

    let call: Promise<O[]>;
    try {
      // A few ms past the last deadline: the requests' own timers fire first and report "deadline
      // exceeded"; the call is then aborted through the signal, and this cap is only a backstop.
      call = this.opts.run(items, { signal: flight.controller.signal, timeoutMs: Math.max(1, deadlineAt - performance.now() + CALL_GRACE_MS) });
    } catch (err) {
      call = Promise.reject(err);
    }
    call.then(
      (outputs) => {
        if (outputs.length !== take.length) {
          this.failFlight(flight, new Error(`provider returned ${outputs.length} results for ${take.length} inputs`));
          return;
        }
        for (let k = 0; k < take.length; k++) {
          const e = take[k]!;
          if (e.job.settled) continue;
          e.job.results[e.index] = outputs[k]!;
          if (--e.job.pending === 0) this.succeed(e.job);
        }
        this.release(flight);
      },
      (err: unknown) => this.failFlight(flight, err),
    );
  }

  private failFlight(flight: Flight<I, O>, err: unknown): void {
    for (const job of flight.jobs) this.fail(job, err);
    this.release(flight);
  }

  private release(flight: Flight<I, O>): void {
    for (const job of flight.jobs) job.flights.delete(flight);
  }

  private succeed(job: Job<I, O>): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    job.resolve(job.results);
  }

  private fail(job: Job<I, O>, err: unknown): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    // Drop this request's inputs that have not been sent yet.
    if (this.queue.some((e) => e.job === job)) {
      this.queue = this.queue.filter((e) => e.job !== job);
      if (this.queue.length === 0) this.cancelSchedule();
    }
    // Abort provider calls nobody waits for any more.
    for (const flight of job.flights) {
      let allGone = true;
      for (const other of flight.jobs) if (!other.settled) allGone = false;
      if (allGone) flight.controller.abort(err);
    }
    job.reject(err);
  }
}
