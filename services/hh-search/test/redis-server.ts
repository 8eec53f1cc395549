/** A throwaway redis-server on an ephemeral port, for tests that kill or freeze it. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

/**
 * Why the tests that need a Redis cannot run here, or undefined when they can. The test setup
 * (scripts/vitest-global-setup.ts) provides REDIS_URL, starting a throwaway redis-server if none
 * was given, and records why when it cannot.
 */
export function redisMissing(): string | undefined {
  return process.env.REDIS_URL ? undefined : (process.env.HH_TEST_NO_REDIS ?? 'REDIS_URL is unset');
}

/** Why no redis-server child can be started here (fault tests need their own), or undefined. */
export function redisServerMissing(): string | undefined {
  return process.env.HH_TEST_NO_REDIS_SERVER;
}

/** A test title that carries the reason it is skipped, also printed once so a skip is never silent. */
export function unlessMissing(title: string, missing: string | undefined): string {
  if (!missing) return title;
  console.warn(`[tests] skipped "${title}": ${missing}`);
  return `${title} [skipped: ${missing}]`;
}
