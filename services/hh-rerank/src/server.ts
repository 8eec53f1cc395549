import { loadRerankConfig } from '@hh/config';
import { runServer } from '@hh/service-kit';
import { buildApp } from './app.js';

const config = loadRerankConfig();
const app = buildApp(config);
await runServer(app, { port: config.PORT, host: config.HOST, graceMs: config.SHUTDOWN_GRACE_MS });
