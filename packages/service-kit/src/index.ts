export { createServiceApp, type ServiceAppOptions, type ZodApp } from './app.js';
export { installErrorHandler, problem, HttpProblem } from './errors.js';
export { installMetrics, LATENCY_BUCKETS, type ServiceMetrics } from './metrics.js';
export { runServer } from './server.js';
export { Deadline, DEADLINE_HEADER } from './deadline.js';
export { installShedding, shedOptionsFromConfig, type ShedOptions } from './shed.js';
