import { describe, expect, it } from 'vitest';
import { builtinModelId, cosine, createBuiltinEmbedder } from '../src/index.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

describe('built-in hashing model', () => {
  const e = createBuiltinEmbedder(768);

  it('is versioned by dimension count', () => {
    expect(e.modelId).toBe('hh-hash-768-v1');
    expect(e.dims).toBe(768);
    const small = createBuiltinEmbedder(256);
    expect(small.modelId).toBe('hh-hash-256-v1');
    expect(small.embedOne('engineer')).toHaveLength(256);
    expect(builtinModelId(1024)).toBe('hh-hash-1024-v1');
    expect(() => createBuiltinEmbedder(3)).toThrow(RangeError);
  });

  it('ranks related profiles (across EN/PT spelling) above unrelated ones', () => {
    const en = e.embedOne('senior backend engineer Node.js PostgreSQL');
    const pt = e.embedOne('desenvolvedor back-end sênior Node PostgreSQL');
    const nurse = e.embedOne('registered nurse ICU');
    expect(cosine(en, pt)).toBeGreaterThan(cosine(en, nurse) + 0.2);
    expect(cosine(en, pt)).toBeGreaterThan(cosine(pt, nurse) + 0.2);

    const fe = e.embedOne('frontend developer React TypeScript');
    expect(cosine(fe, e.embedOne('desenvolvedor front-end React TypeScript'))).toBeGreaterThan(cosine(fe, e.embedOne('registered nurse ICU, critical care')));
    const icu = e.embedOne('ICU nurse, critical care unit');
    expect(cosine(nurse, icu)).toBeGreaterThan(cosine(nurse, en));
  });

  it('gives identical vectors for identical input, across instances', () => {
    const text = 'Engenheira de dados — Spark, Airflow, dbt; 6 anos de experiência.';
    const a = e.embedOne(text);
    const b = createBuiltinEmbedder(768).embedOne(text);
    expect(Array.from(a)).toEqual(Array.from(b));
    // Repeated calls reuse scratch buffers: no state may leak from the previous text.
    e.embedOne('something else entirely');
    expect(Array.from(e.embedOne(text))).toEqual(Array.from(a));
  });

  it('folds accents and case', () => {
    expect(Array.from(e.embedOne('Desenvolvedora SÊNIOR'))).toEqual(Array.from(e.embedOne('desenvolvedora senior')));
  });

  it('returns unit vectors, so cosine equals the dot product', () => {
    const texts = ['a', 'the of and', '!!!', '—', '2019 2020 2021', 'c++ c# go r', 'x'.repeat(5000), 'Node.js '.repeat(400)];
    const vs = e.embed(texts);
    expect(vs).toHaveLength(texts.length);
    for (const v of vs) {
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const [a, b] = [e.embedOne('data engineer spark'), e.embedOne('spark data platform engineer')];
    expect(dot(a, b)).toBeCloseTo(cosine(a, b), 6);
  });

  it('embed(texts) equals embedOne per text', () => {
    const texts = ['first profile', 'segundo perfil', 'third'];
    const batch = e.embed(texts);
    texts.forEach((t, i) => expect(Array.from(batch[i]!)).toEqual(Array.from(e.embedOne(t))));
  });

  it('down-weights repeats sublinearly', () => {
    // With linear tf, 10× "java" would swamp "python"; with 1+ln(tf) python keeps a real share.
    const spam = e.embedOne(`${'java '.repeat(10)}python`);
    expect(cosine(spam, e.embedOne('python'))).toBeGreaterThan(0.25);
  });

  it('keeps the v1 definition stable (changing the algorithm requires a new model id)', () => {
    // Vectors stored by earlier builds must keep matching new query vectors under the same id.
    // If this fails after an intentional change, bump BUILTIN_MODEL_VERSION instead of the numbers.
    const checksum = (v: Float32Array) => v.reduce((s, x, i) => s + (i + 1) * x, 0);
    const v1 = e.embedOne('Senior backend engineer (Node.js, PostgreSQL), 8 years at Acme; mentoring and code review.');
    expect(checksum(v1)).toBeCloseTo(403.235537, 4);
    expect(v1.filter((x) => x !== 0)).toHaveLength(168);
    const v2 = e.embedOne('Enfermeira de UTI com experiência em cuidados intensivos');
    expect(checksum(v2)).toBeCloseTo(-659.329045, 4);
  });

  it('counts word tokens for usage', () => {
    expect(e.countTokens('Senior Node.js engineer, São Paulo')).toBe(5);
  });
});
