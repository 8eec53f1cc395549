import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createPool, listMigrations, migrate, resolveAdminUrl } from '../src/index.js';

describe('migrations', () => {
  const admin = resolveAdminUrl();
  const name = `hh_migr_${randomBytes(4).toString('hex')}`;
  const url = (() => { const u = new URL(admin); u.pathname = `/${name}`; return u.toString(); })();
  let pool: pg.Pool | undefined;

  afterAll(async () => {
    await pool?.end();
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it('apply from zero, then are idempotent', async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    pool = createPool(url);
    const first = await migrate(pool);
    expect(first.applied).toEqual(listMigrations().map((m) => m.name));
    const second = await migrate(pool);
    expect(second.applied).toEqual([]);
    expect(second.skipped.length).toBe(first.applied.length);
    const { rows } = await pool.query<{ t: string }>(`SELECT to_tsvector('hh_portuguese', 'Desenvolvedora Sênior')::text AS t`);
    expect(rows[0]!.t).toBe(`'desenvolvedor':1 'senior':2`);
    const { rows: q } = await pool.query<{ ok: boolean }>(
      `SELECT to_tsvector('hh_portuguese', 'Desenvolvedor Back-end') @@ websearch_to_tsquery('hh_portuguese', 'desenvolvedora back-end') AS ok`);
    expect(q[0]!.ok).toBe(true);
  });

  it('change log seq follows commit order under concurrent appenders', async () => {
    const p = pool!;
    await p.query(`INSERT INTO tenants (slug, name) VALUES ('t1', 'T1')`);
    await Promise.all(Array.from({ length: 20 }, (_, i) => p.query(`SELECT hh_append_change(1, $1, 'upsert')`, [i])));
    const { rows } = await p.query<{ seq: number }>('SELECT seq FROM change_log ORDER BY seq');
    expect(rows.length).toBe(20);
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
  });
});
