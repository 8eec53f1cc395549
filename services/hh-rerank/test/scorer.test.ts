import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize } from '@hh/text';
import { describe, expect, it } from 'vitest';
import { bm25, guessTitle, resolveJob, scoreDocuments, type RerankDocument } from '../src/index.js';
import { Vocab } from '../src/scorer/vocab.js';

/** The interning scanner's tokens, as words. */
const fastTokenize = (text: string): string[] => {
  const v = new Vocab();
  return Array.from(v.internText(text), (id) => v.words[id]!);
};

const RN_JD =
  'Registered Nurse - ICU. We are looking for a registered nurse with 3+ years of experience in critical care. ' +
  'Requirements: active RN license, BLS and ACLS certification, patient care, medication administration, electronic health records.';

const nurseDocs = [
  'REGISTERED NURSE\nICU registered nurse with 6 years of experience in critical care. Patient assessment, medication administration, BLS, ACLS, Epic EHR.',
  'STAFF NURSE\nProvided patient care on a medical-surgical floor; administered medications; BLS certified; charted in electronic medical records.',
  'Enfermeira Assistencial\nEnfermeira com 5 anos de experiência em UTI, administração de medicamentos, suporte básico de vida e cuidado ao paciente.',
];
const accountantDocs = [
  'STAFF ACCOUNTANT\nAccountant with 8 years of experience: general ledger, account reconciliations, accounts payable, month-end close, GAAP.',
  'SENIOR ACCOUNTANT\nFinancial reporting, tax compliance, audit support, Excel and QuickBooks. Managed payroll for 200 employees.',
  'Contadora\nContadora com 10 anos de experiência em contabilidade, conciliação bancária, contas a pagar e demonstrações financeiras.',
];

const order = (out: ReturnType<typeof scoreDocuments>) => out.results.map((r) => r.index);

describe('ranking quality on known data', () => {
  it('a registered-nurse job description ranks every nurse document above every accountant document', () => {
    // Interleave so input order cannot produce the expected ranking by accident.
    const docs = [accountantDocs[0]!, nurseDocs[0]!, accountantDocs[1]!, nurseDocs[1]!, accountantDocs[2]!, nurseDocs[2]!];
    const out = scoreDocuments({ query: RN_JD, documents: docs });
    const nurses = new Set([1, 3, 5]);
    const ranked = order(out);
    expect(ranked.slice(0, 3).every((i) => nurses.has(i))).toBe(true);
    expect(ranked.slice(3).every((i) => !nurses.has(i))).toBe(true);
    const worstNurse = Math.min(...out.results.filter((r) => nurses.has(r.index)).map((r) => r.relevance_score));
    const bestAccountant = Math.max(...out.results.filter((r) => !nurses.has(r.index)).map((r) => r.relevance_score));
    expect(worstNurse).toBeGreaterThan(bestAccountant + 0.1);
  });

  it('the same holds for a Portuguese job description and structured documents', () => {
    const docs: RerankDocument[] = [
      { id: 'acc', title: 'Contador Sênior', skills: ['Contabilidade', 'Conciliação bancária', 'IFRS'], yearsExperience: 9, language: 'pt' },
      { id: 'rn', title: 'Enfermeira', skills: ['Enfermagem', 'UTI', 'Suporte Básico de Vida'], yearsExperience: 4, language: 'pt' },
      { id: 'rn2', title: 'Registered Nurse', skills: ['Nursing', 'ICU', 'BLS'], yearsExperience: 2 },
    ];
    const out = scoreDocuments({ query: 'Vaga: Enfermeira para UTI. Requisitos: COREN ativo, suporte básico de vida, 3 anos de experiência', documents: docs });
    expect(out.results.map((r) => r.id)).toEqual(['rn', 'rn2', 'acc']);
  });

  it('an accounting job flips the order', () => {
    const docs = [...nurseDocs, ...accountantDocs];
    const out = scoreDocuments({ query: 'Staff Accountant: general ledger, reconciliations, accounts payable, GAAP, 5+ years', documents: docs });
    expect(order(out).slice(0, 3).sort()).toEqual([3, 4, 5]);
  });
});

