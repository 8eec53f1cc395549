export { createPool, type PoolOptions, type Queryable } from './pool.js';
export { migrate, migrationsDir, listMigrations, type MigrationResult } from './migrate.js';
export { startEmbeddedPostgres, EmbeddedPostgresError, type EmbeddedPostgresHandle, type EmbeddedPostgresOptions } from './embedded.js';
export { createTestDatabase, resolveAdminUrl, type TestDatabase } from './testing.js';
export { withTransaction } from './tx.js';
export { isDatabaseUnavailable, isStatementTimeout } from './errors.js';
