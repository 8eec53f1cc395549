/**
 * End-to-end harness: a fresh database (migrated, taxonomy loaded via the template), real
 * hh-embed and hh-rerank apps listening on ephemeral ports, and hh-search built by the same
 * createRuntime the process uses, also listening on an ephemeral port.
 */
import type { AddressInfo } from 'node:net';
import { loadEmbedConfig, loadRerankConfig, loadSearchConfig, type SearchConfig } from '@hh/config';
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { buildApp as buildEmbed } from '@hh/hh-embed';
import { buildApp as buildRerank } from '@hh/hh-rerank';
import { loadTaxonomy, taxonomySeedKey } from '@hh/taxonomy';
import type { FastifyInstance } from 'fastify';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/runtime.js';
import { createTenantRepository } from '../src/tenants/repository.js';

export interface Harness {
  db: TestDatabase;
  /** The SERVICE_AUTH_SECRET hh-embed and hh-rerank verify (hh-search's unless overridden). */
  serviceAuthSecret: string;
  runtime: Runtime;
  url: string;
  embed: FastifyInstance;
  rerank: FastifyInstance;
  embedUrl: string;
  rerankUrl: string;
  /**
   * Configuration for another hh-search runtime on this harness's database, hh-embed and hh-rerank
   * (a second replica, a restart): the harness's settings plus `overrides`.
   */
  config(overrides?: Partial<Record<keyof SearchConfig, string>>): SearchConfig;
  newTenant(slug: string): Promise<{ id: number; key: string }>;
  /** Run the outbox worker until empty and wait for the index to apply the change log. */
  settle(): Promise<void>;
  /** Wait for the in-memory structures to apply the change log as it is now (embeddings not awaited). */
  indexed(): Promise<void>;
  close(): Promise<void>;
}

export const TAXONOMY_SEED = { seedKey: taxonomySeedKey(), seed: loadTaxonomy };

/** Tests run the fleet as production should: hh-search → hh-embed / hh-rerank with service tokens. */
export const TEST_SERVICE_AUTH_SECRET = 'hh-test-service-auth-secret-0123456789abcdef';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function startHarness(
  overrides: Partial<Record<keyof SearchConfig, string>> = {},
  opts: RuntimeOptions & {
    embedUrl?: string;
    rerankUrl?: string;
    /** The DATABASE_URL hh-search gets, from the test database's own URL (e.g. through a proxy). */
    databaseUrl?: (direct: string) => string;
    /** Runs after the runtime is built and before it starts (e.g. to attach observers). */
    beforeStart?: (runtime: Runtime) => void;
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase(TAXONOMY_SEED);
  const serviceAuthSecret = TEST_SERVICE_AUTH_SECRET;
  const embed = buildEmbed(loadEmbedConfig({ LOG_LEVEL: 'silent', SERVICE_AUTH_SECRET: serviceAuthSecret })) as unknown as FastifyInstance;
  const rerank = buildRerank(loadRerankConfig({ LOG_LEVEL: 'silent', SERVICE_AUTH_SECRET: serviceAuthSecret })) as unknown as FastifyInstance;
  const embedUrl = await listen(embed);
  const rerankUrl = await listen(rerank);
  const base: Partial<Record<keyof SearchConfig, string>> = {
    DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(db.url) : db.url,
    EMBED_URL: opts.embedUrl ?? embedUrl,
    RERANK_URL: opts.rerankUrl ?? rerankUrl,
    LOG_LEVEL: process.env.HH_TEST_LOG_LEVEL ?? 'silent',
    EMBED_WORKER_ENABLED: 'false', // tests drive the worker with settle() for determinism
    INDEX_POLL_MS: '200',
    // Generous budgets: these tests check behaviour, not speed, on a shared 2-core machine.
    SEARCH_DEADLINE_MS: '20000',
    SEARCH_EMBED_TIMEOUT_MS: '8000',
    SEARCH_BRANCH_TIMEOUT_MS: '10000',
    SEARCH_RERANK_TIMEOUT_MS: '8000',
    // The limiter stays on (every route runs through it) but never binds; rate-limit.e2e tests quotas.
    SEARCH_RATE_LIMIT_PER_MINUTE: '1000000',
    // Load shedding samples this test process's event loop, which the tests themselves block (10 MB
    // bodies, property runs) on a busy machine; its own tests cover it (packages/service-kit).
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    SERVICE_AUTH_SECRET: serviceAuthSecret,
  };
  const configFor = (more: Partial<Record<keyof SearchConfig, string>> = {}) => loadSearchConfig({ ...base, ...more });
  const config = configFor(overrides);
  const runtime = await createRuntime(config, opts);
  opts.beforeStart?.(runtime);
  await runtime.start();
  const url = await listen(runtime.app as unknown as FastifyInstance);
  const tenants = createTenantRepository(db.pool);

  return {
    db,
    serviceAuthSecret,
    runtime,
    url,
    embed,
    rerank,
    embedUrl,
    rerankUrl,
    config: (more = {}) => configFor({ ...overrides, ...more }),
    async newTenant(slug) {
      const t = await tenants.create(slug);
      return { id: t.id, key: await tenants.issueKey(t.id, 'test') };
    },
    async indexed() {
      const { rows } = await db.pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM change_log');
      await runtime.sync.waitForSeq(rows[0]?.seq ?? 0);
    },
    async settle() {
      while ((await runtime.worker.processBatch()) > 0) {
        /* drain */
      }
      const { rows } = await db.pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM change_log');
      await runtime.sync.waitForSeq(rows[0]?.seq ?? 0);
      // Settled includes what searches report as pending (counted in the background otherwise).
      await runtime.backlog.refresh();
    },
    async close() {
      await runtime.close();
      await embed.close();
      await rerank.close();
      await db.drop();
    },
  };
}

export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export interface Api {
  put(id: string, body: unknown): Promise<ApiResponse>;
  get(id: string): Promise<ApiResponse>;
  del(id: string): Promise<ApiResponse>;
  bulk(body: unknown, contentType?: string, headers?: Record<string, string>): Promise<ApiResponse>;
  search(body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  raw(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
}

export function client(base: string, key: string): Api {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
  return {
    put: (id: string, body: unknown) => call('PUT', `/v1/candidates/${encodeURIComponent(id)}`, body),
    get: (id: string) => call('GET', `/v1/candidates/${encodeURIComponent(id)}`),
    del: (id: string) => call('DELETE', `/v1/candidates/${encodeURIComponent(id)}`),
    bulk: (body: unknown, contentType = 'application/json', headers: Record<string, string> = {}) =>
      call('POST', '/v1/candidates/bulk', body, { 'content-type': contentType, ...headers }),
    search: (body: unknown, headers: Record<string, string> = {}) => call('POST', '/v1/search', body, headers),
    raw: call,
  };
}
