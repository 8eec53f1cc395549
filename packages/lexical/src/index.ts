export { LexicalIndex, type SearchHit, type SearchOptions, type SearchResult } from './lexical-index.js';
export { ExhaustiveScorer } from './exhaustive.js';
export { analyze, analyzeQuery, tokenize, fold, stem, STOPWORDS, type QueryToken, type Token } from './analyzer.js';
export { FIELDS, DEFAULT_WEIGHTS, DEFAULT_B, type Field, type Language, type LexicalDocument, type LexicalOptions } from './fields.js';
export type { SearchQuery } from './query.js';
export { LexicalSnapshotError, SNAPSHOT_FORMAT_VERSION, type SnapshotMeta } from './snapshot.js';
