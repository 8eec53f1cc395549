/**
 * Per-test-file databases: the schema is migrated (and optionally seeded) once into a template
 * database named after a hash of the migrations + seed key, then each test file gets its own copy
 * with CREATE DATABASE … TEMPLATE, so files run in parallel without sharing rows.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool } from './pool.js';
import { listMigrations, migrate } from './migrate.js';

export interface TestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** The server tests use: DATABASE_URL (CI, or set by the global setup to an embedded server). */
export function resolveAdminUrl(): string {
  const url = process.env.HH_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('tests need DATABASE_URL (or HH_TEST_DATABASE_URL); the vitest global setup starts an embedded server when neither is set');
  return url;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adminQuery(adminUrl: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(opts: {
  seedKey?: string;
  seed?: (pool: pg.Pool) => Promise<unknown>;
  adminUrl?: string;
} = {}): Promise<TestDatabase> {
  const adminUrl = opts.adminUrl ?? resolveAdminUrl();
  const fingerprint = createHash('sha256')
    .update(listMigrations().map((m) => m.checksum).join(','))
    .update(opts.seedKey ?? '')
    .digest('hex')
    .slice(0, 12);
  const template = `hh_tpl_${fingerprint}`;

  // Build the template once across parallel test files: advisory lock on the admin connection.
  const lock = new pg.Client({ connectionString: adminUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [7243002]);
    const exists = await lock.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [template]);
    if (exists.rowCount === 0) {
      await lock.query(`DROP DATABASE IF EXISTS ${template}`);
      await lock.query(`CREATE DATABASE ${template}`);
      const pool = createPool(withDatabase(adminUrl, template), { max: 4 });
      try {
        await migrate(pool);
        if (opts.seed) await opts.seed(pool);
      } finally {
        await pool.end();
      }
      await lock.query(`ALTER DATABASE ${template} WITH is_template = true`);
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [7243002]).catch(() => undefined);
    await lock.end();
  }

  const name = `hh_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, { max: 8 });
  // A copy of the template is a different database: give it its own identity (hh_instance), as
  // anything keyed by that identity (snapshot tags, Redis key prefixes) must tell copies apart.
  await pool.query('UPDATE hh_instance SET database_id = gen_random_uuid()').catch((err: unknown) => {
    if ((err as { code?: string }).code !== '42P01') throw err; // a template without the hh schema
  });
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    },
  };
}
