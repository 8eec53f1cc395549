export { loadTaxonomy, buildTaxonomyRows, taxonomyVersion, LOADER_VERSION, TAXONOMY_LABEL, taxonomySeedKey, type LoadResult } from './load.js';
export {
  createSpecialtyLookup,
  lookupOccupations,
  occupationsForTitle,
  occupationsForTitles,
  createOccupationResolver,
  clearOccupationCache,
  INGEST_MIN_CONFIDENCE,
  INGEST_MAX_IDS,
  TRIGRAM_THRESHOLD,
  MAX_LOOKUP_CHARS,
  type SpecialtyLookup,
  type SpecialtyLookupOptions,
  type AliasIndexStats,
  type SpecialtyMatch,
  type LookupOptions,
  type LookupMethod,
  type OccupationResolver,
} from './lookup.js';
export { normalizeAlias, stripModifiers, titleVariants, extractTitleCandidates, leadingPhrase, LEAD_WEIGHT, type TitleCandidate } from './normalize.js';
export { loadAliasIndex, taxonomyFingerprint, trigramSet, trigramSimilarity, type AliasIndex } from './alias-index.js';
export { generateDemoCandidates, mulberry32, loadDemoSeed, DEMO_REFERENCE_YEAR, type DemoOptions } from './demo.js';
export { buildDemoSeed, type DemoSeed, type DemoSeedOccupation } from './demo-seed.js';
export { defaultDataDir, readCrosswalk, type CommonOccupation, type TaxonomySource } from './sources.js';
export type { CandidateInput, CandidateExperience, DemoCandidate, Seniority } from './types.js';
