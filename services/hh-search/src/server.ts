import { loadSearchConfig } from '@hh/config';
import { runServer } from '@hh/service-kit';
import { createRuntime } from './runtime.js';

const config = loadSearchConfig();
const runtime = await createRuntime(config);
await runtime.start();
runtime.app.addHook('onClose', async () => {
  await runtime.worker.stop();
  await runtime.sync.stop();
});
await runServer(runtime.app, { port: config.PORT, host: config.HOST, graceMs: config.SHUTDOWN_GRACE_MS });
