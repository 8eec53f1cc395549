export { buildApp, type SearchAppDeps } from './app.js';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export { createTenantRepository, type Tenant } from './tenants/repository.js';
export { ExactVectorIndex } from './vector/exact-index.js';
export type { VectorIndex, VectorHit } from './vector/types.js';
export { rrfFuse } from './search/fusion.js';
