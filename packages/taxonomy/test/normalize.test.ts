import { describe, expect, it } from 'vitest';
import { extractTitleCandidates, leadingPhrase, LEAD_WEIGHT, normalizeAlias, stripModifiers, titleVariants } from '../src/normalize.js';

describe('normalizeAlias', () => {
  it('folds accents and case, collapses whitespace and drops punctuation', () => {
    expect(normalizeAlias('  Desenvolvedora   Sênior  ')).toBe('desenvolvedora senior');
    expect(normalizeAlias('Registered Nurse (RN)')).toBe('registered nurse rn');
    expect(normalizeAlias('Back-End Web Developer')).toBe('back end web developer');
    expect(normalizeAlias('Técnico de enfermagem / UTI')).toBe('tecnico de enfermagem uti');
  });

  it('keeps + # . inside tech names but not as stray punctuation', () => {
    expect(normalizeAlias('C++ Developer')).toBe('c++ developer');
    expect(normalizeAlias('C# / .NET Engineer')).toBe('c# .net engineer');
    expect(normalizeAlias('Node.js developer.')).toBe('node.js developer');
    expect(normalizeAlias('Sr. Accountant + Tax')).toBe('sr accountant tax');
    expect(normalizeAlias('# 1 Sales Rep')).toBe('1 sales rep');
    // Of a run of dots, only the last one before a letter or digit stays.
    expect(normalizeAlias('node..js ...net etc... v1.2..')).toBe('node.js .net etc v1.2');
  });
});

describe('titleVariants', () => {
  it('adds Portuguese masculine forms, English singular/plural and joined compounds', () => {
    expect(titleVariants('enfermeira')).toContain('enfermeiro');
    expect(titleVariants('desenvolvedora back end')).toEqual(expect.arrayContaining(['desenvolvedor back end', 'desenvolvedora backend']));
    expect(titleVariants('registered nurses')).toContain('registered nurse');
    expect(titleVariants('registered nurse')).toContain('registered nurses');
    expect(titleVariants('analista de dados')[0]).toBe('analista de dados');
  });
});

describe('stripModifiers', () => {
  it('drops seniority words unless nothing else is left', () => {
    expect(stripModifiers('senior backend engineer')).toBe('backend engineer');
    expect(stripModifiers('analista de sistemas pleno')).toBe('analista de sistemas');
    expect(stripModifiers('senior')).toBe('senior');
  });
});

describe('extractTitleCandidates', () => {
  it('treats a short input as the title, with its head before a separator', () => {
    const c = extractTitleCandidates('Backend Engineer - Remote (LATAM)').map((x) => x.text);
    expect(c).toContain('backend engineer');
  });

  it('finds the title of a job description from its first line and hiring cues', () => {
    const jd = `About us: Acme Health runs 12 hospitals across Ohio and is growing fast.
We are hiring a Registered Nurse to join our cardiac ICU. You will assess patients, administer medications and
coordinate care with physicians. Requirements: BSN, active license, 2+ years of acute care experience.`;
    const c = extractTitleCandidates(jd);
    const cue = c.find((x) => x.text === 'registered nurse');
    expect(cue?.weight).toBeGreaterThanOrEqual(0.9);
  });

  it('understands Portuguese cues', () => {
    const jd = 'Estamos contratando: Analista de Recursos Humanos para atuar no time de pessoas. Requisitos: experiência com recrutamento.';
    expect(extractTitleCandidates(jd).map((x) => x.text)).toContain('analista de recursos humanos');
    const jd2 = 'Oportunidade em São Paulo. Vaga para Desenvolvedora Back-end Pleno com experiência em Node.js e PostgreSQL em time de produto.';
    expect(extractTitleCandidates(jd2).map((x) => x.text)).toContain('desenvolvedora back end');
  });
});

describe('modifier words that belong to the title', () => {
  it('keeps "full stack" and offers the unstripped title as well', () => {
    expect(stripModifiers('full stack developer full time')).toBe('full stack developer');
    const c = extractTitleCandidates('School Principal').map((x) => x.text);
    expect(c).toEqual(expect.arrayContaining(['school principal', 'school']));
  });
});

describe('leadingPhrase', () => {
  it('takes the words before the first connective of a title line', () => {
    expect(leadingPhrase('enfermeira para uti com experiencia em cuidados intensivos')).toBe('enfermeira');
    expect(leadingPhrase('backend engineer with node.js and postgresql')).toBe('backend engineer');
    expect(leadingPhrase('analista de dados para o time de marketing')).toBe('analista de dados');
  });

  it('gives up on coordination, a leading connective, no connective, or one short word', () => {
    expect(leadingPhrase('sales and marketing manager for emea')).toBe('');
    expect(leadingPhrase('gerente de vendas e marketing')).toBe('');
    expect(leadingPhrase('for our team')).toBe('');
    expect(leadingPhrase('registered nurse')).toBe('');
    expect(leadingPhrase('ux with figma')).toBe('');
    expect(leadingPhrase('analista de para')).toBe('');
  });

  it('is a title candidate of short and long texts at LEAD_WEIGHT', () => {
    const short = extractTitleCandidates('Enfermeira para UTI com experiência em cuidados intensivos');
    expect(short.find((c) => c.text === 'enfermeira')?.weight).toBe(LEAD_WEIGHT);
    const long = extractTitleCandidates('Senior backend engineer with Node.js and PostgreSQL\nYou will own our billing APIs. We run TypeScript services.');
    expect(long.find((c) => c.text === 'backend engineer')?.weight).toBe(LEAD_WEIGHT);
  });
});