describe('skills: synonyms, accents and reasons', () => {
  it('matches synonyms case- and accent-insensitively, in skills lists and in text', () => {
    const out = scoreDocuments({
      query: 'backend',
      job: { skills: ['JavaScript', 'Node.js', 'PostgreSQL', 'Kubernetes', 'Machine Learning', 'Contabilidade'] },
      documents: [
        { skills: ['JS', 'nodejs', 'Postgres', 'K8S'], text: 'Experiência com aprendizado de máquina e CONTABILIDADE.' },
        { skills: ['java'], text: 'Nothing relevant here.' },
      ],
    });
    const [best, other] = out.results;
    expect(best!.index).toBe(0);
    expect(best!.components.skills).toBe(1);
    expect(best!.reasons[0]).toBe('Matches 6 of 6 required skills: JavaScript, Node.js, PostgreSQL, Kubernetes, Machine Learning, …');
    expect(other!.components.skills).toBe(0);
  });

  it('Portuguese accents and case never matter (Enfermagem = ENFERMAGEM = enfermagem; "São Paulo" = "Sao Paulo")', () => {
    const out = scoreDocuments({
      query: 'enfermeira',
      job: { skills: ['Enfermagem', 'Administração de medicamentos'], cities: ['São Paulo'] },
      documents: [{ skills: ['ENFERMAGEM'], text: 'administracao de medicamentos', location: { city: 'Sao Paulo', country: 'BR' } }],
    });
    expect(out.results[0]!.components.skills).toBe(1);
    expect(out.results[0]!.components.location).toBe(1);
    expect(out.results[0]!.reasons).toContain('Located in Sao Paulo, BR');
  });

  it('reasons name matched and missing skills', () => {
    const out = scoreDocuments({
      query: 'Backend developer',
      job: { skills: ['Node.js', 'PostgreSQL', 'Docker', 'AWS', 'Kubernetes'], niceToHave: ['GraphQL', 'Redis'] },
      documents: [{ title: 'Senior Backend Developer', skills: ['node', 'postgresql', 'docker', 'amazon web services', 'redis'] }],
    });
    const r = out.results[0]!;
    expect(r.reasons[0]).toBe('Matches 4 of 5 required skills: Node.js, PostgreSQL, Docker, AWS; missing: Kubernetes');
    expect(r.reasons[1]).toBe('Has 1 of 2 nice-to-have skills: Redis');
    expect(r.components.skills).toBeCloseTo(0.85 * 0.8 + 0.15 * 0.5, 6);
  });

  it('ambiguous aliases count only in skills lists ("go to market" is not Go)', () => {
    const out = scoreDocuments({
      query: 'engineer',
      job: { skills: ['Go'] },
      documents: [{ text: 'Built our go to market plan.' }, { skills: ['Go'] }, { text: 'Services written in Golang.' }],
    });
    const byIndex = new Map(out.results.map((r) => [r.index, r.components.skills]));
    expect(byIndex.get(0)).toBe(0);
    expect(byIndex.get(1)).toBe(1);
    expect(byIndex.get(2)).toBe(1);
  });

  it('a skill the table does not know still matches its own spelling', () => {
    const out = scoreDocuments({ query: 'lab', job: { skills: ['Epic Beaker'] }, documents: [{ text: 'Configured EPIC Beaker workflows' }, { text: 'Beaker only' }] });
    expect(out.results[0]!.index).toBe(0);
    expect(out.results[0]!.components.skills).toBe(1);
    expect(out.results[1]!.components.skills).toBe(0);
  });
});

