/**
 * Admin CLI (uses DATABASE_URL):
 *   node dist/cli.js migrate
 *   node dist/cli.js create-tenant <slug> [name]     → prints a new API key (shown once)
 *   node dist/cli.js issue-key <slug> [key-name]     → prints a new API key for an existing tenant
 */
import { createPool, migrate } from '@hh/db';
import { createTenantRepository } from './tenants/repository.js';

const [cmd, arg1, arg2] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
const pool = createPool(url, { max: 2 });
try {
  const tenants = createTenantRepository(pool);
  switch (cmd) {
    case 'migrate': {
      const r = await migrate(pool);
      console.log(`applied: ${r.applied.join(', ') || 'none'}; already applied: ${r.skipped.length}`);
      break;
    }
    case 'create-tenant': {
      if (!arg1 || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(arg1)) throw new Error('usage: create-tenant <slug: a-z 0-9 -> [name]');
      const t = await tenants.create(arg1, arg2 ?? arg1);
      console.log(`tenant ${t.slug} (id ${t.id})\nAPI key (store it now, it is not kept): ${await tenants.issueKey(t.id, 'initial')}`);
      break;
    }
    case 'issue-key': {
      const { rows } = await pool.query<{ id: number }>('SELECT id FROM tenants WHERE slug = $1', [arg1]);
      if (!rows[0]) throw new Error(`no tenant ${arg1}`);
      console.log(await tenants.issueKey(rows[0].id, arg2 ?? ''));
      break;
    }
    default:
      console.error('commands: migrate | create-tenant <slug> [name] | issue-key <slug> [name]');
      process.exitCode = 2;
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
