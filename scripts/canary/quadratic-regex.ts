/**
 * Canary for the ReDoS lint (.ci/canary lints this file on purpose and requires a failure; the normal
 * lint ignores it). The pattern is the one that once made hyphenated-word indexing quadratic: on a long
 * word without a hyphen it fails at every letter after scanning to the word's end.
 */
export const joinedCompounds = (text: string): string[] => text.match(/\p{L}+(?:-\p{L}+)+/gu) ?? [];
