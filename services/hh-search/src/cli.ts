/**
 * Admin CLI (uses DATABASE_URL):
 *   node dist/cli.js migrate
 *   node dist/cli.js create-tenant <slug> [name]     → prints a new API key (shown once)
 *   node dist/cli.js issue-key <slug> [key-name]     → prints a new API key for an existing tenant
 *   node dist/cli.js delete-tenant <slug> [--yes]    → without --yes: says what would be deleted
 *   node dist/cli.js prune-change-log                → deletes change-log rows nobody needs
 *                                                      (CHANGE_LOG_RETENTION_HOURS, default 24)
 * Exit status: 0 done, 1 failed (e.g. unknown tenant), 2 usage error or confirmation missing.
 */
import { parseEnv, searchSchema } from '@hh/config';
import { createPool, migrate } from '@hh/db';
import { createTenantRepository } from './tenants/repository.js';
import { createChangeLogRepository } from './index/change-log.js';

const USAGE = 'commands: migrate | create-tenant <slug> [name] | issue-key <slug> [name] | delete-tenant <slug> [--yes] | prune-change-log';

const args = process.argv.slice(2);
const yes = args.includes('--yes');
const [cmd, arg1, arg2] = args.filter((a) => a !== '--yes');
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
// Maintenance commands (deleting a large tenant, pruning a long log) may run for minutes.
const pool = createPool(url, { max: 2, statementTimeoutMs: 600_000 });
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
      const t = arg1 ? await tenants.bySlug(arg1) : null;
      if (!t) throw new Error(`no tenant ${arg1}`);
      console.log(await tenants.issueKey(t.id, arg2 ?? ''));
      break;
    }
    case 'delete-tenant': {
      if (!arg1) {
        console.error('usage: delete-tenant <slug> [--yes]');
        process.exitCode = 2;
        break;
      }
      const t = await tenants.bySlug(arg1);
      if (!t) throw new Error(`no tenant ${arg1}`);
      if (!yes) {
        const u = await tenants.usage(t.id);
        console.error(
          `tenant ${t.slug} (id ${t.id}) has ${u.candidates} candidates and ${u.apiKeys} API keys.\n` +
            `Deleting it removes all of them permanently. Re-run with --yes to delete: delete-tenant ${t.slug} --yes`,
        );
        process.exitCode = 2;
        break;
      }
      const n = await tenants.remove(t.id);
      if (n === null) throw new Error(`no tenant ${arg1}`);
      console.log(`deleted tenant ${t.slug} (id ${t.id}): ${n} candidates; every hh-search replica drops their vectors as it applies the change log`);
      break;
    }
    case 'prune-change-log': {
      const { CHANGE_LOG_RETENTION_HOURS: hours } = parseEnv('hh-search', searchSchema.pick({ CHANGE_LOG_RETENTION_HOURS: true }));
      const r = await createChangeLogRepository(pool).prune(hours);
      if (!r.ran) {
        console.log(`another pruner is running; nothing done (pruned through seq ${r.prunedThrough})`);
      } else {
        console.log(
          `deleted ${r.deleted} change-log rows (retention ${hours} h); pruned through seq ${r.prunedThrough}; forgot ${r.forgottenReplicas} silent replicas`,
        );
      }
      break;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
