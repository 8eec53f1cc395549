/**
 * Test support shared by the workspace's test suites (a devDependency only; nothing in a service
 * imports it): a hang bound for synchronous code, fast-check arbitraries derived from a route's
 * JSON Schema plus mutations that break it, the problem+json error shape, and route discovery.
 */
export { bounded } from './bounded.js';
export { arbitraryFromSchema, type JsonSchema, type SchemaArbitraryOptions } from './json-schema.js';
export { mutated, JUNK } from './mutate.js';
export { problemJson, type ProblemJson } from './problem.js';
export { collectRoutes, type CollectedRoute } from './routes.js';
export {
  deferred,
  eventually,
  freePort,
  redisMissing,
  redisServerMissing,
  sleep,
  startRedisServer,
  unlessMissing,
  type RedisChild,
} from './redis-server.js';
