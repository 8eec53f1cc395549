import { deriveCandidate } from '../candidates/derive.js';
import type { CandidateInput } from '../candidates/schema.js';

/** The embedded text of a stored profile; identical to what ingest hashed (same function). */
export function embedTextOf(profile: unknown): { text: string; hash: string } {
  const d = deriveCandidate(profile as CandidateInput);
  return { text: d.embedText, hash: d.embedHash };
}
