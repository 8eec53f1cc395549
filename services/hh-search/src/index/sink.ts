/**
 * An in-memory structure the change-log consumer keeps equal to Postgres (vector index, lexical
 * indexes, attribute store, documents). Applying a record is idempotent and re-reads nothing, so a
 * replay from any earlier seq converges on the same state.
 */
import type { CandidateRecord } from './records.js';

export interface IndexSink {
  /** `vector`, `lexical`, `attributes`, `documents`: readiness and metrics report by this name. */
  readonly name: string;
  /** A full load from Postgres: every candidate, in id order, in pages; then `finishLoad()`. */
  loadPage(records: CandidateRecord[]): void | Promise<void>;
  finishLoad(): void | Promise<void>;
  /** The candidate's current state (an update may move it to no longer being indexable, e.g. no vector). */
  upsert(record: CandidateRecord): void;
  /** The candidate is gone. */
  delete(id: number): void;
  /** Every id held (to reconcile after the change log was pruned past this replica). */
  ids(): Iterable<number>;
  /** Memory held, by structure, in bytes. */
  bytes(): Record<string, number>;
  /** Writes a snapshot reflecting change-log seq `lastSeq` (atomic); absent when the structure has none. */
  save?(dir: string, meta: { tag: string; lastSeq: number }): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A sink restored from a snapshot: the seq it reflects. A sink without one is loaded from Postgres,
 * and the consumer replays the change log from the lowest seq any sink needs.
 */
export interface RestoredSink {
  sink: IndexSink;
  lastSeq?: number;
}
