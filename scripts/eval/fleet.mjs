/**
 * A throwaway fleet for the evaluation: scripts/fleet.mjs on spare ports with an empty database
 * (the way scripts/bench-search.mjs starts one), which can be stopped and started again on the same
 * database and index snapshots with other settings (LEXICAL_INDEX=memory, then postgres).
 *
 * Database: with EVAL_DATABASE_URL (or DATABASE_URL) a database hh_eval_<run> is created on that
 * server and dropped at the end; otherwise an embedded PostgreSQL in a temporary data dir.
 */
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, sleep, withDatabase } from '../lib/bench-fleet.mjs';

export { freePort };


/**
 * @param {{ root: string, adminUrl?: string, createPool: Function, keep?: boolean, verbose?: boolean, log: (m: string) => void, runTag: string }} opts
 */
export async function createFleetHost(opts) {
  const { root, adminUrl, createPool, log, runTag } = opts;
  const adminQuery = async (sql) => {
    const pool = createPool(adminUrl, { max: 1 });
    try {
      return await pool.query(sql);
    } finally {
      await pool.end();
    }
  };
  const snapshotDir = mkdtempSync(join(os.tmpdir(), 'hh-eval-index-'));
  const baseEnv = { ...process.env, HH_DEMO_SIZE: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', INDEX_SNAPSHOT_DIR: snapshotDir };
  // A shared Redis could answer from another run's cache (tenant ids repeat across fresh databases).
  delete baseEnv.REDIS_URL;
  delete baseEnv.HH_SEARCH_PORT;
  let dbUrl;
  let dropDatabase;
  let dataDir;
  if (adminUrl) {
    const db = `hh_eval_${runTag}`;
    await adminQuery(`CREATE DATABASE ${db}`);
    dbUrl = withDatabase(adminUrl, db);
    baseEnv.DATABASE_URL = dbUrl;
    dropDatabase = async () => {
      if (opts.keep) log(`kept database ${db}`);
      else await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    };
  } else {
    delete baseEnv.DATABASE_URL;
    dataDir = mkdtempSync(join(os.tmpdir(), 'hh-eval-'));
    // mkdtemp's folder is private; as root the embedded server runs as the OS user postgres, which
    // must be able to enter it (packages/db/src/embedded.ts).
    chmodSync(dataDir, 0o755);
    const pgPort = await freePort();
    baseEnv.HH_DATA_DIR = dataDir;
    baseEnv.HH_PG_PORT = String(pgPort);
    dbUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
  }

  let running;
  let starts = 0;

  /** Starts the fleet with extra settings; resolves once it prints its banner. */
  async function start(extraEnv = {}, label = 'fleet') {
    if (running) throw new Error('a fleet is already running');
    const ports = { search: await freePort(), embed: await freePort(), rerank: await freePort() };
    const env = { ...baseEnv, ...extraEnv, PORT: String(ports.search), HH_EMBED_PORT: String(ports.embed), HH_RERANK_PORT: String(ports.rerank) };
    const child = spawn(process.execPath, [join(root, 'scripts/fleet.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const logPath = join(root, 'bench-results/tmp', `eval-${label}-${runTag}-${++starts}.log`);
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
        if (opts.verbose) console.log(`  | ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let exitedWith;
    const exited = new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code)));
    void exited.then((c) => (exitedWith = c));

    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exited;
        clearTimeout(t);
      }
      logFile.end();
      running = undefined;
    };
    running = { stop };

    const until = Date.now() + 300_000;
    while (!banner) {
      if (exitedWith !== undefined) {
        logFile.end();
        running = undefined;
        throw new Error(`the fleet exited (${exitedWith}) before it was ready; its log: ${logPath}; last output:\n${tail.join('\n')}`);
      }
      if (Date.now() > until) {
        await stop();
        throw new Error(`the fleet was not ready after 300 s; its log: ${logPath}; last output:\n${tail.join('\n')}`);
      }
      await sleep(200);
    }
    return { base: `http://127.0.0.1:${ports.search}`, logPath, stop, exited: () => exitedWith !== undefined };
  }

  /** Stops a running fleet, then removes the database, data dir and snapshots (unless kept). */
  async function cleanup() {
    await running?.stop();
    await dropDatabase?.();
    if (dataDir) {
      if (opts.keep) log(`kept data dir ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    }
    rmSync(snapshotDir, { recursive: true, force: true });
  }

  return { dbUrl, start, cleanup };
}
