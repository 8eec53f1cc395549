/**
 * Text analysis for indexing and querying: tokenisation that keeps technical tokens whole
 * (c++, c#, f#, .net, node.js, asp.net, ci/cd, tcp/ip), accent folding, per-language stop words
 * and Snowball stemming (English, Portuguese) from @orama/stemmers.
 *
 * Folding happens before stemming, so "administração" and "administracao" (users often omit
 * accents) stem alike. Tokens with digits or symbols are never stemmed.
 */
import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemPortuguese } from '@orama/stemmers/portuguese';
import type { Language } from './fields.js';

export type { Language } from './fields.js';

export interface Token {
  /** The text as written (e.g. "Node.js", "Enfermeira"). */
  surface: string;
  /** Lower-cased, accent-folded form before stemming. */
  folded: string;
}

/** Lower-case and strip diacritics: "Desenvolvedora Sênior" → "desenvolvedora senior". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

// A leading-dot word (".net"), or a word followed by dotted/slashed parts ("node.js", "ci/cd",
// "asp.net", "3.5") and an optional "++" or "#" ("c++", "c#", "f#"). Letters may carry combining
// marks so accented words stay one token before folding.
const TOKEN =
  /(?<![\p{L}\p{N}.])\.\p{L}[\p{L}\p{M}\p{N}]*|[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:[./][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*(?:\+\+|#(?![\p{L}\p{N}]))?/gu;

/**
 * Dotted or slashed compounds are technical tokens when their parts are short ("ci/cd", "pl/sql",
 * "node.js", "asp.net"); otherwise they are sentences or alternatives written without spaces
 * ("skills.Experience", "frontend/backend") and split into words.
 */
function splitCompound(raw: string, out: Token[]): void {
  const slash = raw.includes('/');
  const parts = raw.split(/[./]/);
  const last = parts[parts.length - 1] ?? '';
  const keep = slash ? parts.every((p) => p.length <= 4) : last.length <= 4;
  if (keep) {
    out.push({ surface: raw, folded: fold(raw) });
    return;
  }
  for (const p of parts) if (p) out.push({ surface: p, folded: fold(p) });
}

/** Tokens of a text, in order, with technical tokens kept whole. No stop-word removal. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const raw = m[0];
    if (raw[0] !== '.' && /[./]/.test(raw)) splitCompound(raw, out);
    else out.push({ surface: raw, folded: fold(raw) });
  }
  return out;
}

const fl = (words: string): Set<string> => new Set(words.split(/\s+/).filter(Boolean).map(fold));

export const STOPWORDS: Record<Language, Set<string>> = {
  en: fl(`a an and are as at be by for from has have he she i in is it its of on or our that the their they this to was we were
    will with you your who what when where which while would should can could must may not no do does did been being am us them
    than then there these those into over under about above after before also any all each other such only own same so too very
    just more most some both few per via etc s t d ll re ve m and/or e.g i.e`),
  pt: fl(`a o as os um uma uns umas de do da dos das em no na nos nas por pelo pela pelos pelas para com sem sob sobre e ou mas que
    se ao aos à às é ser são foi era como mais menos muito muita muitos muitas seu sua seus suas nosso nossa nossos nossas este esta
    estes estas esse essa esses essas isso isto aquele aquela entre ate até ja já nao não sim tambem também ter tem temos vai vamos
    voce você voces vocês eles elas ele ela nós lhe lhes meu minha teu tua qual quais quando onde quem cujo cuja num numa`),
};
/** Words that are stop words in either language: used when the query language is unknown. */
export const STOPWORDS_ANY = new Set([...STOPWORDS.en, ...STOPWORDS.pt]);

const STEMMERS: Record<Language, (w: string) => string> = { en: stemEnglish, pt: stemPortuguese };
const stemCache: Record<Language, Map<string, string>> = { en: new Map(), pt: new Map() };
const STEM_CACHE_MAX = 200_000;

/** Snowball stem of a folded token; tokens with digits or symbols are returned unchanged. */
export function stem(folded: string, language: Language): string {
  if (!/^[a-z]+$/.test(folded)) return folded;
  const cache = stemCache[language];
  let s = cache.get(folded);
  if (s === undefined) {
    s = STEMMERS[language](folded);
    // A bounded memo: the vocabulary of a corpus is small, but a hostile stream of unique words is not.
    if (cache.size >= STEM_CACHE_MAX) cache.clear();
    cache.set(folded, s);
  }
  return s;
}

// Raw token → index term ('' for a stop word), per language: corpora repeat a small vocabulary,
// so most tokens skip folding, the stop-word check and the stemmer. Bounded like the stem memo.
const termCache: Record<Language, Map<string, string>> = { en: new Map(), pt: new Map() };

/** Folded form of one raw token; ASCII tokens (most of them) skip Unicode normalisation. */
function foldToken(raw: string): string {
   
  return /^[\x00-\x7f]*$/.test(raw) ? raw.toLowerCase() : fold(raw);
}

function termOf(raw: string, language: Language): string {
  const cache = termCache[language];
  let t = cache.get(raw);
  if (t === undefined) {
    const parts: Token[] = [];
    if (raw[0] !== '.' && /[./]/.test(raw)) splitCompound(raw, parts);
    else parts.push({ surface: raw, folded: foldToken(raw) });
    // A compound that splits yields several terms: joined with a space, split by the caller.
    t = parts
      .filter((p) => !STOPWORDS[language].has(p.folded))
      .map((p) => stem(p.folded, language))
      .join(' ');
    if (cache.size >= STEM_CACHE_MAX) cache.clear();
    cache.set(raw, t);
  }
  return t;
}

/** Index terms of a text for one language: folded, stop words removed, stemmed. */
export function analyze(text: string, language: Language): string[] {
  const out: string[] = [];
  let prev: { raw: string; end: number } | undefined;
  for (const m of text.matchAll(TOKEN)) {
    const raw = m[0];
    const t = termOf(raw, language);
    if (t !== '') {
      if (t.includes(' ')) out.push(...t.split(' '));
      else out.push(t);
    }
    // A hyphenated compound ("back-end", "full-stack", "e-commerce") is also indexed joined, so the
    // query "backend" finds it; the parts stay, so "back end" and "back-end" find it too.
    if (prev && m.index === prev.end + 1 && text[prev.end] === '-' && /^[\p{L}\p{N}]+$/u.test(prev.raw) && /^[\p{L}\p{N}]+$/u.test(raw)) {
      const joined = termOf(prev.raw + raw, language);
      if (joined !== '' && !joined.includes(' ')) out.push(joined);
    }
    prev = { raw, end: m.index + raw.length };
  }
  return out;
}

export interface QueryToken {
  surface: string;
  /** Distinct terms this word may be indexed as: one per language analysed. */
  variants: string[];
}

/**
 * Query-side analysis. With a language, the same analysis as the documents of that language;
 * without one, a word is dropped if it is a stop word in either language, and otherwise stands for
 * the union of its English and Portuguese stems (a document was indexed with one of them).
 */
export function analyzeQuery(text: string, language?: Language): QueryToken[] {
  const out: QueryToken[] = [];
  const stop = language ? STOPWORDS[language] : STOPWORDS_ANY;
  for (const t of tokenize(text)) {
    if (stop.has(t.folded)) continue;
    if (language) out.push({ surface: t.surface, variants: [stem(t.folded, language)] });
    else {
      const en = stem(t.folded, 'en');
      const pt = stem(t.folded, 'pt');
      out.push({ surface: t.surface, variants: en === pt ? [en] : [en, pt] });
    }
  }
  return out;
}
