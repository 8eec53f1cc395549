// Messages between the owner thread and engine workers (build and query).
import type { GraphParams } from './graph.js';
import type { KernelName } from './kernel.js';
import type { Layout } from './layout.js';

export interface InitMsg {
  type: 'init';
  memory: WebAssembly.Memory;
  layout: Layout;
  kernel: KernelName;
  params: GraphParams;
  scratch: number;
}
export interface MemoryMsg {
  type: 'memory';
  memory: WebAssembly.Memory;
  layout: Layout;
}
export interface BuildMsg {
  type: 'build';
  /** Slots to insert, shared; workers claim chunks through the control block's counter. */
  order: Int32Array;
  from: number;
  globalStart: number;
  labelStarts: Map<number, number>;
}
export interface PruneMsg {
  type: 'prune';
  highWater: number;
}
export interface QueryPlan {
  k: number;
  listSize: number;
  rescore: number;
  starts: number[];
  traverseLabel: number;
  requireLabels: number[];
  useCodes: boolean;
  /** Exact scan over these slots instead of a graph search (small labels). */
  scan: Uint32Array | null;
}
export interface SearchMsg {
  type: 'search';
  id: number;
  query: Float32Array;
  plan: QueryPlan;
}
export type ToWorker = InitMsg | MemoryMsg | BuildMsg | PruneMsg | SearchMsg;

export interface SearchReply {
  type: 'search';
  id: number;
  ids: Float64Array;
  distances: Float32Array;
  distanceComputations: number;
  hammingComputations: number;
  error?: string;
}
export interface DoneReply {
  type: 'done';
  distanceComputations: number;
  error?: string;
}
export type FromWorker = SearchReply | DoneReply;
