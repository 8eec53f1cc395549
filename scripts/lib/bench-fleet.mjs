/**
 * What the benchmark scripts share: a fresh fleet (scripts/fleet.mjs on spare ports, with an empty
 * database and empty index snapshots), /metrics parsing, machine information and per-process CPU
 * time from /proc.
 *
 * Database: with an admin URL a database hh_bench_<label>_<run> is created on that server and dropped
 * afterwards; otherwise the fleet runs an embedded PostgreSQL in a temporary data dir (then its CPU
 * time is measurable per process). REDIS_URL is not passed on (tenant ids repeat across fresh
 * databases, so a shared Redis could answer from an earlier run's cache).
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from '@hh/db';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_KEY = process.env.HH_DEMO_API_KEY ?? 'hh_demo_key_change_me';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** The same server URL, naming another database. */
export function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adminQuery(adminUrl, sql) {
  const pool = createPool(adminUrl, { max: 1 });
  try {
    return await pool.query(sql);
  } finally {
    await pool.end();
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {}
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    // Other work on the machine skews every figure; the load average says how busy it was.
    loadAvgAtStart: os.loadavg().map((x) => round(x, 2)),
  };
}

export function requireBuilt(services = ['hh-search', 'hh-embed', 'hh-rerank']) {
  for (const svc of services) {
    if (!existsSync(join(root, 'services', svc, 'dist/server.js'))) {
      console.error(`services/${svc}/dist/server.js is missing: run \`pnpm build\` first`);
      process.exit(2);
    }
  }
}

/**
 * Starts scripts/fleet.mjs with its own ports and database; resolves once it prints its banner.
 * `env` is added to the fleet's environment (e.g. EMBED_WORKER_BATCH).
 */
