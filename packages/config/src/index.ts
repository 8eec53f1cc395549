/**
 * Environment → typed configuration, parsed once at start by a zod schema with defaults.
 * An error names the variable and the problem, never the value (values may be secrets).
 */
import { z } from 'zod';

export class ConfigError extends Error {
  readonly issues: { variable: string; problem: string }[];
  constructor(service: string, issues: { variable: string; problem: string }[]) {
    super(`${service}: invalid configuration: ${issues.map((i) => `${i.variable}: ${i.problem}`).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

type Env = Record<string, string | undefined>;

/** Parse `env` with `schema`; keys of the schema are environment variable names. */
export function parseEnv<S extends z.ZodObject>(service: string, schema: S, env: Env = process.env): z.infer<S> {
  // Empty strings mean "unset" so that `FOO= cmd` falls back to the default.
  const cleaned: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(root)');
        // "Required" only when the variable is absent: a value that fails to parse (SEARCH_DEADLINE_MS=abc
        // coerces to NaN) is invalid, not missing. zod messages describe the expectation, never the
        // received value (values may be secrets); keep only that.
        const missing = cleaned[variable] === undefined;
        return { variable, problem: missing && issue.code === 'invalid_type' ? 'is required' : `is invalid: ${issue.message}` };
      }),
    );
  }
  return result.data;
}

// ---------- reusable field helpers ----------
export const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
export const ms = (def: number) => z.coerce.number().int().min(1).max(600_000).default(def);
export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const url = () => z.url({ message: 'must be a URL' });
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

const common = {
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: logLevel,
  /** Time allowed for in-flight requests to finish on SIGTERM. */
  SHUTDOWN_GRACE_MS: ms(10_000),
  /** Load shedding: 503 + Retry-After while this process's mean event-loop delay exceeds this (0 = off). */
  SHED_MAX_EVENT_LOOP_DELAY_MS: int(1_000, 0, 600_000),
  /** Load shedding on V8 heap in use, bytes (0 = off). */
  SHED_MAX_HEAP_USED_BYTES: int(0, 0, Number.MAX_SAFE_INTEGER),
  SHED_RETRY_AFTER_SECONDS: int(5, 1, 3_600),
  /**
   * Shared by hh-search, hh-embed and hh-rerank: hh-search signs short-lived service tokens with it
   * and the other two verify them. Unset → no service authentication (hh-embed refuses to start
   * that way with EMBED_PROVIDER=openai, where every call costs money).
   */
  SERVICE_AUTH_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /**
   * Time a client has to send a whole request (headers and body); past it the connection gets 408
   * and is closed, so a slow-trickle client cannot hold a socket. Handlers are not cut short by it.
   */
  REQUEST_TIMEOUT_MS: ms(10_000),
  /** Serve /metrics on this port only (and not on PORT); unset → /metrics on PORT. 0 = any free port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Address of the METRICS_PORT listener. */
  METRICS_HOST: z.string().default('127.0.0.1'),
};

// ---------- hh-embed ----------
export const embedSchema = z.object({
  ...common,
  PORT: port(8081),
  /** `builtin` (offline hashing model) or `openai` (any OpenAI-compatible endpoint). */
  EMBED_PROVIDER: z.enum(['builtin', 'openai']).default('builtin'),
  EMBED_DIMS: int(768, 8, 8192),
  EMBED_OPENAI_BASE_URL: url().optional(),
  EMBED_OPENAI_API_KEY: z.string().optional(),
  EMBED_OPENAI_MODEL: z.string().default('text-embedding-3-small'),
  EMBED_OPENAI_TIMEOUT_MS: ms(10_000),
  EMBED_MAX_ITEMS: int(256, 1, 4096),
  EMBED_MAX_CHARS: int(32_000, 1, 1_000_000),
  /** Micro-batching: flush when this many inputs are queued or after this many ms. */
  EMBED_BATCH_MAX: int(64, 1, 4096),
  EMBED_BATCH_WAIT_MS: int(2, 0, 1000),
  /** Budget of a request that sends no x-hh-timeout-ms header; also the cap on that header. */
  EMBED_REQUEST_TIMEOUT_MS: ms(30_000),
});
export type EmbedConfig = z.infer<typeof embedSchema>;
export const loadEmbedConfig = (env: Env = process.env): EmbedConfig => {
  const cfg = parseEnv('hh-embed', embedSchema, env);
  if (cfg.EMBED_PROVIDER === 'openai' && !cfg.EMBED_OPENAI_BASE_URL) {
    throw new ConfigError('hh-embed', [{ variable: 'EMBED_OPENAI_BASE_URL', problem: 'is required when EMBED_PROVIDER=openai' }]);
  }
  if (cfg.EMBED_PROVIDER === 'openai' && !cfg.SERVICE_AUTH_SECRET) {
    // Fail closed: an open hh-embed in front of a paid provider lets anyone spend its credits.
    throw new ConfigError('hh-embed', [{ variable: 'SERVICE_AUTH_SECRET', problem: 'is required when EMBED_PROVIDER=openai (every call costs money)' }]);
  }
  return cfg;
};

// ---------- hh-rerank ----------
export const rerankSchema = z.object({
  ...common,
  PORT: port(8082),
  RERANK_MAX_DOCUMENTS: int(200, 1, 1000),
  RERANK_MAX_CHARS: int(20_000, 1, 1_000_000),
  /** Budget of a request that sends no x-hh-timeout-ms header; also the cap on that header. */
  RERANK_REQUEST_TIMEOUT_MS: ms(5_000),
});
export type RerankConfig = z.infer<typeof rerankSchema>;
export const loadRerankConfig = (env: Env = process.env): RerankConfig => parseEnv('hh-rerank', rerankSchema, env);

// ---------- hh-search ----------
export const searchSchema = z.object({
  ...common,
  PORT: port(8080),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' }),
  /** Unset → in-process LRU cache. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { message: 'must be a redis:// URL' }).optional(),
  EMBED_URL: url().default('http://127.0.0.1:8081'),
  RERANK_URL: url().default('http://127.0.0.1:8082'),
  PG_POOL_MAX: int(10, 1, 200),
  PG_CONNECTION_TIMEOUT_MS: ms(1_000),
  PG_STATEMENT_TIMEOUT_MS: ms(2_000),
  REDIS_COMMAND_TIMEOUT_MS: ms(100),
  CACHE_TTL_SECONDS: int(300, 1, 86_400),
  CACHE_MAX_ENTRIES: int(10_000, 1, 10_000_000),
  /** In-process cache only (no REDIS_URL): bound on stored bytes; larger single entries are not kept. */
  CACHE_MAX_BYTES: int(256 * 1_048_576, 1_024, Number.MAX_SAFE_INTEGER),
  /**
   * HMAC-SHA256 key for search cursors (≥ 32 characters), the same on every replica. Unset → a
   * random key generated once per database and kept in Postgres (hh_secrets).
   */
  CURSOR_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /** change_log rows younger than this are kept, and so is whatever a replica seen within it still needs. */
  CHANGE_LOG_RETENTION_HOURS: int(24, 1, 8_760),
  /** How often a replica tries to prune change_log (one pruner at a time fleet-wide); 0 = never. */
  CHANGE_LOG_PRUNE_INTERVAL_MS: int(900_000, 0, 86_400_000),
  /** End-to-end budget for one search; every downstream timeout fits inside it. */
  SEARCH_DEADLINE_MS: ms(1_500),
  /** A search whose x-hh-timeout-ms is below this is refused at once (504) instead of started and abandoned. */
  SEARCH_MIN_DEADLINE_MS: ms(50),
  SEARCH_EMBED_TIMEOUT_MS: ms(400),
  SEARCH_BRANCH_TIMEOUT_MS: ms(800),
  SEARCH_RERANK_TIMEOUT_MS: ms(400),
  SEARCH_RERANK_TOP_N: int(50, 0, 200),
  SEARCH_RRF_K: int(60, 1, 1000),
  SEARCH_FUSION_WINDOW: int(100, 1, 1000),
  BULK_MAX_ITEMS: int(1_000, 1, 100_000),
  /**
   * Requests per minute per tenant on /v1 (429 past it; 0 = off). Counted in Redis across the fleet
   * when REDIS_URL is set (fail-open if Redis is slow or down), in process otherwise.
   */
  SEARCH_RATE_LIMIT_PER_MINUTE: int(3_000, 0, 10_000_000),
  /**
   * Prepended to every Redis key (cache and rate-limit counters), before the database identity that
   * is always part of them. Set it to tell apart deployments whose databases were copied from one
   * another (a restored backup keeps the identity).
   */
  CACHE_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 of A-Z a-z 0-9 _ . : -' })
    .optional(),
  /** How long a resolved API key (or an unknown one) is remembered; a revoked key works at most this long. */
  AUTH_KEY_CACHE_TTL_MS: ms(5_000),
  /** Resolved API keys kept in memory (least recently used evicted first). */
  AUTH_KEY_CACHE_MAX: int(10_000, 1, 10_000_000),
  /**
   * Database lookups of unknown API keys allowed per client address and minute (429 past it);
   * 0 = unlimited. The address is the socket's peer unless TRUST_PROXY says otherwise.
   */
  AUTH_UNKNOWN_KEY_LOOKUPS_PER_MINUTE: int(60, 0, 1_000_000),
  /**
   * Which proxies may set X-Forwarded-For (Fastify trustProxy): unset/false = none (the peer
   * address is the client), true = any, a number = that many hops, else a comma-separated list
   * of addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
    .optional(),
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 64 * 1024 * 1024),
  BULK_BODY_LIMIT_BYTES: int(8 * 1_048_576, 1024, 256 * 1024 * 1024),
  /** Embedding outbox worker. */
  EMBED_WORKER_ENABLED: bool(true),
  EMBED_WORKER_BATCH: int(128, 1, 1024),
  EMBED_WORKER_CONCURRENCY: int(2, 1, 16),
  EMBED_WORKER_POLL_MS: ms(1_000),
  /**
   * Lease of a claimed outbox batch: other workers leave its rows alone this long, and a worker that
   * died mid-batch has its rows claimed again after it. The hh-embed call gets half of it.
   */
  EMBED_WORKER_LEASE_MS: int(60_000, 2_000, 3_600_000),
  /** How often one replica checks that every candidate's embedding is current or queued (the reconciler). */
  EMBED_RECONCILE_INTERVAL_MS: int(60_000, 1_000, 86_400_000),
  /** `diskann` (the StreamingDiskANN engine) or `exact` (brute-force scan, for tiny pools and checks). */
  VECTOR_INDEX: z.enum(['diskann', 'exact']).default('diskann'),
  /** Vector index (DiskANN) snapshots; empty → no snapshots. */
  INDEX_SNAPSHOT_DIR: z.string().optional(),
  INDEX_SNAPSHOT_INTERVAL_MS: ms(300_000),
  INDEX_POLL_MS: ms(1_000),
  /**
   * Characters of each summary kept in memory for the reranker (and read by it): its text features
   * saturate well before a whole summary, and at a million candidates every 100 characters cost ~100 MB.
   */
  DOCUMENT_EXCERPT_CHARS: int(1_000, 0, 20_000),
  /**
   * The full-text branch: `memory` (the in-memory BM25F index, fed by the change log; while it loads,
   * Postgres answers and responses say `lexical_index_warming`) or `postgres` (tsvector ranking in SQL).
   */
  LEXICAL_INDEX: z.enum(['memory', 'postgres']).default('memory'),
  /**
   * Terms a job description keeps for the in-memory lexical branch (highest query tf × idf first):
   * the branch's cost grows with them, its ranking saturates (see README, Relevance).
   */
  LEXICAL_JOB_TERMS: int(24, 1, 64),
  /**
   * A filtered vector search whose filter matches at most this many of the tenant's candidates scans
   * them exactly; above it the index walks its graph until enough pass. Unset: the engine's measured
   * crossover (PREDICATE_EXACT_SCAN_MAX, see packages/diskann/README.md).
   */
  VECTOR_EXACT_SCAN_MAX: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** The embedding model id the index accepts; vectors from other models are ignored. */
  EMBED_MODEL: z.string().default('hh-hash-768-v1'),
});
export type SearchConfig = z.infer<typeof searchSchema>;
export const loadSearchConfig = (env: Env = process.env): SearchConfig => parseEnv('hh-search', searchSchema, env);

export { z };
