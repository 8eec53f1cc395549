/**
 * What a failed query means for the caller: "the database cannot be reached right now" (retry
 * later: 503) is told apart from "this statement is wrong" (a bug: 500). pg reports the first
 * kind in several shapes: socket errors (ECONNREFUSED…), its own messages for a lost or
 * never-established connection, pool checkout timeouts, and server SQLSTATEs for shutdown,
 * connection limits and the 08 (connection exception) class.
 */

/** Socket-level codes: the server is not there, went away, or the network between us failed. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or
 * in recovery), 53300 too_many_connections, 53000 insufficient_resources; the 08xxx class below.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53000']);

/** pg and pg-pool raise these as plain Errors without a code. */
const UNAVAILABLE_MESSAGES = [
  /^timeout exceeded when trying to connect$/, // pg-pool: no connection free within connectionTimeoutMillis
  /^Connection terminated due to connection timeout$/,
  /^Connection terminated unexpectedly$/,
  /^Connection terminated$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Query read timeout$/,
  /^timeout expired$/,
];

function codeOf(err: object): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function unavailable(err: unknown, depth: number): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const code = codeOf(err);
  if (code && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  // Node wraps a failed multi-address connect in an AggregateError; pg-pool wraps with `cause`.
  if (err instanceof AggregateError && err.errors.some((e) => unavailable(e, depth + 1))) return true;
  return unavailable((err as { cause?: unknown }).cause, depth + 1);
}

/** True when `err` says PostgreSQL is unreachable, shutting down, full or lost the connection. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return unavailable(err, 0);
}

/** True for SQLSTATE 57014 (query_canceled): statement_timeout, or a cancel request. */
export function isStatementTimeout(err: unknown): boolean {
  return !!err && typeof err === 'object' && codeOf(err) === '57014';
}
