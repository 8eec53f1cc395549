/**
 * The process-level code a service needs: listen, and shut down in order on SIGTERM/SIGINT.
 *
 * Shutdown (docs/RELIABILITY.md §3.6, target 28): the listener stops accepting connections at once and
 * requests that arrive on kept-alive connections get 503 + `Connection: close` (Fastify's
 * return503OnClosing); in-flight requests get `graceMs` to finish; past that their connections are
 * cut. Then the app's onClose hooks run (a service stops its workers, writes its final snapshot and
 * closes its pools there) and the process exits 0 — or 1 when a hook failed, or when even that
 * took longer than `closeTimeoutMs` past the grace period. A second signal exits at once.
 */
import type { FastifyInstance } from 'fastify';

export interface RunServerOptions {
  port: number;
  host: string;
  /** Time in-flight requests get to finish after a stop signal. */
  graceMs: number;
  /** After the grace period, time the onClose hooks (workers, snapshots, pools) get before a forced exit. Default 60 s. */
  closeTimeoutMs?: number;
}

let safetyNetInstalled = false;

/**
 * An unobserved promise rejection must never take a service down mid-request (Node's default is to
 * exit), nor go unnoticed: it is logged with its stack so the missing handler gets fixed.
 */
function installSafetyNet(app: FastifyInstance): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('unhandledRejection', (reason) => {
    app.log.error({ err: reason }, 'unhandled promise rejection (a bug: some promise was started and never observed)');
  });
}

export async function runServer(app: FastifyInstance, opts: RunServerOptions): Promise<string> {
  installSafetyNet(app);
  const address = await app.listen({ port: opts.port, host: opts.host });
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second stop signal: exiting now');
      process.exit(1);
    }
    closing = true;
    const started = performance.now();
    app.log.info({ signal, graceMs: opts.graceMs }, 'shutting down: draining in-flight requests');
    const grace = setTimeout(() => {
      app.log.warn({ graceMs: opts.graceMs }, 'grace period over: closing the connections of requests still in flight');
      app.server.closeAllConnections();
    }, opts.graceMs);
    grace.unref();
    const hard = setTimeout(() => {
      app.log.error({ ms: Math.round(performance.now() - started) }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, opts.graceMs + (opts.closeTimeoutMs ?? 60_000));
    hard.unref();
    app.close().then(
      () => {
        clearTimeout(grace);
        app.log.info({ ms: Math.round(performance.now() - started) }, 'shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return address;
}
