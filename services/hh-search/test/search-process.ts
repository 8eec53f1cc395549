/**
 * hh-search as a real process (services/hh-search/dist/server.js, so `pnpm build` first): for tests
 * of what only a process has — signals, exit codes, start-up from a snapshot. Log lines (pino JSON)
 * are collected for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

const serverJs = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'server.js');

export interface SearchProcess {
  url: string;
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** Resolves with the exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startSearchProcess(env: Record<string, string>): Promise<SearchProcess> {
  if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run \`pnpm build\` first`);
  const port = await freePort();
  const child = spawn(process.execPath, [serverJs], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line, raw: true });
      }
      for (const w of waiters) w();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const find = (msg: string | RegExp) => logs.find((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));
  const waitForLog = (msg: string | RegExp, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const hit = find(msg);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no log line ${String(msg)} within ${timeoutMs} ms; got:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hh-search exited with ${child.exitCode}:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
    const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > until) throw new Error('hh-search did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    logs,
    exited,
    waitForLog,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
