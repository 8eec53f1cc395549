/**
 * Any OpenAI-compatible embeddings endpoint (OpenAI, Azure-style gateways, vLLM, Ollama, TEI, LiteLLM…):
 * `POST {baseUrl}/embeddings` with `{ input: string[], model, encoding_format: 'float' }` and a Bearer key.
 *
 * Served model id: `openai:<model>`, so its vectors are never mixed with the built-in model's.
 * Every call has a timeout (min of EMBED_OPENAI_TIMEOUT_MS and the batch's deadline); no retries here:
 * the caller owns the deadline and its retry budget. Responses are validated (count, indexes,
 * finite numbers, one dimension for the life of the process) before any vector is passed on.
 */
import { Pool } from 'undici';
import { Ewma, ProviderError, type EmbedCallOptions, type EmbedCallResult, type EmbeddingProvider } from './types.js';

export interface OpenAIProviderOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  timeoutMs: number;
  /** Concurrent connections to the upstream (further calls queue in undici). */
  connections?: number;
}

const MAX_ERROR_BODY = 4096;
const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

export const openaiModelId = (model: string): string => `openai:${model}`;

export class OpenAIProvider implements EmbeddingProvider {
  readonly kind = 'openai' as const;
  readonly modelId: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private dimensions: number | null = null;
  private readonly latencyMs = new Ewma(0.2);

  constructor(private readonly opts: OpenAIProviderOptions) {
    const base = new URL(opts.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('EMBED_OPENAI_BASE_URL must be http(s)');
    this.modelId = openaiModelId(opts.model);
    // eslint-disable-next-line regexp/no-super-linear-move -- the operator's EMBED_OPENAI_BASE_URL, never request input
    this.path = `${base.pathname.replace(/\/+$/, '')}/embeddings`;
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (opts.apiKey) this.headers.authorization = `Bearer ${opts.apiKey}`;
    this.pool = new Pool(base.origin, {
      connections: opts.connections ?? 16,
      connectTimeout: Math.min(opts.timeoutMs, 5_000),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 4_000,
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
  }

  /** Both the served id (`openai:m`) and the upstream name (`m`, what OpenAI SDKs send) name this model. */
  accepts(model: string): boolean {
    return model === this.modelId || model === this.opts.model;
  }
  dims(): number | null {
    return this.dimensions;
  }
  estimateMs(): number {
    return this.latencyMs.get() ?? 0;
  }

  async embed(texts: string[], opts: EmbedCallOptions): Promise<EmbedCallResult> {
    // Integer ms: AbortSignal.timeout and undici reject fractional delays.
    const timeoutMs = Math.max(1, Math.ceil(Math.min(this.opts.timeoutMs, opts.timeoutMs)));
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([opts.signal, timeout]);
    const t0 = performance.now();
    let json: unknown;
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: this.headers,
        body: JSON.stringify({ input: texts, model: this.opts.model, encoding_format: 'float' }),
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const detail = describeUpstreamError(await readPrefix(res.body, MAX_ERROR_BODY));
        throw new ProviderError('status', `embedding provider answered HTTP ${res.statusCode}${detail ? ` (${detail})` : ''}`, res.statusCode);
      }
      try {
        json = await res.body.json();
      } catch (err) {
        if (signal.aborted) throw err;
        throw new ProviderError('bad_response', 'embedding provider sent a body that is not JSON');
      }
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      if (timeout.aborted || isUndiciTimeout(err)) {
        throw new ProviderError('timeout', `embedding provider did not answer within ${timeoutMs} ms`);
      }
      if (opts.signal.aborted) throw new ProviderError('aborted', 'all requests waiting for this call gave up');
      const code = (err as { code?: unknown }).code;
      throw new ProviderError('network', `embedding provider unreachable${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    const result = this.parse(json, texts);
    this.latencyMs.observe(performance.now() - t0);
    return result;
  }

  private parse(json: unknown, texts: string[]): EmbedCallResult {
    const bad = (why: string) => new ProviderError('bad_response', `embedding provider sent an invalid response: ${why}`);
    if (typeof json !== 'object' || json === null || !Array.isArray((json as { data?: unknown }).data)) throw bad('no data array');
    const data = (json as { data: unknown[] }).data;
    if (data.length !== texts.length) throw bad(`${data.length} embeddings for ${texts.length} inputs`);
    const vectors = new Array<Float32Array | undefined>(texts.length).fill(undefined);
    for (let k = 0; k < data.length; k++) {
      const item = data[k] as { index?: unknown; embedding?: unknown } | null;
      // The API documents `index`; fall back to position for servers that omit it.
      const index = item && typeof item.index === 'number' ? item.index : k;
      if (!Number.isInteger(index) || index < 0 || index >= texts.length || vectors[index]) throw bad(`bad or repeated index ${String(index)}`);
      const emb = item?.embedding;
      if (!Array.isArray(emb) || emb.length === 0) throw bad(`embedding ${index} is not a number array`);
      const dims = this.dimensions ?? emb.length;
      if (emb.length !== dims) throw bad(`embedding ${index} has ${emb.length} dimensions, expected ${dims}`);
      const vec = new Float32Array(emb.length);
      for (let i = 0; i < emb.length; i++) {
        const x = emb[i] as unknown;
        if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`embedding ${index} contains a non-finite value`);
        vec[i] = x;
      }
      vectors[index] = vec;
    }
    // First valid answer fixes the dimension for the life of the process: an upstream that changes
    // it (model swapped behind the same name) is refused instead of corrupting indexes downstream.
    this.dimensions ??= vectors[0]!.length;

    const usage = (json as { usage?: { prompt_tokens?: unknown } }).usage;
    const total = typeof usage?.prompt_tokens === 'number' && Number.isFinite(usage.prompt_tokens) ? Math.max(0, Math.round(usage.prompt_tokens)) : 0;
    return { vectors: vectors as Float32Array[], tokens: apportion(total, texts) };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/**
 * Split a batch's token total over its inputs by character share (the upstream reports one total per
 * call, and a call may hold several requests' inputs). Exact sum, deterministic.
 */
export function apportion(total: number, texts: readonly string[]): number[] {
  const chars = texts.reduce((a, t) => a + t.length, 0);
  if (texts.length === 0) return [];
  if (chars === 0) return texts.map((_, i) => (i === 0 ? total : 0));
  const out = texts.map((t) => Math.floor((total * t.length) / chars));
  let rest = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % out.length, rest--) out[i]! += 1;
  return out;
}

async function readPrefix(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk);
    chunks.push(buf);
    size += buf.length;
    if (size >= max) break; // breaking out of for-await destroys the stream; the rest is not needed
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/**
 * A short, safe summary of an OpenAI-style error body: the `type`/`code` only. The upstream `message`
 * is not echoed because some providers quote (part of) the API key in it.
 */
function describeUpstreamError(text: string): string {
  try {
    const err = (JSON.parse(text) as { error?: { type?: unknown; code?: unknown } }).error;
    const parts = [err?.type, err?.code].filter((p): p is string => typeof p === 'string' && /^[\w.-]{1,64}$/.test(p));
    return parts.join(', ');
  } catch {
    return '';
  }
}

function isUndiciTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
