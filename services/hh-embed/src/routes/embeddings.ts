/**
 * POST /v1/embeddings (OpenAI request/response shape) and GET /v1/models.
 *
 * The body is checked by one hand-written validator (wrapped as a zod schema so errors flow through
 * the shared problem+json handler) because it reports every problem at once with exact field paths
 * (`body.input.3: must not be empty`), which zod's union/strict-object errors do not.
 */
import type { FastifyRequest } from 'fastify';
import { Deadline, DEADLINE_HEADER, HttpProblem, type ZodApp } from '@hh/service-kit';
import { hasForbiddenChars } from '@hh/text';
import { z } from 'zod';
import { DeadlineExceededError, MicroBatcher } from '../batcher.js';
import { ProviderError, type EmbeddingProvider } from '../providers/types.js';

export interface EmbeddingsRouteOptions {
  provider: EmbeddingProvider;
  maxItems: number;
  maxChars: number;
  batchMax: number;
  batchWaitMs: number;
  /** Budget without an x-hh-timeout-ms header, and the cap on that header. */
  defaultTimeoutMs: number;
}

export interface EmbeddingRequest {
  input: string[];
  model: string | undefined;
  encodingFormat: 'float' | 'base64';
  dimensions: number | undefined;
}

interface Issue {
  path: (string | number)[];
  message: string;
}

const KNOWN_FIELDS = new Set(['input', 'model', 'encoding_format', 'dimensions', 'user']);

/** Validate an embeddings request body; returns every problem found, with its field path. */
export function parseEmbeddingRequest(body: unknown, limits: { maxItems: number; maxChars: number }): { ok: true; value: EmbeddingRequest } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ path: [], message: 'must be a JSON object with an "input" field' }] };
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!KNOWN_FIELDS.has(key)) issues.push({ path: [key], message: `unknown field (allowed: ${[...KNOWN_FIELDS].join(', ')})` });
  }

  const checkText = (text: string, path: (string | number)[]) => {
    if (text.trim().length === 0) issues.push({ path, message: 'must not be empty or only whitespace' });
    else if (text.length > limits.maxChars) issues.push({ path, message: `must be at most ${limits.maxChars} characters (got ${text.length})` });
    else if (hasForbiddenChars(text)) issues.push({ path, message: 'must not contain NUL, control characters (other than tab/newline) or unpaired surrogates' });
  };

  let input: string[] = [];
  const raw = b.input;
  if (raw === undefined) {
    issues.push({ path: ['input'], message: 'is required (a string or an array of strings)' });
  } else if (typeof raw === 'string') {
    checkText(raw, ['input']);
    input = [raw];
  } else if (Array.isArray(raw)) {
    if (raw.length === 0) issues.push({ path: ['input'], message: 'must contain at least one string' });
    else if (raw.length > limits.maxItems) issues.push({ path: ['input'], message: `must contain at most ${limits.maxItems} items (got ${raw.length})` });
    else {
      for (let i = 0; i < raw.length; i++) {
        const item: unknown = raw[i];
        if (typeof item === 'string') checkText(item, ['input', i]);
        else if (typeof item === 'number' || Array.isArray(item)) {
          issues.push({ path: ['input', i], message: 'must be a string (token-id input is not supported)' });
        } else issues.push({ path: ['input', i], message: 'must be a string' });
        // Stop after a screenful: a 4096-item array of bad values should not produce a 4096-line error.
        if (issues.length >= 20) break;
      }
      input = raw as string[];
    }
  } else {
    issues.push({ path: ['input'], message: 'must be a string or an array of strings' });
  }

  if (b.model !== undefined && (typeof b.model !== 'string' || b.model.length === 0 || b.model.length > 200)) {
    issues.push({ path: ['model'], message: 'must be a non-empty string of at most 200 characters' });
  }
  if (b.encoding_format !== undefined && b.encoding_format !== 'float' && b.encoding_format !== 'base64') {
    issues.push({ path: ['encoding_format'], message: 'must be "float" or "base64"' });
  }
  if (b.dimensions !== undefined && !(typeof b.dimensions === 'number' && Number.isInteger(b.dimensions) && b.dimensions > 0)) {
    issues.push({ path: ['dimensions'], message: 'must be a positive integer' });
  }
  if (b.user !== undefined && (typeof b.user !== 'string' || b.user.length > 256)) {
    issues.push({ path: ['user'], message: 'must be a string of at most 256 characters' });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      input,
      model: b.model as string | undefined,
      encodingFormat: (b.encoding_format as 'float' | 'base64' | undefined) ?? 'float',
      dimensions: b.dimensions as number | undefined,
    },
  };
}

