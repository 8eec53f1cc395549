/** listen + graceful close on SIGINT/SIGTERM; the only process-level code a service needs. */
import type { FastifyInstance } from 'fastify';

export async function runServer(
  app: FastifyInstance,
  opts: { port: number; host: string; graceMs: number },
): Promise<string> {
  const address = await app.listen({ port: opts.port, host: opts.host });
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('grace period over; exiting');
      process.exit(1);
    }, opts.graceMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return address;
}
