import { bounded } from '@hh/testkit';
import { describe, expect, it } from 'vitest';
import { detectLanguage, fold, hasForbiddenChars, tokenize, contentTokens } from './index.js';

describe('text', () => {
  it('folds accents and case', () => {
    expect(fold('Desenvolvedora Sênior de Produção')).toBe('desenvolvedora senior de producao');
  });
  it('keeps tech tokens together and splits hyphens', () => {
    expect(tokenize('C++, C# and Node.js back-end')).toEqual(['c++', 'c#', 'and', 'node.js', 'back', 'end']);
  });
  it('drops stop words in both languages', () => {
    expect(contentTokens('Engenheiro de dados com experiência em Python')).toEqual(['engenheiro', 'dados', 'experiencia', 'python']);
  });
  it('guesses the language', () => {
    expect(detectLanguage('Desenvolvedora backend com experiência em Node.js e PostgreSQL')).toBe('pt');
    expect(detectLanguage('Registered nurse with 5 years of experience in the ICU')).toBe('en');
    expect(detectLanguage('', 'pt')).toBe('pt');
  });
  it('flags NUL and control characters', () => {
    expect(hasForbiddenChars('ok\ttext\n')).toBe(false);
    expect(hasForbiddenChars('bad\u0000')).toBe(true);
    expect(hasForbiddenChars('lone \ud800 surrogate')).toBe(true);
  });
});

describe('text on 1 MB of adversarial input', () => {
  const MB = 1 << 20;
  it.each([
    ['letters without a break', 'a'.repeat(MB)],
    ['a token that ends in dots', `a${'.'.repeat(MB)}`],
    ['letter-dot pairs', 'a.'.repeat(MB / 2)],
    ['plus and hash', 'c+#'.repeat(MB / 3)],
    ['hyphens', 'a-'.repeat(MB / 2)],
    ['combining accents', 'e\u0301'.repeat(MB / 2)],
    ['Portuguese letters', 'ção '.repeat(MB / 4)],
    ['digits and spaces', '1 '.repeat(MB / 2)],
  ])('%s', { timeout: 45_000 }, (_name, text) => {
    const tokens = bounded(() => {
      fold(text);
      contentTokens(text);
      detectLanguage(text);
      hasForbiddenChars(text);
      return tokenize(text);
    });
    expect(tokens.length).toBeGreaterThan(0);
  });
});
