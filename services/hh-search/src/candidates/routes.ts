import { z } from 'zod';
import { HttpProblem, parseJsonDocument, jsonBodyProblem, type ZodApp } from '@hh/service-kit';
import { externalId } from '../schemas/common.js';
import { bulkItem, candidateInput, candidateView, type CandidateInput } from './schema.js';
import type { CandidateRepository, UpsertOutcome } from './repository.js';
import type pg from 'pg';
import { claimIdempotencyKey, idempotencyKeyOf, requestHash, type Claim } from './idempotency.js';
import type { WorkTracker } from '../work-tracker.js';

const idParams = z.strictObject({ id: externalId });
const upsertResult = z.object({
  id: z.string(),
  status: z.enum(['created', 'updated', 'unchanged']),
  version: z.number(),
  embedding: z.enum(['queued', 'unchanged']),
});
const problemBody = z.object({ status: z.number(), code: z.string(), detail: z.string() }).passthrough();

/** Field-level errors for one bulk item; an unknown key is named itself, as the route validator does. */
function itemErrors(issues: z.core.$ZodIssue[], prefix: string): { field: string; message: string }[] {
  return issues.flatMap((i) => {
    const at = [prefix, ...i.path.map(String)].join('.');
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: `${at}.${k}`, message: 'is not a known field' }));
    return [{ field: at, message: i.message }];
  });
}

function conflict(out: Extract<UpsertOutcome, { status: 'conflict' }>): HttpProblem {
  return new HttpProblem(409, 'HH_SEARCH_VERSION_CONFLICT', out.reason, [{ field: 'body.version', message: out.reason }]);
}

export interface CandidateRouteDeps {
  candidates: CandidateRepository;
  pool: pg.Pool;
  bulkMaxItems: number;
  bulkBodyLimit: number;
  /** Writes in flight: shutdown waits for them before closing the pool. */
  writes: WorkTracker;
  /** Called after a write that queued an embedding (wakes the outbox worker). */
  onQueued?: () => void;
}

