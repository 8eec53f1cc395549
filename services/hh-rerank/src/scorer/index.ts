export { scoreDocuments, MODEL_ID, WEIGHTS, type ScoreInput } from './score.js';
export { resolveJob, guessTitle, skillsInTokens } from './job.js';
export { bm25, bm25Ids, BM25_K1, BM25_B, type Bm25Result } from './bm25.js';
export { Vocab } from './vocab.js';
export { SKILLS, SKILL_INDEX, phraseKey, type SkillEntry, type SkillIndex } from './synonyms.js';
export * from './types.js';
