import { DownstreamError, JsonClient } from './http.js';

interface EmbeddingsResponse {
  data: { index: number; embedding: number[] }[];
  model: string;
}

/** hh-embed client (OpenAI embeddings shape). Rejects vectors from a model other than `model`. */
export class EmbedClient {
  private readonly http: JsonClient;
  constructor(
    origin: string,
    readonly model: string,
  ) {
    this.http = new JsonClient('hh-embed', origin);
  }

  async embed(texts: string[], opts: { timeoutMs: number; requestId?: string }): Promise<Float32Array[]> {
    const res = await this.http.post<EmbeddingsResponse>('/v1/embeddings', { input: texts, model: this.model }, opts);
    if (res.model !== this.model) {
      // Never mix vectors of different models in one index.
      throw new DownstreamError('hh-embed', 'bad_response', `hh-embed answered with model ${res.model}, expected ${this.model}`);
    }
    if (!Array.isArray(res.data) || res.data.length !== texts.length) {
      throw new DownstreamError('hh-embed', 'bad_response', 'hh-embed returned a different number of vectors');
    }
    const out: Float32Array[] = new Array(texts.length);
    for (const item of res.data) out[item.index] = Float32Array.from(item.embedding);
    return out;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