describe('deriving the job from the query', () => {
  it('finds skills, years, seniority, title and location in English', () => {
    const job = resolveJob('Senior Backend Engineer with Node.js, PostgreSQL and Kubernetes, 5+ years, São Paulo. Nice to have: Kafka', undefined);
    expect(job).toMatchObject({ title: 'Backend Engineer', skills: ['Node.js', 'PostgreSQL', 'Kubernetes'], niceToHave: ['Kafka'], minYears: 5, maxYears: null, seniority: 'senior', cities: ['São Paulo'] });
    expect(job.derived).toEqual(expect.arrayContaining(['skills', 'niceToHave', 'title', 'years', 'seniority', 'location']));
  });

  it('finds them in Portuguese ("anos", "pleno", "remoto", "Desejável")', () => {
    const job = resolveJob('Desenvolvedor Backend Pleno com Node e Postgres, 3 a 5 anos de experiência, remoto.\nDesejável: Docker', undefined);
    expect(job).toMatchObject({ title: 'Desenvolvedor Backend', skills: ['Node.js', 'PostgreSQL'], niceToHave: ['Docker'], minYears: 3, maxYears: 5, seniority: 'mid', remote: true });
  });

  it('a bare "3 anos" or "4 years" in a job text is a minimum', () => {
    expect(resolveJob('Enfermeira UTI, 3 anos', undefined)).toMatchObject({ minYears: 3, maxYears: null });
    expect(resolveJob('Accountant (4 years)', undefined)).toMatchObject({ minYears: 4, maxYears: null });
    expect(resolveJob('Accountant, up to 4 years', undefined)).toMatchObject({ minYears: null, maxYears: 4 });
  });

  it('fields given in job win over the query', () => {
    const job = resolveJob('Senior Nurse, 10+ years', { title: 'Accountant', minYears: 2, seniority: 'junior', skills: [] });
    expect(job).toMatchObject({ title: 'Accountant', minYears: 2, maxYears: null, seniority: 'junior', skills: [] });
    expect(job.derived).not.toContain('title');
  });

  it('title guesses stop at clause words and drop seniority', () => {
    expect(guessTitle('We are hiring a Senior Data Engineer to build pipelines')).toBe('Data Engineer');
    expect(guessTitle('Vaga: Analista de Dados Sênior')).toBe('Analista de Dados');
    expect(guessTitle('Python, SQL and dashboards')).toBeNull();
    expect(guessTitle('enfermeira uti são paulo')).toBe('enfermeira uti');
  });
});

describe('components and the combined score', () => {
  it('experience: years within range, too few and not stated; seniority distance', () => {
    const out = scoreDocuments({
      query: 'x',
      job: { minYears: 5, seniority: 'senior' },
      documents: [
        { yearsExperience: 8, seniority: 'senior' },
        { yearsExperience: 2.5, seniority: 'junior' },
        {},
      ],
    });
    const byIndex = new Map(out.results.map((r) => [r.index, r]));
    expect(byIndex.get(0)!.components.experience).toBe(1);
    expect(byIndex.get(0)!.reasons).toContain('8 years of experience (asks 5+)');
    expect(byIndex.get(1)!.components.experience).toBeCloseTo((0.5 + 0.25) / 2, 6);
    expect(byIndex.get(1)!.reasons).toContain('2.5 years of experience (asks 5+)');
    expect(byIndex.get(2)!.components.experience).toBe(0.5);
    expect(byIndex.get(2)!.reasons).toContain('Years of experience not stated (asks 5+)');
  });

  it('title: role and field match, partial and miss', () => {
    const out = scoreDocuments({
      query: 'x',
      job: { title: 'Backend Engineer' },
      documents: [{ title: 'Senior Back-end Developer' }, { title: 'Frontend Developer' }, { title: 'Accountant' }],
    });
    const byIndex = new Map(out.results.map((r) => [r.index, r]));
    expect(byIndex.get(0)!.components.title).toBe(1);
    expect(byIndex.get(0)!.reasons).toContain("Title 'Backend Engineer' matches 'Senior Back-end Developer'");
    expect(byIndex.get(1)!.components.title).toBe(0.5);
    expect(byIndex.get(2)!.components.title).toBe(0);
  });

  it('scores stay in [0,1], components not asked for are null, and weights are shared out', () => {
    const out = scoreDocuments({ query: 'nurse icu', documents: ['icu nurse', 'nothing', ''] });
    for (const r of out.results) {
      expect(r.relevance_score).toBeGreaterThanOrEqual(0);
      expect(r.relevance_score).toBeLessThanOrEqual(1);
      expect(r.components.location).toBeNull();
      expect(r.components.experience).toBeNull();
    }
    const sum = Object.values(out.weights).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);
    expect(out.weights.location).toBe(0);
    expect(out.results[0]!.index).toBe(0);
  });

  it('a query of only stop words and empty documents still answers, with every component null', () => {
    const out = scoreDocuments({ query: 'the and of', documents: ['', 'x'] });
    expect(out.results.map((r) => r.relevance_score)).toEqual([0, 0]);
    expect(out.results.map((r) => r.index)).toEqual([0, 1]);
    expect(Object.values(out.results[0]!.components).every((c) => c === null)).toBe(true);
    expect(Object.values(out.weights).every((w) => w === 0)).toBe(true);
  });

  it('BM25 matches a hand computation (k1=1.2, b=0.75, Lucene idf)', () => {
    // Two documents: "nurse icu" and "icu ledger" (+ a stop word, which neither counts nor lengthens);
    // query "nurse". df(nurse)=1, N=2, avgdl=2.
    const { scores, matchedTerms } = bm25(['the', 'nurse'], [['nurse', 'the', 'icu'], ['icu', 'ledger']]);
    expect([...matchedTerms]).toEqual([1, 0]);
    const idf = Math.log(1 + (2 - 1 + 0.5) / (1 + 0.5));
    const tfPart = (1 * 2.2) / (1 + 1.2 * (1 - 0.75 + 0.75 * (2 / 2)));
    const qPart = (2.2 * 1) / (1.2 + 1);
    expect(scores[0]).toBeCloseTo(idf * qPart * tfPart, 12);
    expect(scores[1]).toBe(0);
  });
});

