/**
 * Server-side secrets kept in Postgres (hh_secrets), so every replica of one database uses the
 * same one without configuration. The first replica that asks generates it; concurrent first
 * callers all end up with the row that won the insert.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export function createSecretRepository(pool: pg.Pool) {
  return {
    async getOrCreate(name: string): Promise<Buffer> {
      await pool.query('INSERT INTO hh_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
      const { rows } = await pool.query<{ secret: Buffer }>('SELECT secret FROM hh_secrets WHERE name = $1', [name]);
      if (!rows[0]) throw new Error(`secret ${name} could not be stored`);
      return rows[0].secret;
    },
  };
}
