/**
 * The scorer reads untrusted text (the query and every document) on the request's thread, so each
 * step must stay linear in the text's length: 1 MB of adversarial text must finish, not block the
 * process for minutes.
 */
import { bounded } from '@hh/testkit';
import { describe, expect, it } from 'vitest';
import { resolveJob, scoreDocuments } from '../src/index.js';

const MB = 1 << 20;
const ADVERSARIAL: Array<[string, string]> = [
  ['letters without a break', 'a'.repeat(MB)],
  ['a digit then spaces', `1${' '.repeat(MB)}x`],
  ['a digit, a plus, then spaces', `5+${' '.repeat(MB)}x`],
  ['digits and spaces', '1 '.repeat(MB / 2)],
  ['"5 years of" then words', `5 years of ${'work '.repeat(MB / 5)}`],
  ['"at least" then spaces', `at least${' '.repeat(MB)}9`],
  ['hyphens', '-'.repeat(MB)],
  ['dashes between digits', '3-'.repeat(MB / 2)],
  ['dots', '.'.repeat(MB)],
  ['one line per character', '\n'.repeat(MB)],
  ['accented letters', 'ção '.repeat(MB / 4)],
  ['nice-to-have markers', 'plus '.repeat(MB / 5)],
  ['mixed', 'Senior back-end Node.js C++ 3-5 anos, 5+ years, São Paulo; nice to have: k8s (remote) | '.repeat(MB / 90)],
];

describe('scorer on 1 MB of adversarial text', () => {
  it.each(ADVERSARIAL)('resolves a job from %s', { timeout: 45_000 }, (_name, query) => {
    const job = bounded(() => resolveJob(query, undefined));
    expect(job).toHaveProperty('minYears');
  });

  // Documents go through the same tokeniser as the query; the cases that reach different code there.
  const DOCUMENT_CASES = ADVERSARIAL.filter(([name]) => ['letters without a break', 'a digit then spaces', '"5 years of" then words', 'dots', 'mixed'].includes(name));
  it.each(DOCUMENT_CASES)('scores documents made of %s', { timeout: 45_000 }, (_name, text) => {
    const out = bounded(() => scoreDocuments({ query: 'Senior backend engineer, 5+ years', documents: [{ text }, { title: text, skills: [text] }] }));
    expect(out.results).toHaveLength(2);
  });

  // A digit followed by spaces made `\s*\+?\s*` try every split of the spaces between its two halves:
  // seconds for the 20,000 characters a query may have, about a minute for 100,000. The timeout is
  // tight because the fixed pattern needs a millisecond.
  it('reads the years of a query of 100,000 spaces after a digit', { timeout: 5_000 }, () => {
    const job = bounded(() => resolveJob(`1${' '.repeat(100_000)}x`, undefined), 4_000);
    expect(job.minYears).toBeNull();
    expect(resolveJob('5 + years of backend experience', undefined).minYears).toBe(5);
    expect(resolveJob('5+ anos de experiência', undefined).minYears).toBe(5);
  });
});
