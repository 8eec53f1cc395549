/**
 * hh-search's answer to infrastructure failures, consulted by the shared error handler for every
 * route (authentication included): an unreachable, restarting or full PostgreSQL is a 503 with
 * Retry-After (retry later) and a statement that ran past PG_STATEMENT_TIMEOUT_MS a 503 as well
 * (the database is too busy right now); neither is a bug, so neither is a 500.
 */
import { isDatabaseUnavailable, isStatementTimeout } from '@hh/db';
import type { ErrorClassifier } from '@hh/service-kit';

export const DATABASE_RETRY_AFTER_SECONDS = 1;

export const classifyError: ErrorClassifier = (err) => {
  if (isDatabaseUnavailable(err)) {
    return {
      status: 503,
      code: 'HH_SEARCH_DATABASE_UNAVAILABLE',
      detail: 'the database is unavailable; retry later',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  if (isStatementTimeout(err)) {
    return {
      status: 503,
      code: 'HH_SEARCH_DATABASE_TIMEOUT',
      detail: 'the database did not answer in time; retry later',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  return undefined;
};