export async function candidateRoutes(app: ZodApp, deps: CandidateRouteDeps): Promise<void> {
  const { candidates, writes } = deps;
  const queued = deps.onQueued ?? (() => undefined);
  // Where ingest time goes (scripts/bench-ingest.mjs reads it): the Postgres write of one request.
  const storeSeconds = app.metrics.histogram('hh_search_candidate_store_seconds', 'Duration of the Postgres write of one candidate request, by route', ['route']);

  app.put('/v1/candidates/:id', {
    schema: { params: idParams, body: candidateInput, response: { 200: upsertResult, 201: upsertResult, 409: problemBody } },
    handler: async (req, reply) => {
      const stop = storeSeconds.startTimer({ route: 'put' });
      const out = await writes.run(() => candidates.upsert(req.tenant.id, req.params.id, req.body)).finally(() => stop());
      if (out.status === 'conflict') throw conflict(out);
      if (out.embedding === 'queued') queued();
      return reply.code(out.status === 'created' ? 201 : 200).send(out);
    },
  });

  app.get('/v1/candidates/:id', {
    schema: { params: idParams, response: { 200: candidateView } },
    handler: async (req) => {
      const found = await candidates.get(req.tenant.id, req.params.id);
      if (!found) throw new HttpProblem(404, 'HH_SEARCH_CANDIDATE_NOT_FOUND', `candidate ${req.params.id} not found`);
      return found;
    },
  });

  app.delete('/v1/candidates/:id', {
    schema: { params: idParams },
    handler: async (req, reply) => {
      const gone = await writes.run(() => candidates.remove(req.tenant.id, req.params.id));
      if (!gone) throw new HttpProblem(404, 'HH_SEARCH_CANDIDATE_NOT_FOUND', `candidate ${req.params.id} not found`);
      return reply.code(204).send();
    },
  });

  const bulkResult = z.object({
    items: z.array(
      z.object({
        index: z.number(),
        id: z.string().nullable(),
        status: z.enum(['created', 'updated', 'unchanged', 'conflict', 'invalid', 'error']),
        version: z.number().optional(),
        embedding: z.enum(['queued', 'unchanged']).optional(),
        errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      }),
    ),
    counts: z.record(z.string(), z.number()),
  });

  type BulkResult = z.infer<typeof bulkResult>;

  async function bulk(tenant: number, raw: unknown, log: { error(obj: object, msg: string): void }): Promise<BulkResult> {
    let items: unknown[];
    if (Array.isArray(raw)) items = raw;
    else if (raw && typeof raw === 'object' && 'ndjson' in raw && typeof raw.ndjson === 'string') {
      items = [];
      const lines = raw.ndjson.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.trim();
        if (!line) continue;
        // The same depth and prototype-key checks as JSON bodies, line by line.
        const parsed = parseJsonDocument(line, { field: `body[line ${i + 1}]` });
        if (!parsed.ok) throw jsonBodyProblem('HH_SEARCH', parsed);
        items.push(parsed.value);
      }
    } else {
      throw new HttpProblem(400, 'HH_SEARCH_VALIDATION', 'body must be a JSON array of candidates or NDJSON (one candidate per line)', [
        { field: 'body', message: 'must be an array' },
      ]);
    }
    if (items.length === 0) throw new HttpProblem(400, 'HH_SEARCH_VALIDATION', 'no candidates given', [{ field: 'body', message: 'must not be empty' }]);
    if (items.length > deps.bulkMaxItems) {
      throw new HttpProblem(413, 'HH_SEARCH_BULK_TOO_LARGE', `at most ${deps.bulkMaxItems} candidates per bulk request (got ${items.length})`, [
        { field: 'body', message: `must have at most ${deps.bulkMaxItems} items` },
      ]);
    }
    type ItemResult = {
      index: number;
      id: string | null;
      status: 'created' | 'updated' | 'unchanged' | 'conflict' | 'invalid' | 'error';
      version?: number;
      embedding?: 'queued' | 'unchanged';
      errors?: { field: string; message: string }[];
    };
    const results: ItemResult[] = new Array(items.length);
    const valid: { index: number; id: string; input: CandidateInput }[] = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const parsed = bulkItem.safeParse(item);
      if (!parsed.success) {
        const id = item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : null;
        results[index] = {
          index,
          id,
          status: 'invalid',
          errors: itemErrors(parsed.error.issues, `body[${index}]`),
        };
        return;
      }
      const { id, ...input } = parsed.data;
      if (seen.has(id)) {
        results[index] = { index, id, status: 'invalid', errors: [{ field: `body[${index}].id`, message: 'appears more than once in this request' }] };
        return;
      }
      seen.add(id);
      valid.push({ index, id, input });
    });
    const stop = storeSeconds.startTimer({ route: 'bulk' });
    const written = await candidates.upsertMany(tenant, valid).finally(() => stop());
    if (written.some((out) => out.status !== 'error' && out.status !== 'conflict' && out.embedding === 'queued')) queued();
    written.forEach((out, j) => {
      const { index, id } = valid[j]!;
      if (out.status === 'error') {
        log.error({ err: out.error, index }, 'bulk item failed');
        results[index] = { index, id, status: 'error', errors: [{ field: `body[${index}]`, message: 'could not be stored; retry' }] };
      } else if (out.status === 'conflict') {
        results[index] = { index, id, status: 'conflict', version: out.version, errors: [{ field: `body[${index}].version`, message: out.reason }] };
      } else {
        results[index] = { index, id, status: out.status, version: out.version, embedding: out.embedding };
      }
    });
    const counts: Record<string, number> = {};
    for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return { items: results, counts };
  }

  // Only the bulk route reads NDJSON, and only it gets BULK_BODY_LIMIT_BYTES: the parser lives in
  // a scope of its own, so every other /v1 route answers 415 to NDJSON and keeps BODY_LIMIT_BYTES.
  await app.register(async (scope) => {
    const bulkApp = scope as unknown as ZodApp;
    // NDJSON bodies arrive as one string; each line is parsed and validated separately in bulk().
    bulkApp.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], { parseAs: 'string', bodyLimit: deps.bulkBodyLimit }, (_req, body, done) => {
      done(null, { ndjson: body as string });
    });
    registerBulkRoute(bulkApp);
  });

  function registerBulkRoute(app: ZodApp): void {
    app.post('/v1/candidates/bulk', {
      bodyLimit: deps.bulkBodyLimit,
      schema: { body: z.unknown(), response: { 200: bulkResult } },
      // The whole request, Idempotency-Key bookkeeping included, counts as one write in flight.
      handler: (req, reply) => writes.run(async () => {
        const key = idempotencyKeyOf(req.headers['idempotency-key']);
        if (key === undefined) return bulk(req.tenant.id, req.body, req.log);
        // A database failure here is answered by the shared error handler (503 + Retry-After).
        const claim: Claim<BulkResult> = await claimIdempotencyKey<BulkResult>(deps.pool, req.tenant.id, key, requestHash(req.body));
        if (claim.kind === 'replay') {
          void reply.header('idempotency-replayed', 'true');
          return claim.response;
        }
        let out: BulkResult;
        try {
          out = await bulk(req.tenant.id, req.body, req.log);
        } catch (err) {
          await claim.release().catch(() => undefined); // a failed request leaves the key free for its retry
          throw err;
        }
        // The writes are done; if the response cannot be recorded, a retry re-applies them (upserts are
        // idempotent by id and content) rather than replaying.
        await claim.complete(200, out).catch((err: unknown) => {
          req.log.warn({ err }, 'idempotency response not recorded');
          return claim.release().catch(() => undefined);
        });
        return out;
      }),
    });
  }
}
