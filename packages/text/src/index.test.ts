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
