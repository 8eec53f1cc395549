/**
 * withJoinedCompounds: the same output as the straightforward regex on ordinary text, and linear time
 * on adversarial text (it runs on every profile field at write time, inside the request).
 */
import fc from 'fast-check';
import { bounded } from '@hh/testkit';
import { describe, expect, it } from 'vitest';
import { deriveCandidate, withJoinedCompounds } from '../src/candidates/derive.js';

/**
 * The straightforward definition the function must keep matching: every chain of letter runs joined
 * by single hyphens, appended without its hyphens. Used only as an oracle on short inputs here.
 */
function reference(text: string): string {
  // eslint-disable-next-line regexp/no-super-linear-move -- test oracle, fed only strings of at most 24 characters
  const joined = text.match(/\p{L}+(?:-\p{L}+)+/gu);
  return joined ? `${text} ${joined.map((w) => w.replace(/-/g, '')).join(' ')}` : text;
}

describe('withJoinedCompounds', () => {
  it.each([
    ['back-end developer', 'back-end developer backend'],
    ['e-mail marketing', 'e-mail marketing email'],
    ['state-of-the-art tooling', 'state-of-the-art tooling stateoftheart'],
    ['Desenvolvedora Back-End Sênior', 'Desenvolvedora Back-End Sênior BackEnd'],
    ['pré-sal e guarda-chuva', 'pré-sal e guarda-chuva présal guardachuva'],
    ['front-end and back-end', 'front-end and back-end frontend backend'],
    ['no compounds here', 'no compounds here'],
    ['covid-19 and 3-5 years', 'covid-19 and 3-5 years'],
    ['x-ray 24-7 a1-b2', 'x-ray 24-7 a1-b2 xray'],
    ['a--b -c- d-', 'a--b -c- d-'],
    ['--full-stack--', '--full-stack-- fullstack'],
    ['co-op\nre-entry', 'co-op\nre-entry coop reentry'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(withJoinedCompounds(input)).toBe(expected);
    expect(withJoinedCompounds(input)).toBe(reference(input));
  });

  it('matches the regex definition on random text of letters, accents, digits, hyphens and marks', () => {
    const alphabet = ['a', 'Z', 'é', 'ß', '日', '𝐀', '-', '-', ' ', '\n', '1', '_', '.', '\u0301', '–'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }), (chars) => {
        const text = chars.join('');
        expect(withJoinedCompounds(text)).toBe(reference(text));
      }),
      { numRuns: 5_000, seed: 0x6a01 },
    );
  });

  // 100,000 letters and no hyphen: the old pattern rescanned the word from each of its letters
  // (about a minute here); the timeout is tight because the linear scan takes a millisecond.
  it('is linear on a 100 KB word without a hyphen', { timeout: 5_000 }, () => {
    const text = 'a'.repeat(100_000);
    expect(bounded(() => withJoinedCompounds(text), 4_000)).toBe(text);
  });

  it.each([
    ['letters without a hyphen', 'a'.repeat(1 << 20)],
    ['accented letters without a hyphen', 'é'.repeat(1 << 20)],
    ['astral letters', '𝐀'.repeat(1 << 19)],
    ['hyphens only', '-'.repeat(1 << 20)],
    ['one letter, one hyphen', 'a-'.repeat(1 << 19)],
    ['double hyphens', 'ab--'.repeat(1 << 18)],
    ['letters then a trailing hyphen', `${'a'.repeat(1 << 20)}-`],
    ['letters and digits', 'a1-'.repeat(349_525)],
    ['mixed text', 'back-end São-Paulo 3-5 anos e-mail --x- '.repeat(26_000)],
  ])('finishes on 1 MB of %s', { timeout: 45_000 }, (_name, text) => {
    const out = bounded(() => withJoinedCompounds(text), 40_000);
    expect(out.startsWith(text)).toBe(true);
  });

  it('derives a profile whose every field holds 1 MB of adversarial text', { timeout: 45_000 }, () => {
    const big = 'a'.repeat(1 << 20);
    const d = bounded(
      () =>
        deriveCandidate({
          title: big,
          headline: 'a-'.repeat(1 << 19),
          summary: big,
          skills: [big, '-'.repeat(1 << 20)],
          experience: [{ title: big, company: big, description: 'é'.repeat(1 << 20) }],
          location: { city: 'São-'.repeat(1 << 18) },
        }),
      40_000,
    );
    expect(d.embedText.length).toBe(8_000);
    expect(d.cityNorm).toMatch(/^sao( sao)*$/);
  });
});