export async function startFleet({ label, adminUrl, keep = false, verbose = false, env: extra = {}, log = console.log }) {
  const runTag = Date.now().toString(36);
  const ports = { search: await freePort(), embed: await freePort(), rerank: await freePort() };
  const env = { ...process.env, HH_DEMO_SIZE: '0', PORT: String(ports.search), HH_EMBED_PORT: String(ports.embed), HH_RERANK_PORT: String(ports.rerank), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...extra };
  delete env.REDIS_URL;
  delete env.HH_SEARCH_PORT;
  let dbUrl;
  let cleanup;
  if (adminUrl) {
    const db = `hh_bench_${label}_${runTag}`;
    await adminQuery(adminUrl, `CREATE DATABASE ${db}`);
    dbUrl = withDatabase(adminUrl, db);
    env.DATABASE_URL = dbUrl;
    cleanup = async () => {
      if (!keep) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      else log(`kept database ${db}`);
    };
  } else {
    delete env.DATABASE_URL;
    const dataDir = mkdtempSync(join(os.tmpdir(), `hh-bench-${label}-`));
    // mkdtemp's folder is private; as root the embedded server runs as the OS user postgres, which
    // must be able to enter it for the data to stay in this throwaway folder (packages/db/src/embedded.ts).
    chmodSync(dataDir, 0o755);
    const pgPort = await freePort();
    env.HH_DATA_DIR = dataDir;
    env.HH_PG_PORT = String(pgPort);
    dbUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
    cleanup = async () => {
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
      else log(`kept data dir ${dataDir}`);
    };
  }

  // Fresh index snapshots per run: the bench measures a cold, empty fleet.
  const snapshotDir = mkdtempSync(join(os.tmpdir(), `hh-bench-index-${label}-`));
  env.INDEX_SNAPSHOT_DIR = snapshotDir;
  // One tenant writes and searches as fast as it can: the per-tenant quota must not be what is measured.
  env.SEARCH_RATE_LIMIT_PER_MINUTE ??= '0';
  const child = spawn(process.execPath, [join(root, 'scripts/fleet.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The fleet's own log (warnings, 5xx stack traces) goes to a file for post-mortems of odd figures.
  const logPath = join(root, 'bench-results/tmp', `fleet-${label}-${runTag}.log`);
  mkdirSync(dirname(logPath), { recursive: true });
  const logFile = createWriteStream(logPath);
  const tail = [];
  let banner = false;
  const onData = (buf) => {
    const text = buf.toString();
    logFile.write(text);
    if (text.includes('hh is running')) banner = true;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (verbose) log(`  | ${line}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    logFile.end();
    log(`fleet log: ${logPath}`);
    rmSync(snapshotDir, { recursive: true, force: true });
    await cleanup();
  };

  const until = Date.now() + 300_000;
  let exitedWith;
  void exited.then((c) => (exitedWith = c));
  while (!banner) {
    if (exitedWith !== undefined) {
      await cleanup();
      throw new Error(`fleet exited (${exitedWith}) before it was ready; last output:\n${tail.join('\n')}`);
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`fleet not ready after 300 s; last output:\n${tail.join('\n')}`);
    }
    await sleep(200);
  }
  return { base: `http://127.0.0.1:${ports.search}`, embedBase: `http://127.0.0.1:${ports.embed}`, dbUrl, pid: child.pid, embedded: !adminUrl, stop, tail };
}

/** Prometheus text → { 'name{labels}': value }. */
export async function metricValues(base) {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  const out = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const sp = line.lastIndexOf(' ');
    out[line.slice(0, sp)] = Number(line.slice(sp + 1));
  }
  return out;
}

/**
 * For a histogram `name` with one label `label`: per label value, { count, totalSeconds, meanMs }
 * between two /metrics snapshots (exact: sum and count deltas).
 */
export function histogramDeltas(before, after, name, label) {
  const out = {};
  const re = new RegExp(`^${name}_sum\\{${label}="([^"]+)"\\}$`);
  for (const [key, sum] of Object.entries(after)) {
    const m = re.exec(key);
    if (!m) continue;
    const countKey = `${name}_count{${label}="${m[1]}"}`;
    const n = (after[countKey] ?? 0) - (before[countKey] ?? 0);
    const total = sum - (before[key] ?? 0);
    if (n > 0) out[m[1]] = { count: n, totalSeconds: round(total, 2), meanMs: round((total / n) * 1000, 1) };
  }
  return out;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function readStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // fields after the command: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17)
    return { ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]), cutime: Number(rest[13]), cstime: Number(rest[14]) };
  } catch {
    return undefined;
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * CPU seconds used so far by each process of the fleet under `rootPid`, grouped as hh-search,
 * hh-embed, hh-rerank, postgres (the embedded server: its postmaster including reaped backends,
 * plus live backends) and fleet (the launcher). A process that exited meanwhile is not counted,
 * except PostgreSQL backends, whose time their postmaster collects.
 */
export function fleetCpuSeconds(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  const out = { 'hh-search': 0, 'hh-embed': 0, 'hh-rerank': 0, postgres: 0, fleet: 0 };
  const walk = (pid, group) => {
    const st = readStat(pid);
    if (!st) return;
    const cmd = cmdline(pid);
    let g = group;
    if (!g) {
      for (const svc of ['hh-search', 'hh-embed', 'hh-rerank']) if (cmd.includes(`services/${svc}/`)) g = svc;
      if (!g && /postgres/.test(cmd)) g = 'postgres';
    }
    const own = (st.utime + st.stime) / CLOCK_TICKS;
    // Reaped children count for the postmaster (backends come and go) and only there.
    const reaped = g === 'postgres' ? (st.cutime + st.cstime) / CLOCK_TICKS : 0;
    out[g ?? 'fleet'] += own + reaped;
    for (const c of children.get(pid) ?? []) walk(c, g);
  };
  walk(rootPid, undefined);
  return out;
}

export function cpuDelta(before, after, seconds) {
  const out = {};
  for (const k of Object.keys(after)) {
    const d = after[k] - (before[k] ?? 0);
    out[k] = { cpuSeconds: round(d, 2), cores: round(d / seconds, 2) };
  }
  return out;
}
