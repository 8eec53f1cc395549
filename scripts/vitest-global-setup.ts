/**
 * Test-wide setup. Tests run against real servers: DATABASE_URL / REDIS_URL when set (CI sets
 * them), otherwise an embedded PostgreSQL started here for the whole run. Each test file then
 * creates its own database from a migrated template (packages/db createTestDatabase).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../packages/db/src/embedded.js';

let embedded: EmbeddedPostgresHandle | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  if (!process.env.DATABASE_URL && !process.env.HH_TEST_DATABASE_URL) {
    dir = mkdtempSync(join(tmpdir(), 'hh-test-pg-'));
    // mkdtemp's folder is private; as root the server runs as the OS user postgres, which must be
    // able to enter it for the data to stay in this throwaway folder.
    chmodSync(dir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), log: (msg) => console.log(`[tests] embedded PostgreSQL: ${msg}`) });
    process.env.HH_TEST_DATABASE_URL = embedded.url;
    console.log(`[tests] no DATABASE_URL: started embedded PostgreSQL on port ${embedded.port}`);
  }
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  // The data may live outside `dir` when TMPDIR is private (see packages/db/src/embedded.ts).
  if (embedded) rmSync(embedded.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
}
