/**
 * runServer as a process (needs `pnpm build`: the fixture imports dist/): an unobserved promise
 * rejection is logged and the service keeps serving; SIGTERM lets in-flight requests finish with
 * `Connection: close`, runs the onClose hooks and exits 0.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'serve.mjs');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function start() {
  const port = await freePort();
  const child = spawn(process.execPath, [fixture], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/health/live`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, exited, logs: () => out.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return { msg: l }; } }) };
}

it('an unobserved rejection is logged, not fatal', async () => {
  const p = await start();
  try {
    expect((await fetch(`${p.url}/reject`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${p.url}/health/live`)).status).toBe(200);
    const line = p.logs().find((l) => String(l.msg).startsWith('unhandled promise rejection'));
    expect(line).toBeDefined();
    expect(line!.level).toBe(50);
    expect(JSON.stringify(line!.err)).toContain('nobody observes this');
  } finally {
    p.child.kill('SIGKILL');
  }
});

it('SIGTERM: in-flight requests finish with Connection: close, onClose hooks run, exit 0', async () => {
  const p = await start();
  const inFlight = fetch(`${p.url}/slow`);
  await new Promise((r) => setTimeout(r, 300));
  p.child.kill('SIGTERM');
  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(res.headers.get('connection')).toBe('close');
  expect(await p.exited).toBe(0);
  const msgs = p.logs().map((l) => l.msg);
  expect(msgs).toContain('onClose hook ran');
  expect(msgs).toContain('shut down cleanly');
});
