/** Tenants and API keys. Only SHA-256 digests of keys are stored; plaintext is returned once. */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface Tenant {
  id: number;
  slug: string;
}

export const hashKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

export function createTenantRepository(pool: pg.Pool) {
  /** The tenant of an unrevoked key, by the key's SHA-256 digest (what the auth cache holds). */
  async function resolveDigest(digest: Buffer): Promise<Tenant | null> {
    const { rows } = await pool.query<Tenant>(
      `SELECT t.id, t.slug FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [digest],
    );
    return rows[0] ?? null;
  }
  return {
    async create(slug: string, name = slug): Promise<Tenant> {
      const { rows } = await pool.query<Tenant>(
        `INSERT INTO tenants (slug, name) VALUES ($1, $2)
         ON CONFLICT (slug) DO UPDATE SET name = tenants.name RETURNING id, slug`,
        [slug, name],
      );
      return rows[0]!;
    },
    /** Issue a new key; the plaintext is never stored. */
    async issueKey(tenantId: number, name = ''): Promise<string> {
      const key = `hh_${randomBytes(24).toString('base64url')}`;
      await pool.query('INSERT INTO api_keys (tenant_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, $4)', [
        tenantId,
        hashKey(key),
        key.slice(0, 7),
        name,
      ]);
      return key;
    },
    /** Register a caller-chosen key (demo/dev setups that print a fixed key). */
    async registerKey(tenantId: number, key: string, name = ''): Promise<void> {
      await pool.query(
        `INSERT INTO api_keys (tenant_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key_hash) DO NOTHING`,
        [tenantId, hashKey(key), key.slice(0, 7), name],
      );
    },
    async bySlug(slug: string): Promise<Tenant | null> {
      const { rows } = await pool.query<Tenant>('SELECT id, slug FROM tenants WHERE slug = $1', [slug]);
      return rows[0] ?? null;
    },
    /** What deleting a tenant would remove (for a confirmation prompt). */
    async usage(tenantId: number): Promise<{ candidates: number; apiKeys: number }> {
      const { rows } = await pool.query<{ candidates: number; api_keys: number }>(
        `SELECT (SELECT count(*)::int FROM candidates WHERE tenant_id = $1) AS candidates,
                (SELECT count(*)::int FROM api_keys WHERE tenant_id = $1) AS api_keys`,
        [tenantId],
      );
      return { candidates: rows[0]?.candidates ?? 0, apiKeys: rows[0]?.api_keys ?? 0 };
    },
    /**
     * Delete a tenant with everything it owns (keys, candidates, embeddings, idempotency keys) and
     * write a change-log delete per candidate in the same transaction, so every replica drops the
     * vectors and later snapshots do not hold them. Returns the number of candidates removed, or
     * null when there is no such tenant.
     */
    async remove(tenantId: number): Promise<number | null> {
      const { rows } = await pool.query<{ n: number | null }>('SELECT hh_delete_tenant($1) AS n', [tenantId]);
      return rows[0]?.n ?? null;
    },
    /** Revoke a key; true when it existed and was active. Caches stop honouring it within their TTL. */
    async revokeKey(key: string): Promise<boolean> {
      const { rowCount } = await pool.query('UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1 AND revoked_at IS NULL', [hashKey(key)]);
      return (rowCount ?? 0) > 0;
    },
    async resolve(key: string): Promise<Tenant | null> {
      return resolveDigest(hashKey(key));
    },
    resolveDigest,
  };
}
export type TenantRepository = ReturnType<typeof createTenantRepository>;
