/**
 * Title normalisation and the specialty lookup's text steps run on request text (job descriptions,
 * queries, candidate titles) on the request's thread: 1 MB of adversarial text must finish in
 * linear time, never block the process for minutes.
 */
import { bounded } from '@hh/testkit';
import { describe, expect, it } from 'vitest';
import { extractTitleCandidates, leadingPhrase, normalizeAlias, stripModifiers, titleVariants, trigramSet } from '../src/index.js';

const MB = 1 << 20;
const ADVERSARIAL: Array<[string, string]> = [
  ['letters without a break', 'a'.repeat(MB)],
  ['dots before a letter', `${'.'.repeat(MB)}a`],
  ['letter-dot pairs', 'a.'.repeat(MB / 2)],
  ['plus and hash', '+#'.repeat(MB / 2)],
  ['contract words', 'full time '.repeat(MB / 10)],
  ['spaces', ' '.repeat(MB)],
  ['separators', ' - '.repeat(MB / 3)],
  ['combining accents', 'e\u0301'.repeat(MB / 2)],
  ['digits', '1'.repeat(MB)],
  ['back end', 'back end '.repeat(MB / 9)],
];

describe('title normalisation on 1 MB of adversarial text', () => {
  it.each(ADVERSARIAL)('%s', { timeout: 60_000 }, (_name, text) => {
    bounded(() => {
      const norm = normalizeAlias(text);
      stripModifiers(norm);
      titleVariants(norm);
      leadingPhrase(norm);
      extractTitleCandidates(text);
      trigramSet(text);
    });
    expect(normalizeAlias(text).length).toBeLessThanOrEqual(text.length);
  });
});
