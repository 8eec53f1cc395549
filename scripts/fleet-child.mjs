/**
 * Preloaded (node --import) into each service that scripts/fleet.mjs starts. The fleet keeps an IPC
 * channel to every child; when the fleet dies without stopping them (kill -9, a crash), the channel
 * closes and the service shuts down as it does on SIGTERM, instead of running on as an orphan.
 */
if (process.channel) {
  // The channel alone must not keep a service alive.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
