/**
 * The embedded server as `pnpm start` and the test setup use it: started in a fresh folder, data kept
 * across a restart, stopped for real. As root (containers, CI) also from inside a folder only root may
 * enter, which is where a clone in /root lives: the server runs as the OS user `postgres`, which can
 * reach neither that folder nor the binaries inside it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/embedded.js';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function refuses(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.end();
    return false;
  } catch {
    return true;
  }
}

/** Starts, checks the marker table survives, stops; returns what the handle said. */
async function restartKeepsData(dataDir: string, logs: string[] = []): Promise<EmbeddedPostgresHandle> {
  const h = await startEmbeddedPostgres({ dataDir, log: (m) => logs.push(m) });
  try {
    const [row] = await query<{ note: string }>(h.url, 'SELECT note FROM marker');
    expect(row?.note).toBe('kept');
  } finally {
    await h.stop();
  }
  return h;
}

describe('embedded PostgreSQL', () => {
  const cleanup: string[] = [];
  afterAll(() => {
    for (const p of cleanup) rmSync(p, { recursive: true, force: true });
  });

  it('starts in a fresh folder, keeps its data across a restart, and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hh-embedded-'));
    cleanup.push(dir);
    // mkdtemp makes a private folder; this case is the ordinary one, where the data can stay where asked.
    chmodSync(dir, 0o755);
    const dataDir = join(dir, 'pg');

    const h = await startEmbeddedPostgres({ dataDir });
    expect(h.dataDir).toBe(dataDir);
    expect(h.url).toContain(`127.0.0.1:${h.port}`);
    await query(h.url, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
    const [enc] = await query<{ enc: string }>(h.url, "SELECT pg_encoding_to_char(encoding) AS enc FROM pg_database WHERE datname = 'postgres'");
    expect(enc?.enc).toBe('UTF8');
    await h.stop();
    expect(await refuses(h.url)).toBe(true);
    await h.stop(); // idempotent

    await restartKeepsData(dataDir);
  });

  it('refuses a second server on the same data while one runs, and recovers after a hard kill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hh-embedded-'));
    cleanup.push(dir);
    chmodSync(dir, 0o755);
    const dataDir = join(dir, 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      await query(first.url, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/already running on .*kill -INT \d+/);
      // The refused start did not disturb the running server.
      expect(await query(first.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

      // The server dies without a shutdown (kill -9 of its process group): its lock file stays behind.
      const postmaster = Number(readFileSync(join(first.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(-postmaster, 'SIGKILL');
      await expect.poll(() => refuses(first.url), { timeout: 10_000 }).toBe(true);
    } finally {
      await first.stop();
    }
    expect(existsSync(join(first.dataDir, 'postmaster.pid'))).toBe(true);
    const logs: string[] = [];
    await restartKeepsData(dataDir, logs);
    expect(logs.join('\n')).toMatch(/postmaster\.pid was left by a server .* not stopped cleanly/);

    // A lock file naming a live process that is not a server on this directory (a pid reused after
    // a crash or a reboot) must not block the start either.
    writeFileSync(join(first.dataDir, 'postmaster.pid'), `${process.pid}\n${first.dataDir}\n`);
    await restartKeepsData(dataDir);
  });

  it.runIf(asRoot)('runs as root from inside a folder only root may enter', async () => {
    const privateDir = mkdtempSync(join(tmpdir(), 'hh-private-'));
    cleanup.push(privateDir);
    chmodSync(privateDir, 0o700);
    const dataDir = join(privateDir, 'clone', '.hh', 'pg');
    const logs: string[] = [];

    const h = await startEmbeddedPostgres({ dataDir, log: (m) => logs.push(m) });
    try {
      cleanup.push(dirname(h.dataDir));
      // The data went where the server's user can reach it, and the log says where.
      expect(h.dataDir.startsWith(privateDir)).toBe(false);
      expect(logs.join('\n')).toContain(h.dataDir);
      // The server runs from binaries outside the checkout, not from its node_modules.
      const postmaster = Number(readFileSync(join(h.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const exe = readlinkSync(`/proc/${postmaster}/exe`);
      expect(exe.startsWith(repoRoot)).toBe(false);
      expect(exe).toMatch(/\/bin\/postgres$/);
      await query(h.url, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
    } finally {
      await h.stop();
    }
    expect(await refuses(h.url)).toBe(true);

    // The same requested folder finds the same data again.
    const again = await restartKeepsData(dataDir);
    expect(again.dataDir).toBe(h.dataDir);
  });
});
