/**
 * CPU time and memory of the processes a benchmark window involves, read from /proc (Linux only).
 *
 * CPU per process is utime + stime from /proc/<pid>/stat (clock ticks, converted with CLK_TCK).
 * A group (e.g. "postgres") is a function that lists its current pids; a meter samples every group
 * once a second during the window, so a process that exits mid-window still counts up to its last
 * sample, and one that starts mid-window counts from zero. Each pid is keyed with its start time,
 * so a recycled pid is never mistaken for the process it replaced.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let clkTck;
function ticksPerSecond() {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100; // the value on every mainstream Linux
    }
  }
  return clkTck;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** { cpuMs, startTicks, ppid } of a process, or undefined when it is gone. */
export function procStat(pid) {
  try {
    const f = statFields(pid);
    // After "pid (comm) ": state=0 ppid=1 … utime=11 stime=12 … starttime=19 (man 5 proc, minus 3).
    return { ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond(), startTicks: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes (VmRSS), or undefined when the process is gone. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Direct children of `ppid`. */
export function childPids(ppid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (procStat(name)?.ppid === ppid) out.push(Number(name));
  }
  return out;
}

/**
 * The fleet's service processes (children of scripts/fleet.mjs), by the dist/server.js they run:
 * { 'hh-search': pid, 'hh-embed': pid, 'hh-rerank': pid }. Throws when one is missing.
 */
export function fleetServicePids(fleetPid) {
  const out = {};
  for (const pid of childPids(fleetPid)) {
    const args = cmdline(pid).join(' ');
    for (const svc of ['hh-search', 'hh-embed', 'hh-rerank']) if (args.includes(`services/${svc}/dist/server.js`)) out[svc] = pid;
  }
  for (const svc of ['hh-search', 'hh-embed', 'hh-rerank']) {
    if (!out[svc]) throw new Error(`no ${svc} process found among the children of the fleet (pid ${fleetPid})`);
  }
  return out;
}

/**
 * Measures CPU-ms per group over a window: `start()`, run the load, `stop()` → { group: cpuMs }.
 * `groups` maps a name to an (async) function returning that group's current pids.
 * The calling process's own CPU (the load generator) is measured with process.cpuUsage() as
 * `loadGenerator` (it includes the meter's own sampling, which is a few /proc reads a second).
 */
export function createCpuMeter(groups, { intervalMs = 1_000 } = {}) {
  /** group → key(pid:start) → { first, last } */
  const seen = new Map();
  let timer;
  let selfStart;
  let sampling = Promise.resolve();

  async function sample(initial) {
    for (const [group, list] of Object.entries(groups)) {
      const pids = await list();
      const byKey = seen.get(group) ?? new Map();
      seen.set(group, byKey);
      for (const pid of pids) {
        const st = procStat(pid);
        if (!st) continue;
        const key = `${pid}:${st.startTicks}`;
        const entry = byKey.get(key);
        // A process first seen after the window began started during it: all its CPU counts.
        if (entry) entry.last = st.cpuMs;
        else byKey.set(key, { first: initial ? st.cpuMs : 0, last: st.cpuMs });
      }
    }
  }

  return {
    async start() {
      seen.clear();
      await sample(true);
      selfStart = process.cpuUsage();
      timer = setInterval(() => {
        sampling = sampling.then(() => sample(false)).catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await sampling;
      const self = process.cpuUsage(selfStart);
      await sample(false);
      const out = {};
      for (const [group, byKey] of seen) {
        let ms = 0;
        for (const e of byKey.values()) ms += e.last - e.first;
        out[group] = ms;
      }
      out.loadGenerator = (self.user + self.system) / 1000;
      return out;
    },
  };
}

/** PostgreSQL backends connected to the database of `pool` (the pool's own query backend excluded). */
export function postgresBackends(pool) {
  return async () => {
    const { rows } = await pool.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return rows.map((r) => r.pid);
  };
}
