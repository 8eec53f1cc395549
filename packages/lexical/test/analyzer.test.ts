import { describe, expect, it } from 'vitest';
import { LexicalIndex, analyze, analyzeQuery, tokenize } from '../src/index.js';

const folded = (t: string) => tokenize(t).map((x) => x.folded);

describe('tokenize', () => {
  it('keeps technical tokens whole', () => {
    expect(folded('C++, C#, F# and .NET; Node.js, ASP.NET, CI/CD, TCP/IP, PL/SQL, vue.js')).toEqual(['c++', 'c#', 'f#', 'and', '.net', 'node.js', 'asp.net', 'ci/cd', 'tcp/ip', 'pl/sql', 'vue.js']);
  });
  it('splits sentences and alternatives written without spaces, and hyphenated words', () => {
    expect(folded('skills.Experience frontend/backend back-end')).toEqual(['skills', 'experience', 'frontend', 'backend', 'back', 'end']);
  });
  it('keeps the surface form as written', () => {
    expect(tokenize('Sênior Node.js').map((t) => t.surface)).toEqual(['Sênior', 'Node.js']);
  });
  it('does not glue a sentence-final period or a "#" heading to a word', () => {
    expect(folded('I know C. Then #hashtag')).toEqual(['i', 'know', 'c', 'then', 'hashtag']);
  });
});

describe('analyze', () => {
  it('folds accents before stemming, so accented and unaccented Portuguese agree', () => {
    expect(analyze('administração gestão análise', 'pt')).toEqual(analyze('administracao gestao analise', 'pt'));
    expect(analyze('Experiência', 'pt')).toEqual(analyze('experiencia', 'pt'));
  });
  it('stems English and Portuguese with Snowball', () => {
    expect(analyze('developers managing nursing', 'en')).toEqual(['develop', 'manag', 'nurs']);
    expect(analyze('desenvolvedores enfermeiras', 'pt')).toEqual(['desenvolvedor', 'enfermeir']);
    expect(analyze('desenvolvedor', 'pt')).toEqual(analyze('desenvolvedores', 'pt'));
  });
  it('drops stop words of the document language only', () => {
    expect(analyze('the head of sales', 'en')).toEqual(['head', 'sale']);
    expect(analyze('gerente de vendas com experiência', 'pt')).toEqual(['gerent', 'vend', 'experienc']);
    // "com" is a Portuguese stop word, not an English one.
    expect(analyze('com', 'en')).toEqual(['com']);
  });
  it('never stems technical tokens or tokens with digits', () => {
    expect(analyze('Node.js C++ log4j S3 .NET', 'en')).toEqual(['node.js', 'c++', 'log4j', 's3', '.net']);
  });
});

describe('analyzeQuery', () => {
  it('without a language, unions the English and Portuguese stems and drops either language’s stop words', () => {
    const q = analyzeQuery('enfermeiras para nursing com c#');
    expect(q.map((t) => t.surface)).toEqual(['enfermeiras', 'nursing', 'c#']);
    expect(q[0]!.variants).toContain('enfermeir');
    expect(q[1]!.variants).toContain('nurs');
    expect(q[2]!.variants).toEqual(['c#']);
  });
  it('with a language, uses that language only', () => {
    expect(analyzeQuery('developers', 'en')).toEqual([{ surface: 'developers', variants: ['develop'] }]);
  });
});

describe('search semantics end to end', () => {
  const idx = new LexicalIndex({ backgroundMerges: false });
  idx.upsert(1, { language: 'en', title: 'Senior C# Developer', headline: '.NET and ASP.NET Core', summary: 'CI/CD pipelines', skills: ['C#', 'ASP.NET'], experience: [{ title: 'Developer', description: 'Built services in C#' }] });
  idx.upsert(2, { language: 'en', title: 'C++ Developer', headline: 'Embedded C', summary: 'Real-time systems', skills: ['C++', 'C'], experience: [] });
  idx.upsert(3, { language: 'pt', title: 'Desenvolvedora .NET', headline: 'Sênior', summary: 'Experiência com C# e integração contínua', skills: ['C#', 'SQL Server'], experience: [{ title: 'Analista de Sistemas', description: 'Gestão de projetos' }] });
  idx.upsert(4, { language: 'en', title: 'Head of Sales', headline: 'B2B', summary: 'Sales manager for software', skills: ['Salesforce'], experience: [] });
  const ids = (text: string, mode: 'job' | 'query' = 'query', language?: 'en' | 'pt') => idx.search({ text, mode, language }, { k: 10 }).hits.map((h) => h.id);

  it('matches c# without matching c or c++', () => {
    expect(ids('c#').sort()).toEqual([1, 3]);
    expect(ids('c++')).toEqual([2]);
  });
  it('requires every word, honours OR, phrases and exclusions', () => {
    expect(ids('c# developer')).toEqual([1]);
    expect(ids('c# developer OR desenvolvedora').sort()).toEqual([1, 3]);
    expect(ids('"head sales"')).toEqual([4]);
    expect(ids('"sales head"')).toEqual([]);
    expect(ids('c# -sql')).toEqual([1]);
    expect(ids('c# -"sql server"')).toEqual([1]);
    expect(ids('c# -"server sql"').sort()).toEqual([1, 3]);
  });
  it('finds Portuguese documents from unaccented, unknown-language queries', () => {
    expect(ids('gestao projetos')).toEqual([3]);
    expect(ids('desenvolvedoras')).toEqual([3]);
  });
  it('a phrase does not span two skills', () => {
    expect(ids('"c# asp.net"')).toEqual([]);
  });
  it('explains matches per field with the words as typed', () => {
    const r = idx.search({ text: 'C# Developer', mode: 'query' }, { k: 1, explain: true });
    expect(r.hits[0]!.matched).toEqual([
      { field: 'title', terms: ['C#', 'Developer'] },
      { field: 'skills', terms: ['C#'] },
      { field: 'experienceTitle', terms: ['Developer'] },
      { field: 'experienceDescription', terms: ['C#'] },
    ]);
  });
  it('job descriptions keep their highest-weight terms', () => {
    const small = new LexicalIndex({ maxJobTerms: 2, backgroundMerges: false });
    for (let i = 1; i <= 20; i++) small.upsert(i, { language: 'en', title: i === 7 ? 'Kotlin engineer' : 'Software engineer', summary: 'software engineering', skills: [] });
    const r = small.search({ text: 'Software engineer, software, Kotlin, software', mode: 'job' }, { k: 3, explain: true });
    expect(r.stats.terms).toBe(2);
    expect(r.hits[0]!.id).toBe(7);
  });
  it('rejects bad ids and languages with clear errors', () => {
    expect(() => idx.upsert(0, { language: 'en', title: 'x' })).toThrow(/positive safe integers/);
    expect(() => idx.upsert(1.5, { language: 'en', title: 'x' })).toThrow(/positive safe integers/);
    expect(() => idx.upsert(9, { language: 'de' as 'en', title: 'x' })).toThrow(/language/);
  });
});

describe('hyphenated compounds', () => {
  it('are indexed as their parts and joined, so "backend" finds "Back-end"', () => {
    expect(analyze('Desenvolvedor Back-end', 'pt')).toEqual(['desenvolvedor', 'back', 'end', 'backend']);
    expect(analyze('full-stack e-commerce', 'en')).toEqual(['full', 'stack', 'fullstack', 'e', 'commerc', 'ecommerc']);
    // Not across other separators or technical tokens.
    expect(analyze('node.js - react', 'en')).toEqual(['node.js', 'react']);
  });
});
