/**
 * Idempotency-Key for bulk ingestion (docs/RELIABILITY.md §3.5, target 25). A client that retries a bulk
 * request after a timeout sends the same key: the first request claims the key in Postgres (tenant +
 * key, with a hash of the body), stores its response when done, and every retry with the same body
 * gets that response back (`idempotency-replayed: true`) without writing candidates or queueing
 * embeddings again. The same key with another body is a client bug (422); a retry while the first
 * request is still running gets 409 with Retry-After. Keys expire after KEY_TTL_HOURS; a claim whose
 * request died without answering is released after IN_FLIGHT_STALE_SECONDS.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { HttpProblem } from '@hh/service-kit';

const KEY = /^[A-Za-z0-9_\-.:]{1,255}$/;
export const KEY_TTL_HOURS = 24;
export const IN_FLIGHT_STALE_SECONDS = 300;

export type Claim<T> = { kind: 'claimed'; complete(status: number, response: T): Promise<void>; release(): Promise<void> } | { kind: 'replay'; status: number; response: T };

/** Validates the header value; undefined when the client sent none. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !KEY.test(key)) {
    throw new HttpProblem(400, 'HH_SEARCH_VALIDATION', 'Idempotency-Key must be 1–255 characters of A–Z, a–z, 0–9, _ - . :', [
      { field: 'headers.idempotency-key', message: 'must match [A-Za-z0-9_\\-.:]{1,255}' },
    ]);
  }
  return key;
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body) ?? '').digest('hex');
}

export async function claimIdempotencyKey<T>(pool: pg.Pool, tenant: number, key: string, hash: string): Promise<Claim<T>> {
  // Expired keys (and abandoned claims) of this tenant make room first.
  await pool.query(
    `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND (created_at < now() - make_interval(hours => $2)
       OR (status_code IS NULL AND created_at < now() - make_interval(secs => $3)))`,
    [tenant, KEY_TTL_HOURS, IN_FLIGHT_STALE_SECONDS],
  );
  const { rowCount } = await pool.query(
    'INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [tenant, key, hash],
  );
  if (rowCount === 1) {
    return {
      kind: 'claimed',
      async complete(status, response) {
        await pool.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE tenant_id = $1 AND key = $2', [tenant, key, status, JSON.stringify(response)]);
      },
      async release() {
        await pool.query('DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND status_code IS NULL', [tenant, key]);
      },
    };
  }
  const { rows } = await pool.query<{ request_hash: string; status_code: number | null; response: T | null }>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
    [tenant, key],
  );
  const row = rows[0];
  // Released or expired between our insert and select: the caller's retry will claim it.
  if (!row) throw new HttpProblem(409, 'HH_SEARCH_IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key just finished without a response; retry', undefined, { 'retry-after': '1' });
  if (row.request_hash !== hash) {
    throw new HttpProblem(422, 'HH_SEARCH_IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body; use a new key for a new request', [
      { field: 'headers.idempotency-key', message: 'already used with a different body' },
    ]);
  }
  if (row.status_code === null || row.response === null) {
    throw new HttpProblem(409, 'HH_SEARCH_IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry shortly', undefined, { 'retry-after': '1' });
  }
  return { kind: 'replay', status: row.status_code, response: row.response };
}
