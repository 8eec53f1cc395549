/**
 * Page cursors: opaque, signed, bound to one tenant and one search.
 *
 * A cursor says where the next page starts (offset), which search it belongs to (fingerprint of
 * the request without cursor/limit), which data version the ranked list came from (so the next
 * page can read that exact list from the page cache), and a digest of the candidate ids already
 * served. The digest lets the next page be served from a recomputed list when the cached one is
 * gone (expired, evicted, another replica, Redis down, a degraded list that was never cached):
 * only if the recomputed list starts with exactly the ids already shown, so a client never gets
 * a duplicate or silently misses a candidate.
 *
 * Wire format: base64url( HMAC-SHA256(key, "hh-cursor/1" | tenant | body) ‖ body ), body being the
 * JSON [offset, fingerprint, version, servedDigest]. The tenant is inside the MAC, not the body: a
 * cursor replayed under another API key's tenant fails verification like a forged one.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpProblem } from '@hh/service-kit';

export interface Cursor {
  offset: number;
  fingerprint: string;
  /** Data version of the list the previous page came from; -1 when it was not cacheable. */
  version: number;
  /** servedDigest() of the ids of the first `offset` results. */
  served: string;
}

const MAC_BYTES = 32;
const DOMAIN = 'hh-cursor/1';

function mac(secret: Buffer, tenantId: number, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${DOMAIN}|${tenantId}|`).update(body).digest();
}

/** Digest of an ordered list of candidate ids (16 bytes are plenty to detect a changed prefix). */
export function servedDigest(ids: readonly string[]): string {
  const h = createHash('sha256');
  for (const id of ids) h.update(`${id.length}:${id}`);
  return h.digest('base64url').slice(0, 22);
}

export function encodeCursor(c: Cursor, tenantId: number, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify([c.offset, c.fingerprint, c.version, c.served]), 'utf8');
  return Buffer.concat([mac(secret, tenantId, body), body]).toString('base64url');
}

const invalid = (message: string) => new HttpProblem(400, 'HH_SEARCH_INVALID_CURSOR', `invalid cursor: it ${message}`, [{ field: 'body.cursor', message }]);

export function decodeCursor(raw: string, expect: { fingerprint: string; tenantId: number; secret: Buffer }): Cursor {
  const bytes = Buffer.from(raw, 'base64url');
  const given = bytes.subarray(0, MAC_BYTES);
  const body = bytes.subarray(MAC_BYTES);
  // Verify before parsing anything: a forged or altered cursor, or one issued to another tenant
  // (or under another CURSOR_SECRET), is rejected the same way.
  if (body.length === 0 || !timingSafeEqual(given, mac(expect.secret, expect.tenantId, body))) {
    throw invalid('is not a cursor returned by this API for this API key (altered, from another account, or issued under another cursor secret)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('is not a cursor returned by this API');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    !Number.isSafeInteger(parsed[0]) ||
    (parsed[0] as number) < 1 ||
    typeof parsed[1] !== 'string' ||
    !Number.isSafeInteger(parsed[2]) ||
    typeof parsed[3] !== 'string'
  ) {
    throw invalid('is not a cursor returned by this API');
  }
  if (parsed[1] !== expect.fingerprint) throw invalid('belongs to a different search (query, filters or weights changed)');
  return { offset: parsed[0] as number, fingerprint: parsed[1], version: parsed[2] as number, served: parsed[3] };
}

/** 410: the list the cursor continues is gone and what a new search gives no longer extends it. */
export const cursorExpired = () =>
  new HttpProblem(
    410,
    'HH_SEARCH_CURSOR_EXPIRED',
    'the results this cursor continues have changed or are no longer available; search again without a cursor to start from the first page',
  );