const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
});

const embeddingsResponse = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});
type EmbeddingsResponse = z.input<typeof embeddingsResponse>;

const modelsResponse = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string(),
      object: z.literal('model'),
      created: z.number().int(),
      owned_by: z.string(),
      /** Vector length; null until an OpenAI-compatible upstream has answered once. */
      dims: z.number().int().nullable(),
      provider: z.enum(['builtin', 'openai']),
      max_items: z.number().int(),
      max_chars: z.number().int(),
    }),
  ),
});

interface Item {
  text: string;
}
interface Output {
  vector: Float32Array;
  tokens: number;
}


export async function embeddingsRoutes(app: ZodApp, opts: EmbeddingsRouteOptions): Promise<void> {
  const { provider } = opts;
  const m = app.metrics;
  const requests = m.counter('hh_embed_requests_total', 'Embedding requests by outcome', ['outcome']);
  const inputs = m.counter('hh_embed_inputs_total', 'Inputs embedded (successful requests)');
  const batchSize = m.histogram('hh_embed_batch_size', 'Inputs per provider call (micro-batch size)', [], [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
  const providerSeconds = m.histogram('hh_embed_provider_duration_seconds', 'Provider call latency', ['provider']);
  const providerErrors = m.counter('hh_embed_provider_errors_total', 'Failed provider calls by reason', ['provider', 'reason']);
  const refused = m.counter('hh_embed_deadline_refusals_total', 'Requests refused up front because their deadline could not be met');

  const batcher = new MicroBatcher<Item, Output>({
    maxItems: opts.batchMax,
    waitMs: opts.batchWaitMs,
    onFlush: (n) => batchSize.observe(n),
    run: async (items, call) => {
      const end = providerSeconds.startTimer({ provider: provider.kind });
      try {
        const res = await provider.embed(
          items.map((i) => i.text),
          call,
        );
        return res.vectors.map((vector, k) => ({ vector, tokens: res.tokens[k] ?? 0 }));
      } catch (err) {
        // 'aborted' means every waiting request already gave up: not a provider failure.
        const reason = err instanceof ProviderError ? err.kind : 'internal';
        if (reason !== 'aborted') providerErrors.inc({ provider: provider.kind, reason });
        throw err;
      } finally {
        end();
      }
    },
  });
  app.addHook('onClose', async () => {
    batcher.drain();
  });

  // The deadline starts when the request arrives, so time spent receiving the body counts.
  const deadlines = new WeakMap<FastifyRequest, Deadline>();

  app.post(
    '/v1/embeddings',
    {
      schema: {
        body: z.unknown().transform((body, ctx): EmbeddingRequest => {
          const parsed = parseEmbeddingRequest(body, opts);
          if (parsed.ok) return parsed.value;
          for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
          return z.NEVER;
        }),
        response: { 200: embeddingsResponse, 400: problemSchema, 401: problemSchema, 502: problemSchema, 503: problemSchema, 504: problemSchema },
      },
      onRequest: async (req) => {
        deadlines.set(req, Deadline.fromRequestHeader(req.headers[DEADLINE_HEADER], opts.defaultTimeoutMs, 'HH_EMBED'));
      },
      onResponse: async (_req, reply) => {
        requests.inc({ outcome: outcomeOf(reply.statusCode) });
      },
    },
    async (req, reply): Promise<EmbeddingsResponse> => {
      const body = req.body;
      if (body.model !== undefined && !provider.accepts(body.model)) {
        throw new HttpProblem(400, 'HH_EMBED_MODEL_MISMATCH', `model "${body.model}" is not served here; this hh-embed serves "${provider.modelId}"`, [
          { field: 'body.model', message: `must be "${provider.modelId}" or omitted` },
        ]);
      }
      const dims = provider.dims();
      if (body.dimensions !== undefined && body.dimensions !== dims) {
        throw new HttpProblem(400, 'HH_EMBED_DIMENSIONS_MISMATCH', `model "${provider.modelId}" has fixed dimensions${dims === null ? '' : ` (${dims})`}`, [
          { field: 'body.dimensions', message: dims === null ? 'is not supported by this provider; omit it' : `must be ${dims} or omitted` },
        ]);
      }

      const deadline = deadlines.get(req) ?? new Deadline(opts.defaultTimeoutMs);
      const chars = body.input.reduce((a, t) => a + t.length, 0);
      const needMs = provider.estimateMs(chars, body.input.length) + opts.batchWaitMs;
      const remaining = deadline.remaining();
      if (remaining <= 0 || remaining < needMs) {
        refused.inc();
        // Answer now rather than late: the caller has already moved on by the time the work would finish.
        throw new HttpProblem(
          504,
          'HH_EMBED_DEADLINE_TOO_SHORT',
          `the request's budget (${Math.floor(remaining)} ms left of ${deadline.budgetMs} ms) is shorter than the ~${Math.ceil(needMs)} ms this request needs`,
        );
      }

      let outputs: Output[];
      try {
        outputs = await batcher.submit(
          body.input.map((text) => ({ text })),
          remaining,
        );
      } catch (err) {
        if (err instanceof DeadlineExceededError) {
          throw new HttpProblem(504, 'HH_EMBED_DEADLINE_EXCEEDED', `no embeddings within the request's budget of ${deadline.budgetMs} ms`);
        }
        if (err instanceof ProviderError && err.kind === 'timeout') {
          throw new HttpProblem(504, 'HH_EMBED_PROVIDER_TIMEOUT', err.message);
        }
        if (err instanceof ProviderError && err.kind !== 'aborted') {
          // Sent here rather than thrown: the shared handler masks every 5xx detail except 503/504,
          // and "the upstream said 401" is exactly what an operator needs to read.
          req.log.warn({ reason: err.kind, upstreamStatus: err.upstreamStatus }, 'embedding provider failed');
          return reply
            .code(502)
            .type('application/problem+json')
            .send({ type: 'about:blank', title: 'Bad Gateway', status: 502, code: 'HH_EMBED_PROVIDER_ERROR', detail: err.message, requestId: req.id }) as never;
        }
        throw err;
      }

      let tokens = 0;
      const data = outputs.map((o, index) => {
        tokens += o.tokens;
        return {
          object: 'embedding' as const,
          index,
          embedding: body.encodingFormat === 'base64' ? toBase64(o.vector) : Array.from(o.vector),
        };
      });
      inputs.inc(outputs.length);
      return { object: 'list', data, model: provider.modelId, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    },
  );

  const created = Math.floor(Date.now() / 1000);
  app.get('/v1/models', { schema: { response: { 200: modelsResponse } } }, async () => ({
    object: 'list' as const,
    data: [
      {
        id: provider.modelId,
        object: 'model' as const,
        created,
        owned_by: 'hh',
        dims: provider.dims(),
        provider: provider.kind,
        max_items: opts.maxItems,
        max_chars: opts.maxChars,
      },
    ],
  }));
}

function outcomeOf(status: number): string {
  if (status < 300) return 'ok';
  if (status === 502) return 'provider_error';
  if (status === 504) return 'timeout';
  if (status < 500) return 'rejected';
  return 'error';
}

/** OpenAI's base64 format: little-endian float32 bytes. */
function toBase64(v: Float32Array): string {
  const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (!isLittleEndian) {
    const copy = Buffer.from(bytes);
    copy.swap32();
    return copy.toString('base64');
  }
  return bytes.toString('base64');
}
const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
