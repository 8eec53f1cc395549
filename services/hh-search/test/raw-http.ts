/** Test helpers for what fetch cannot send or see: raw request lines, and a service's log lines. */
import { connect } from 'node:net';

/**
 * Send `request` as-is over a new TCP connection and resolve with everything the server sent
 * until it closed the connection (send `Connection: close`).
 */
export function rawRequest(baseUrl: string, request: string): Promise<string> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(request);
  });
}

/** A pino destination that keeps every line, parsed. */
export function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
    stream: {
      write(line: string) {
        for (const l of line.split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      },
    },
  };
}
