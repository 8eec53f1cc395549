/**
 * Test-wide setup. Tests run against real servers: DATABASE_URL / REDIS_URL when set (CI sets
 * them), otherwise an embedded PostgreSQL and a throwaway redis-server started here for the whole
 * run. Each test file then creates its own database from a migrated template (packages/db
 * createTestDatabase); Redis tests write under key prefixes of their own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../packages/db/src/embedded.js';

let embedded: EmbeddedPostgresHandle | undefined;
let dir: string | undefined;
let redis: ChildProcess | undefined;

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
  await provideRedis();
}

export async function teardown(): Promise<void> {
  await stopRedis();
  await embedded?.stop();
  // The data may live outside `dir` when TMPDIR is private (see packages/db/src/embedded.ts).
  if (embedded) rmSync(embedded.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
}

// ---------- Redis ----------
// Tests read REDIS_URL. Without one, a throwaway redis-server (no persistence) on an ephemeral port
// serves the run. Fault tests start their own redis-server children, so they need the binary even
// when REDIS_URL is set. What cannot run is skipped, and the reason printed, here and by each test:
//   HH_TEST_NO_REDIS         why there is no Redis for the run (REDIS_URL stays unset)
//   HH_TEST_NO_REDIS_SERVER  why no redis-server child can be started

async function provideRedis(): Promise<void> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    process.env.HH_TEST_NO_REDIS_SERVER = 'no redis-server on PATH (install Redis, e.g. `apt-get install redis-server`)';
  }
  if (process.env.REDIS_URL) return;
  if (process.env.HH_TEST_NO_REDIS_SERVER) {
    process.env.HH_TEST_NO_REDIS = `REDIS_URL is unset and ${process.env.HH_TEST_NO_REDIS_SERVER}`;
    console.log(`[tests] ${process.env.HH_TEST_NO_REDIS}: tests that need Redis are skipped`);
    return;
  }
  const port = await startThrowawayRedis();
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  console.log(`[tests] no REDIS_URL: started redis-server on port ${port}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PING over a raw socket: true once the server answers +PONG (it refuses or says -LOADING before). */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.once('close', () => resolve(reply.startsWith('+PONG')));
    socket.once('error', () => undefined);
  });
}

async function startThrowawayRedis(): Promise<number> {
  // The port is free when picked but not reserved: another process may take it first, so retry.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})`)));
    for (let i = 0; i < 200 && child.exitCode === null && child.signalCode === null; i++) {
      if (await pong(port)) {
        redis = child;
        // Never outlive the run, even if teardown does not get to run.
        process.once('exit', () => child.kill('SIGKILL'));
        return port;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    const why = await exited;
    if (attempt === 3) throw new Error(`[tests] could not start redis-server for the run: it ${why} on port ${port}`);
  }
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}
