/**
 * Fault injection for hh-embed: the real built-in model behind a provider whose calls can be held
 * at a gate (a model call that takes as long as the test wants), slowed down, or failed. hh-embed
 * itself (routes, batching, deadlines) runs unchanged around it via buildApp's `provider` option.
 */
import { loadEmbedConfig } from '@hh/config';
import { BuiltinProvider, buildApp, ProviderError, type EmbedCallOptions, type EmbedCallResult, type EmbeddingProvider } from '@hh/hh-embed';

export interface Gate {
  /** Resolves when a model call has arrived and is waiting at the gate. */
  entered: Promise<void>;
  /** Let the waiting call (and any later one) through. */
  release(): void;
}

export class FaultyEmbedProvider implements EmbeddingProvider {
  readonly kind = 'builtin' as const;
  private readonly inner: BuiltinProvider;
  private gate: { arrived: () => void; opened: Promise<void>; open: () => void } | undefined;
  /** Added to every call (ms). */
  delayMs = 0;
  private failures = 0;
  /** Model calls started (including held and failed ones). */
  calls = 0;
  /** Model calls that returned vectors. */
  completed = 0;

  constructor(dims = 768) {
    this.inner = new BuiltinProvider(dims);
  }

  get modelId(): string {
    return this.inner.modelId;
  }
  accepts(model: string): boolean {
    return this.inner.accepts(model);
  }
  dims(): number {
    return this.inner.dims();
  }
  estimateMs(): number {
    return 0;
  }

  /** Hold the next model calls until `release()`. */
  hold(): Gate {
    let arrived!: () => void;
    const entered = new Promise<void>((r) => (arrived = r));
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    this.gate = { arrived, opened, open };
    return {
      entered,
      release: () => {
        open();
        this.gate = undefined;
      },
    };
  }

  /** Make the next `n` calls fail the way an unreachable upstream model does (hh-embed answers 502). */
  failNext(n: number): void {
    this.failures = n;
  }

  async embed(texts: string[], opts: EmbedCallOptions): Promise<EmbedCallResult> {
    this.calls++;
    const gate = this.gate;
    if (gate) {
      gate.arrived();
      await gate.opened;
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failures > 0) {
      this.failures--;
      throw new ProviderError('network', 'injected model failure');
    }
    const out = await this.inner.embed(texts, opts);
    this.completed++;
    return out;
  }

  async close(): Promise<void> {
    this.gate?.open();
    await this.inner.close();
  }
}

/** A real hh-embed app around `provider`, listening on an ephemeral port. */
export async function startFaultyEmbed(provider: FaultyEmbedProvider) {
  const app = buildApp(loadEmbedConfig({ LOG_LEVEL: 'silent' }), { provider });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}