describe('top_n and determinism', () => {
  const docs = [...nurseDocs, ...accountantDocs];

  it('truncates to topN, keeping the best', () => {
    const all = scoreDocuments({ query: RN_JD, documents: docs });
    const top2 = scoreDocuments({ query: RN_JD, documents: docs, topN: 2 });
    expect(top2.results).toHaveLength(2);
    expect(top2.results).toEqual(all.results.slice(0, 2));
  });

  it('gives identical output for identical input, and each document the same score in any order', () => {
    const a = scoreDocuments({ query: RN_JD, documents: docs });
    const b = scoreDocuments({ query: RN_JD, documents: docs });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const reversed = scoreDocuments({ query: RN_JD, documents: [...docs].reverse() });
    for (const r of a.results) {
      const twin = reversed.results.find((x) => x.index === docs.length - 1 - r.index)!;
      expect(twin.relevance_score).toBe(r.relevance_score);
      expect(twin.reasons).toEqual(r.reasons);
    }
  });

  it('breaks ties by input order', () => {
    const out = scoreDocuments({ query: 'nurse', documents: ['nurse', 'nurse', 'nurse'] });
    expect(order(out)).toEqual([0, 1, 2]);
  });
});

describe('Vocab.internText (the hot-path tokenizer)', () => {
  it('equals @hh/text tokenize on tricky text', () => {
    const samples = [
      'C++ c#. node.js... .NET a..b x+. Ñandú São-Paulo 𝔘nicode 😀 ß İstanbul ﬁ ½ ²',
      '\u0303abc a.\u0303 Ω Å ΅x AÇÃO Técnico(a) de Enfermagem — 5+ anos; e-mail: x@y.com',
      'ＦＵＬＬＷＩＤＴＨ 東京 Ελληνικά кириллица 123.456.789 v2.0.1 TCP/IP',
      '',
    ];
    for (const s of samples) expect(fastTokenize(s)).toEqual(tokenize(s));
  });

  // Development data kept beside the checkout, not in it: without it this test is skipped, and says so.
  const corpus = join(import.meta.dirname, '../../../../shared/data/corpus/livecareer-resumes/livecareer_resumes.csv');
  const noCorpus = existsSync(corpus) ? undefined : `the résumé corpus (dev data beside the checkout) is not at ${corpus}`;
  const title = 'equals @hh/text tokenize on the résumé corpus';
  if (noCorpus) console.warn(`[tests] skipped "${title}": ${noCorpus}`);
  it.skipIf(noCorpus)(noCorpus ? `${title} [skipped: ${noCorpus}]` : title, () => {
    const text = readFileSync(corpus, 'utf8').slice(0, 3_000_000);
    for (let i = 0; i < text.length; i += 4_000) {
      const chunk = text.slice(i, i + 4_000);
      expect(fastTokenize(chunk)).toEqual(tokenize(chunk));
    }
  });
});
