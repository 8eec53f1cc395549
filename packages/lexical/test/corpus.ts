/** Random corpora and queries for the property tests (small vocabularies, so terms collide). */
import fc from 'fast-check';
import type { LexicalDocument } from '../src/index.js';

export const VOCAB_EN = ['software', 'engineer', 'developer', 'developers', 'nurse', 'nursing', 'data', 'python', 'java', 'c++', 'c#', 'node.js', '.net', 'ci/cd', 'react', 'sales', 'manager', 'managing', 'accounting', 'care', 'critical', 'backend', 'cloud', 'aws', 'sql', 'teacher', 'r', 'go'];
export const VOCAB_PT = ['desenvolvedor', 'desenvolvedora', 'enfermeira', 'enfermagem', 'análise', 'analise', 'dados', 'gestão', 'gestao', 'contábil', 'vendas', 'python', 'java', 'sql', 'uti', 'paciente', 'engenheiro', 'c++', 'node.js'];
export const STOP = ['the', 'and', 'de', 'com', 'of'];

const words = (vocab: string[], max: number) => fc.array(fc.constantFrom(...vocab, ...STOP), { minLength: 0, maxLength: max }).map((w) => w.join(' '));

export const docArb: fc.Arbitrary<LexicalDocument> = fc.constantFrom<'en' | 'pt'>('en', 'pt').chain((language) => {
  const v = language === 'en' ? VOCAB_EN : VOCAB_PT;
  return fc.record({
    language: fc.constant(language),
    title: words(v, 3),
    headline: words(v, 5),
    summary: words(v, 14),
    skills: fc.array(words(v, 2), { maxLength: 4 }),
    experience: fc.array(fc.record({ title: words(v, 3), description: words(v, 10) }), { maxLength: 3 }),
  });
});

// Small ids collide (updates); huge sparse ids check the id mapping.
export const idArb = fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 2 ** 40, max: 2 ** 40 + 5 }), fc.constant(Number.MAX_SAFE_INTEGER));

export type Op = { kind: 'upsert'; id: number; doc: LexicalDocument } | { kind: 'delete'; id: number } | { kind: 'flush' } | { kind: 'merge' } | { kind: 'optimize' };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('upsert' as const), id: idArb, doc: docArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: idArb }) },
  { weight: 1, arbitrary: fc.constantFrom<Op>({ kind: 'flush' }, { kind: 'merge' }, { kind: 'optimize' }) },
);

/** A typed query in structured form, rendered to text by `render`. */
export interface TypedQuery {
  clauses: string[][][]; // clause → operands (OR) → words (1 = word, >1 = phrase)
  exclusions: string[][];
}

const ALL = [...new Set([...VOCAB_EN, ...VOCAB_PT])];
const operand = fc.array(fc.constantFrom(...ALL), { minLength: 1, maxLength: 2 });
export const typedArb: fc.Arbitrary<TypedQuery> = fc.record({
  clauses: fc.array(fc.array(operand, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
  exclusions: fc.array(operand, { maxLength: 1 }),
});

export function render(q: TypedQuery): string {
  const op = (ws: string[]) => (ws.length === 1 ? ws[0]! : `"${ws.join(' ')}"`);
  return [...q.clauses.map((c) => c.map(op).join(' OR ')), ...q.exclusions.map((e) => `-${op(e)}`)].join(' ');
}

export const jobArb = fc.array(fc.constantFrom(...ALL, ...STOP, 'experience', 'years', 'team'), { minLength: 1, maxLength: 30 }).map((w) => w.join(' '));
