import { endianness } from 'node:os';
import { DownstreamError, JsonClient } from './http.js';

const LITTLE_ENDIAN = endianness() === 'LE';

interface EmbeddingsResponse {
  /** base64 little-endian float32 (we ask for it: ~4x smaller than JSON numbers). */
  data: { index: number; embedding: string }[];
  model: string;
}

function decodeVector(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.byteLength % 4 !== 0) throw new DownstreamError('hh-embed', 'bad_response', 'embedding is not float32 data');
  const out = new Float32Array(buf.byteLength / 4);
  // On a little-endian host the bytes are already float32s: one copy instead of a read per element.
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** hh-embed client (OpenAI embeddings shape). Rejects vectors from a model other than `model`. */
export class EmbedClient {
  private readonly http: JsonClient;
  constructor(
    origin: string,
    readonly model: string,
    opts: { serviceAuthSecret?: string | undefined } = {},
  ) {
    this.http = new JsonClient('hh-embed', origin, opts);
  }

  async embed(texts: string[], opts: { timeoutMs: number; requestId?: string; signal?: AbortSignal }): Promise<Float32Array[]> {
    const res = await this.http.post<EmbeddingsResponse>('/v1/embeddings', { input: texts, model: this.model, encoding_format: 'base64' }, opts);
    if (res.model !== this.model) {
      // Never mix vectors of different models in one index.
      throw new DownstreamError('hh-embed', 'bad_response', `hh-embed answered with model ${res.model}, expected ${this.model}`);
    }
    if (!Array.isArray(res.data) || res.data.length !== texts.length) {
      throw new DownstreamError('hh-embed', 'bad_response', 'hh-embed returned a different number of vectors');
    }
    const out: Float32Array[] = new Array(texts.length);
    for (const item of res.data) {
      if (typeof item.embedding !== 'string' || !(item.index >= 0 && item.index < texts.length)) {
        throw new DownstreamError('hh-embed', 'bad_response', 'hh-embed returned a malformed embedding');
      }
      out[item.index] = decodeVector(item.embedding);
    }
    return out;
  }

  setLog(log: Parameters<JsonClient['setLog']>[0]): void {
    this.http.setLog(log);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
