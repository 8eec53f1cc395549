export {
  DiskAnnIndex,
  PREDICATE_EXACT_SCAN_MAX,
  mulberry32,
  scaledListSize,
  type DiskAnnOptions,
  type SearchOptions,
  type SearchResults,
  type BuildInput,
  type BuildOptions,
  type BuildReport,
  type ConsolidateReport,
  type IndexStats,
  type SnapshotMeta,
} from './engine.js';
export { SnapshotError, DiskAnnInputError, type SnapshotErrorCode } from './errors.js';
export { type Kernel, type KernelName, JsKernel, WasmKernel, createKernel, resolveKernelName } from './kernel.js';
export type { Metric } from './layout.js';
export { clusteredDataset, exactKnn, recallAtK, type Dataset } from './dataset.js';
