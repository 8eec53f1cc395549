/** A TCP proxy on an ephemeral port whose upstream can be cut and restored (fault injection). */
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  url: string;
  /** down: refuse (reset) connections; blackhole: accept and never answer. */
  mode: 'up' | 'down' | 'blackhole';
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: TcpProxy = { url: '', mode: 'up', close: async () => undefined };
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.mode === 'down') {
      client.resetAndDestroy();
      return;
    }
    if (proxy.mode === 'blackhole') return;
    const upstream = createConnection({ host: t.hostname, port: Number(t.port) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `${t.protocol}//127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return new Proxy(proxy, {
    set(obj, prop, value) {
      if (prop === 'mode' && value !== 'up') for (const s of sockets) s.destroy(); // cut live keep-alive connections
      (obj as unknown as Record<string | symbol, unknown>)[prop] = value;
      return true;
    },
  });
}
