/**
 * Title normalisation shared by the loader (alias_norm) and the lookup (query side): both must
 * produce byte-identical strings or exact matches silently stop working.
 */
import { fold } from '@hh/text';

/**
 * Folded, punctuation-free, single-spaced form of a title. Keeps "+", "#" and "." inside tech
 * names ("c++", "c#", ".net", "node.js") and drops them elsewhere ("Sr." → "sr", "(RN)" → "rn").
 */
export function normalizeAlias(text: string): string {
  const spaced = fold(text).replace(/[^\p{L}\p{N}+#.]+/gu, ' ');
  const out: string[] = [];
  for (const raw of spaced.split(' ')) {
    if (!raw) continue;
    // A dot survives only before a letter/digit (".net", "node.js"); trailing dots are sentence or abbreviation marks.
    // One dot at a time (not `\.+`), so no attempt scans a run of dots it then gives back.
    let tok = raw.replace(/\.(?![\p{L}\p{N}])/gu, '');
    // "+"/"#" survive only after a letter/digit or another "+" ("c++", "c#"); a lone "+" or "#" is noise.
    tok = tok.replace(/^[+#]+/u, '');
    if (tok && /[\p{L}\p{N}]/u.test(tok)) out.push(tok);
  }
  return out.join(' ');
}

/** Words that qualify a title without changing the occupation ("Senior Backend Engineer", "Analista Pleno"). */
const MODIFIERS = new Set(
  [
    'senior', 'sr', 'junior', 'jr', 'mid', 'level', 'middle', 'pleno', 'pl', 'lead', 'staff', 'principal', 'trainee',
    'intern', 'internship', 'estagiario', 'estagiaria', 'estagio', 'i', 'ii', 'iii', 'iv', 'v', 'remote', 'remoto',
    'remota', 'lider', 'hybrid', 'hibrido', 'fulltime', 'parttime', 'temporary', 'temporario', 'contract',
    'freelance', 'experienced', 'entry', 'nivel', 'new', 'grad', 'graduate',
  ],
);

/** Drop seniority/contract words; returns the input if nothing else would remain. */
export function stripModifiers(norm: string): string {
  // "full time"/"part time" are contract words, but "full" alone is part of "full stack".
  const toks = norm.replace(/\b(?:full|part) time\b/gu, ' ').split(' ').filter(Boolean);
  if (toks.length === 0) return norm;
  const kept = toks.filter((t) => !MODIFIERS.has(t));
  return kept.length > 0 ? kept.join(' ') : norm;
}

// Portuguese feminine → masculine endings; CBO lists occupations in the masculine only.
const PT_FEM: Array<[RegExp, string]> = [
  [/ora$/u, 'or'], // desenvolvedora, contadora, professora
  [/eira$/u, 'eiro'], // enfermeira, engenheira
  [/ica$/u, 'ico'], // medica, tecnica
  [/ada$/u, 'ado'], // advogada
  [/ista$/u, 'ista'], // analista: already common-gender
  [/a$/u, 'o'], // secretaria? (only applied to words of 5+ letters)
];

function mascWord(w: string): string {
  if (w.length < 5) return w;
  for (const [re, rep] of PT_FEM) if (re.test(w)) return w.replace(re, rep);
  return w;
}

/**
 * Spelling variants of a normalised title that name the same occupation: Portuguese masculine
 * forms ("enfermeira" → "enfermeiro"), English singular/plural of the head noun ("registered
 * nurse" ↔ "registered nurses", O*NET titles are plural), and joined compounds ("back end" →
 * "backend"). The first element is always the input itself.
 */
export function titleVariants(norm: string): string[] {
  const out = new Set<string>([norm]);
  const toks = norm.split(' ');
  const masc = toks.map(mascWord).join(' ');
  out.add(masc);
  const last = toks[toks.length - 1] ?? '';
  if (last.length > 3) {
    const head = toks.slice(0, -1);
    if (/[^s]s$/u.test(last)) out.add([...head, last.slice(0, -1)].join(' '));
    else if (!last.endsWith('s')) out.add([...head, `${last}s`].join(' '));
  }
  // Users write both "back end"/"back-end" and "backend", "front end" and "frontend".
  const joined = norm.replace(/\b(back|front|full) (end|stack)\b/gu, '$1$2');
  out.add(joined);
  const split = norm.replace(/\b(back|front|full)(end|stack)\b/gu, '$1 $2');
  out.add(split);
  return [...out].filter((v) => v.length > 0);
}

export interface TitleCandidate {
  /** Normalised phrase to look up. */
  text: string;
  /** How strongly the phrase is believed to be the title (1 = the whole input / an explicit cue). */
  weight: number;
}

// "hiring a …", "looking for an …", "vaga de/para …", "contratando …", "we need a …": what follows is a title.
const CUES: RegExp[] = [
  /\b(?:we(?:'re| are)? )?hiring (?:an? |our |for (?:an? )?)?([^.\n,;:!?()]{3,80})/giu,
  /\blooking for (?:an? |our )?([^.\n,;:!?()]{3,80})/giu,
  /\bwe need (?:an? )?([^.\n,;:!?()]{3,80})/giu,
  /\bseeking (?:an? )?([^.\n,;:!?()]{3,80})/giu,
  /\bvagas? (?:de|para|:)\s*(?:(?:um|uma|o|a)\s+)?([^.\n,;:!?()]{3,80})/giu,
  /\bcontratando\s*(?::|(?:um|uma)\s+)?([^.\n,;:!?()]{3,80})/giu,
  /\b(?:procuramos|buscamos|precisamos de)\s+(?:(?:um|uma)\s+)?([^.\n,;:!?()]{3,80})/giu,
  /\b(?:position|role|job title|cargo|titulo|título)\s*:\s*([^.\n,;!?()]{3,80})/giu,
];

// A cue phrase runs on into the sentence ("a nurse to join our team"): cut at these words.
const PHRASE_STOP = new Set([
  'to', 'who', 'that', 'with', 'for', 'in', 'at', 'on', 'and', 'or', 'join', 'joining', 'which', 'responsible', 'able',
  'com', 'que', 'para', 'em', 'no', 'na', 'e', 'ou', 'atuar', 'trabalhar', 'integrar', 'responsavel', 'a', 'o',
]);

/** Words a title never starts or ends with ("of the nurse", "analista de"). */
function isEdgeStop(w: string): boolean {
  return PHRASE_STOP.has(w) || /^(de|da|do|das|dos|of|the|an?|e|y)$/u.test(w);
}

function cutPhrase(norm: string, maxWords = 6): string {
  const out: string[] = [];
  for (const t of norm.split(' ')) {
    if (!t) continue;
    // Portuguese titles use "de"/"da"/"do" inside ("analista de sistemas"); keep those but not other stops.
    if (out.length > 0 && PHRASE_STOP.has(t)) break;
    out.push(t);
    if (out.length >= maxWords) break;
  }
  return out.join(' ');
}

/** Connectives that end a title and start what qualifies it ("Enfermeira para UTI", "Engineer with Node.js"). */
const LEAD_STOP = new Set([
  'to', 'who', 'that', 'with', 'for', 'in', 'at', 'on', 'which', 'com', 'que', 'para', 'em', 'no', 'na', 'a', 'o',
]);
/** Coordination inside a title ("Sales and Marketing Manager", "Gerente de Vendas e Marketing"): no leading phrase. */
const LEAD_ABORT = new Set(['and', 'or', 'e', 'ou', '&']);

/** How strongly the words before the first connective are believed to be the title. */
export const LEAD_WEIGHT = 0.93;

/**
 * The words before the first connective of a (modifier-stripped, normalised) title line, or ''
 * when there is no connective, the line starts with one, or the words are coordinated. A title
 * line is usually "<title> <connective> <qualifier>", and the sub-phrase score (share of the
 * line) would rate "enfermeira" in an 8-word line at 0.11.
 */
export function leadingPhrase(norm: string): string {
  const toks = norm.split(' ').filter(Boolean);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] ?? '';
    if (LEAD_ABORT.has(t)) return '';
    if (!LEAD_STOP.has(t)) continue;
    const lead = toks.slice(0, i);
    if (lead.length === 0 || lead.length > 5 || isEdgeStop(lead[lead.length - 1] ?? '')) return '';
    // One short word ("it", "ux") is too ambiguous to be called the title.
    if (lead.length === 1 && (lead[0] ?? '').length < 4) return '';
    return lead.join(' ');
  }
  return '';
}

/** First line, or first sentence of the first line. */
function firstSentence(text: string): string {
  const line = text.split(/\r?\n/u).find((l) => l.trim().length > 0) ?? '';
  const m = /^(.{1,160}?)(?:[.!?](?:\s|$)|$)/u.exec(line.trim());
  return m?.[1] ?? line.slice(0, 160);
}

/**
 * Phrases of a title or job text worth looking up, best first. A short input (a title) is itself
 * the candidate; a longer one yields its first line/sentence, phrases after hiring cues and the
 * 2–4-word n-grams of its first ~40 words.
 */
export function extractTitleCandidates(text: string, opts: { maxNgramWords?: number } = {}): TitleCandidate[] {
  const found = new Map<string, number>();
  const add = (phrase: string, weight: number) => {
    const p = stripModifiers(normalizeAlias(phrase));
    if (p.length < 2 || p.length > 120) return;
    if ((found.get(p) ?? 0) < weight) found.set(p, weight);
  };
  const trimmed = text.trim();
  const whole = normalizeAlias(trimmed);
  const words = whole.split(' ').filter(Boolean);
  if (words.length <= 8 && !/[.!?\n]/u.test(trimmed.replace(/\.(?=\p{L})/gu, ''))) {
    add(trimmed, 1);
    // The unstripped title too: a modifier word can be the title's own ("School Principal").
    if (whole && !found.has(whole)) found.set(whole, 1);
    // "Backend Engineer - Remote (LATAM)", "Enfermeira | Hospital X": the part before a separator is the title.
    const head = trimmed.split(/\s[-–|/]\s|[(|]/u)[0];
    if (head && head !== trimmed) add(head, 1);
    const lead = leadingPhrase(stripModifiers(whole));
    if (lead) add(lead, LEAD_WEIGHT);
    // Sub-phrases of a title ("enfermeira de uti neonatal" → "enfermeira de uti") score by the share of the title they cover.
    const core = stripModifiers(whole).split(' ');
    for (let n = Math.min(4, core.length - 1); n >= 1; n--) {
      for (let i = 0; i + n <= core.length; i++) {
        const gram = core.slice(i, i + n);
        if (isEdgeStop(gram[0] ?? '') || isEdgeStop(gram[gram.length - 1] ?? '')) continue;
        if (n === 1 && (gram[0] ?? '').length < 4) continue;
        add(gram.join(' '), (0.9 * n) / core.length);
      }
    }
    return [...found].map(([t, weight]) => ({ text: t, weight })).sort((a, b) => b.weight - a.weight);
  }
  const first = firstSentence(trimmed);
  const firstNorm = normalizeAlias(first);
  if (firstNorm.split(' ').length <= 8) add(first, 0.95);
  const head = first.split(/\s[-–|/]\s|[(|:]/u)[0];
  if (head && head.trim().split(/\s+/u).length <= 8) add(head, 0.95);
  const lead = leadingPhrase(stripModifiers(firstNorm));
  if (lead) add(lead, LEAD_WEIGHT);
  for (const re of CUES) {
    re.lastIndex = 0;
    for (const m of trimmed.matchAll(re)) {
      const phrase = cutPhrase(stripModifiers(normalizeAlias(m[1] ?? '')));
      if (phrase) add(phrase, 0.9);
    }
  }
  const maxN = opts.maxNgramWords ?? 4;
  const head40 = words.slice(0, 40);
  for (let n = maxN; n >= 2; n--) {
    for (let i = 0; i + n <= head40.length; i++) {
      const gram = head40.slice(i, i + n);
      // An n-gram that starts or ends on a function word is never a title ("of the nurse").
      const f = gram[0] ?? '';
      const l = gram[gram.length - 1] ?? '';
      if (isEdgeStop(f) || isEdgeStop(l)) continue;
      add(gram.join(' '), 0.6 + 0.05 * n);
    }
  }
  return [...found].map(([t, weight]) => ({ text: t, weight })).sort((a, b) => b.weight - a.weight);
}
