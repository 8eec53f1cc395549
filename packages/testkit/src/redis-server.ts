/**
 * Throwaway redis-server processes on ephemeral ports, for tests that kill or freeze their Redis (the
 * machine's shared Redis is never stopped or paused by tests), and the skip reasons the vitest global
 * setup records when there is no Redis or no redis-server binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface RedisChild {
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGSTOP: the socket stays open and accepts bytes, but nothing answers (a black hole). */
  pause(): void;
  resume(): void;
  /** SIGKILL and wait for the process to be gone. */
  kill(): Promise<void>;
}

export async function startRedisServer(port?: number): Promise<RedisChild> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: RedisChild = {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    child,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (port ${p} taken?)`);
    if (await canConnect(p)) return handle;
    await new Promise((r) => setTimeout(r, 50));
  }
  await handle.kill();
  throw new Error('redis-server did not start');
}

/** Polls `check` until it returns true; fails the test after `attempts` tries. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, attempts = 200, everyMs = 25): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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
