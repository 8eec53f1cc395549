import { loadSearchConfig } from '@hh/config';
import { runServer } from '@hh/service-kit';
import { createRuntime } from './runtime.js';

const config = loadSearchConfig();
const runtime = await createRuntime(config);
runtime.app.addHook('onClose', async () => {
  await runtime.stopBackground();
});
// Listen first: /health/ready says "not ready" and searches report vector_index_warming until
// the vector index has loaded and caught up with the change log.
await runServer(runtime.app, { port: config.PORT, host: config.HOST, graceMs: config.SHUTDOWN_GRACE_MS });
runtime.start().catch((err: unknown) => {
  runtime.app.log.fatal({ err }, 'vector index failed to start');
  process.exit(1);
});
