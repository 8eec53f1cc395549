// Typed errors so callers (hh-search) can tell "rebuild the index" from "bad request".

export type SnapshotErrorCode = 'CORRUPT' | 'TRUNCATED' | 'MISMATCH' | 'VERSION' | 'NOT_FOUND';

/** A snapshot that must not be served: the caller should rebuild from the source of truth. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Invalid argument from the caller (wrong dimensions, non-finite values, bad ids or labels). */
export class DiskAnnInputError extends RangeError {
  override readonly name = 'DiskAnnInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
