/**
 * Text utilities shared by the fleet: accent folding, tokenisation, stop words and a small
 * English / Brazilian-Portuguese language guess. Pure functions, no I/O.
 */

export type Language = 'en' | 'pt';

/** Lower-case and strip diacritics: "Desenvolvedora Sênior" → "desenvolvedora senior". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Remove characters Postgres and JSON consumers choke on (NUL, lone surrogates, C0 controls but \t\n\r). */
export function hasForbiddenChars(text: string): boolean {
  return /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text) || !text.isWellFormed();
}

const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}+#.]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu;

/**
 * Folded word tokens. Keeps tech spellings ("c++", "c#", "node.js") together and splits
 * hyphenated words ("back-end" → "back", "end") like Postgres' parser does.
 */
export function tokenize(text: string): string[] {
  return fold(text).match(TOKEN) ?? [];
}

export const STOPWORDS_EN = new Set(
  'a an and are as at be by for from has have he i in is it its of on or our that the their they this to was we were will with you your who what when where which while within would should can could must may not no yes do does did been being am us them than then there these those into over under about above after before also any all each other such only own same so too very just more most some both few per via etc'.split(' '),
);
export const STOPWORDS_PT = new Set(
  'a o as os um uma uns umas de do da dos das em no na nos nas por pelo pela pelos pelas para com sem sob sobre e ou mas que se ao aos à às é ser são foi era como mais menos muito muita muitos muitas seu sua seus suas nosso nossa nossos nossas este esta estes estas esse essa esses essas isso isto aquele aquela entre ate até ja já nao não sim tambem também ter tem temos vai vamos voce você voces vocês eles elas ele ela nós nos lhe lhes meu minha teu tua qual quais quando onde quem cujo cuja'.split(' ').map(fold),
);

export function isStopword(token: string): boolean {
  return STOPWORDS_EN.has(token) || STOPWORDS_PT.has(token);
}

/** Content tokens: folded, stop words removed. */
export function contentTokens(text: string): string[] {
  return tokenize(text).filter((t) => !isStopword(t));
}

// Function words that only one of the two languages uses often.
const PT_HINTS = new Set(['de', 'do', 'da', 'dos', 'das', 'em', 'no', 'na', 'para', 'com', 'que', 'uma', 'um', 'os', 'as', 'e', 'nao', 'experiencia', 'desenvolvedor', 'desenvolvedora', 'analista', 'engenheiro', 'engenheira', 'vaga', 'anos', 'conhecimento', 'gerente', 'tecnico', 'enfermeiro', 'enfermeira', 'ensino', 'superior', 'empresa', 'requisitos', 'atividades', 'auxiliar', 'assistente', 'vendas', 'projetos', 'dados', 'sistemas']);
const EN_HINTS = new Set(['the', 'of', 'and', 'to', 'in', 'for', 'with', 'is', 'are', 'a', 'an', 'on', 'experience', 'developer', 'engineer', 'manager', 'years', 'skills', 'team', 'work', 'requirements', 'responsibilities', 'nurse', 'senior', 'junior', 'software', 'sales', 'data', 'systems', 'degree']);

/**
 * Guess English vs Portuguese from function words and accents. Ties go to `fallback`.
 * Good enough to pick a Postgres text-search configuration; not a general detector.
 */
export function detectLanguage(text: string, fallback: Language = 'en'): Language {
  let pt = 0;
  let en = 0;
  // Portuguese-only letters are strong evidence.
  const accents = text.match(/[ãõçâêôáéíóúà]/giu);
  if (accents) pt += Math.min(accents.length, 5) * 0.5;
  for (const t of tokenize(text)) {
    if (PT_HINTS.has(t)) pt += 1;
    if (EN_HINTS.has(t)) en += 1;
  }
  if (pt === en) return fallback;
  return pt > en ? 'pt' : 'en';
}

/** Postgres text-search configuration for a language. */
export const tsConfig = (lang: Language): 'english' | 'portuguese' => (lang === 'pt' ? 'portuguese' : 'english');

/** Stable 64-bit FNV-1a hash of a string, as a bigint (for feature hashing and content hashes). */
export function fnv1a64(text: string, seed = 0n): bigint {
  let h = 0xcbf29ce484222325n ^ seed;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = BigInt.asUintN(64, h * prime);
  }
  return h;
}

/** Fast 32-bit FNV-1a (Math.imul) for hot paths. */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
