/** Opaque page cursors: offset + the fingerprint of the request (and data version) they belong to. */
import { HttpProblem } from '@hh/service-kit';

export interface Cursor {
  offset: number;
  fingerprint: string;
  seq: number;
}

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.offset, c.fingerprint, c.seq])).toString('base64url');

export function decodeCursor(raw: string, fingerprint: string): Cursor {
  const bad = (msg: string) => new HttpProblem(400, 'HH_SEARCH_INVALID_CURSOR', msg, [{ field: 'body.cursor', message: msg }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('is not a cursor returned by this API');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !Number.isInteger(parsed[0]) || parsed[0] < 0 || typeof parsed[1] !== 'string' || !Number.isInteger(parsed[2])) {
    throw bad('is not a cursor returned by this API');
  }
  if (parsed[1] !== fingerprint) throw bad('belongs to a different search (query, filters or weights changed)');
  return { offset: parsed[0] as number, fingerprint, seq: parsed[2] as number };
}
