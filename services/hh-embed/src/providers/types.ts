/** The contract between the embeddings route/batcher and a model backend. */

export interface EmbedCallOptions {
  /** Aborted when nobody waits for the result any more (every request of the batch gave up). */
  signal: AbortSignal;
  /** Time left for this call (the longest remaining deadline in the batch); providers cap it further. */
  timeoutMs: number;
}

export interface EmbedCallResult {
  /** One vector per input, same order. */
  vectors: Float32Array[];
  /** Tokens per input (exact for builtin; apportioned by characters when the provider only reports a batch total). */
  tokens: number[];
}

export interface EmbeddingProvider {
  readonly kind: 'builtin' | 'openai';
  /** The id stored next to every vector: vectors of different ids are never mixed. */
  readonly modelId: string;
  /** Whether a request's `model` field names the model this provider serves. */
  accepts(model: string): boolean;
  /** Vector length; null while unknown (an OpenAI-compatible upstream reveals it on its first answer). */
  dims(): number | null;
  /**
   * Time (ms) a call for these inputs is expected to take, used to refuse requests whose deadline
   * cannot be met before doing the work. 0 when there is no estimate yet.
   */
  estimateMs(totalChars: number, items: number): number;
  embed(texts: string[], opts: EmbedCallOptions): Promise<EmbedCallResult>;
  close(): Promise<void>;
}

export type ProviderErrorKind = 'timeout' | 'status' | 'network' | 'bad_response' | 'aborted';

/** A failure of the model backend, classified so the route can answer 502 or 504. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly upstreamStatus?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Exponentially weighted moving average, for cost estimates that follow the machine's current speed. */
export class Ewma {
  private value: number | null = null;
  constructor(
    private readonly alpha: number,
    initial: number | null = null,
  ) {
    this.value = initial;
  }
  observe(x: number): void {
    if (!Number.isFinite(x) || x < 0) return;
    this.value = this.value === null ? x : this.value + this.alpha * (x - this.value);
  }
  get(): number | null {
    return this.value;
  }
}
