/**
 * Small word lists for the explainable scorer: seniority words, role nouns and title synonyms,
 * a city/country gazetteer and years-of-experience patterns, in English and Portuguese.
 * All keys are folded (lower case, no accents), matching `fold`/`tokenize` from @hh/text.
 */
import { fold, tokenize } from '@hh/text';
import type { Seniority } from './types.js';

export const SENIORITY_RANK: Record<Seniority, number> = { intern: 0, junior: 1, mid: 2, senior: 3, lead: 4, principal: 5, executive: 6 };

/**
 * Seniority words. `strong` ones are safe anywhere in a job text ("senior", "pleno"); the rest are
 * everyday words elsewhere ("lead the team", "principal duties") and only count in a title.
 */
const SENIORITY_WORDS: { words: string[]; level: Seniority; strong: boolean }[] = [
  { words: ['intern', 'internship', 'estagiario', 'estagiaria', 'estagio', 'trainee'], level: 'intern', strong: true },
  { words: ['junior', 'jr', 'entry level', 'entry-level', 'graduate'], level: 'junior', strong: true },
  { words: ['pleno', 'mid level', 'mid-level', 'intermediate'], level: 'mid', strong: true },
  { words: ['mid'], level: 'mid', strong: false },
  { words: ['senior', 'sr'], level: 'senior', strong: true },
  { words: ['lead', 'leader', 'lider', 'tech lead', 'team lead', 'supervisor', 'supervisora', 'coordinator', 'coordenador', 'coordenadora'], level: 'lead', strong: false },
  { words: ['principal', 'staff', 'distinguished'], level: 'principal', strong: false },
  { words: ['director', 'diretor', 'diretora', 'vp', 'vice president', 'head of', 'cto', 'ceo', 'cfo', 'coo', 'cio', 'chief'], level: 'executive', strong: false },
];

const seniorityMap = new Map<string, { level: Seniority; strong: boolean }>();
for (const g of SENIORITY_WORDS) for (const w of g.words) seniorityMap.set(tokenize(w).join(' '), { level: g.level, strong: g.strong });

const SENIORITY_FIRST = new Set([...seniorityMap.keys()].filter((k) => k.includes(' ')).map((k) => k.split(' ')[0]!));

/** Seniority words (single tokens) that are not part of what a title says the job *is*. */
export const SENIORITY_TOKENS = new Set(['intern', 'internship', 'estagiario', 'estagiaria', 'trainee', 'junior', 'jr', 'pleno', 'mid', 'senior', 'sr', 'principal', 'staff', 'i', 'ii', 'iii', 'iv']);

/**
 * The highest seniority named in `tokens` (2-token phrases first). With `strongOnly`, ignore words
 * that are ordinary verbs or adjectives in running text.
 */
export function findSeniority(tokens: readonly string[], strongOnly: boolean): Seniority | null {
  let best: Seniority | null = null;
  const consider = (hit: { level: Seniority; strong: boolean } | undefined) => {
    if (!hit || (strongOnly && !hit.strong)) return;
    if (best === null || SENIORITY_RANK[hit.level] > SENIORITY_RANK[best]) best = hit.level;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (next !== undefined && SENIORITY_FIRST.has(t)) consider(seniorityMap.get(`${t} ${next}`));
    consider(seniorityMap.get(t));
  }
  return best;
}

/** Title words → concept, so "Desenvolvedor Back-end" and "Backend Developer" compare equal. */
const TITLE_CONCEPTS: Record<string, string[]> = {
  engineer: ['engineer', 'engineers', 'developer', 'developers', 'programmer', 'dev', 'swe', 'engenheiro', 'engenheira', 'desenvolvedor', 'desenvolvedora', 'programador', 'programadora', 'engineering', 'engenharia', 'desenvolvimento', 'development'],
  nurse: ['nurse', 'nurses', 'rn', 'lpn', 'nursing', 'enfermeiro', 'enfermeira', 'enfermagem'],
  accountant: ['accountant', 'accounting', 'contador', 'contadora', 'contabil', 'contabilidade', 'bookkeeper'],
  manager: ['manager', 'gerente', 'gestor', 'gestora', 'management', 'gestao', 'gerencia'],
  analyst: ['analyst', 'analista', 'analysis', 'analise'],
  teacher: ['teacher', 'professor', 'professora', 'instructor', 'docente', 'educator', 'educador', 'educadora', 'tutor'],
  designer: ['designer', 'design'],
  scientist: ['scientist', 'cientista', 'science', 'ciencia'],
  data: ['data', 'dados'],
  sales: ['sales', 'vendas', 'vendedor', 'vendedora', 'salesperson', 'comercial', 'seller'],
  recruiter: ['recruiter', 'recrutador', 'recrutadora', 'recruiting', 'recrutamento', 'talent'],
  consultant: ['consultant', 'consultor', 'consultora', 'consulting', 'consultoria'],
  technician: ['technician', 'tecnico', 'tecnica', 'tech'],
  assistant: ['assistant', 'assistente', 'auxiliar', 'aide', 'helper'],
  coordinator: ['coordinator', 'coordenador', 'coordenadora'],
  director: ['director', 'diretor', 'diretora'],
  architect: ['architect', 'arquiteto', 'arquiteta', 'architecture', 'arquitetura'],
  administrator: ['administrator', 'administrador', 'administradora', 'admin'],
  lawyer: ['lawyer', 'attorney', 'advogado', 'advogada', 'counsel', 'juridico', 'legal'],
  pharmacist: ['pharmacist', 'farmaceutico', 'farmaceutica', 'pharmacy', 'farmacia'],
  physiotherapist: ['physiotherapist', 'physiotherapy', 'fisioterapeuta', 'fisioterapia', 'therapist'],
  physician: ['physician', 'doctor', 'medico', 'medica'],
  driver: ['driver', 'motorista'],
  cook: ['chef', 'cook', 'cozinheiro', 'cozinheira'],
  specialist: ['specialist', 'especialista', 'expert'],
  software: ['software', 'sistemas', 'systems', 'application', 'applications', 'aplicacoes'],
  backend: ['backend', 'server', 'servidor'],
  frontend: ['frontend', 'front'],
  fullstack: ['fullstack'],
  mobile: ['mobile', 'android', 'ios'],
  finance: ['finance', 'financial', 'financeiro', 'financeira', 'financas', 'fiscal'],
  hr: ['hr', 'rh', 'people', 'pessoas'],
  project: ['project', 'projects', 'projeto', 'projetos'],
  product: ['product', 'produto', 'produtos'],
  support: ['support', 'suporte', 'helpdesk'],
  qa: ['qa', 'quality', 'qualidade', 'test', 'tests', 'testing', 'teste', 'testes', 'tester'],
  security: ['security', 'seguranca', 'cybersecurity'],
  infrastructure: ['infrastructure', 'infraestrutura', 'infra', 'devops', 'sre', 'platform', 'plataforma', 'cloud'],
  marketing: ['marketing', 'marketer'],
  auditor: ['auditor', 'auditora', 'audit', 'auditoria'],
  clerk: ['clerk', 'escriturario', 'escrituraria'],
  representative: ['representative', 'representante', 'rep'],
  officer: ['officer', 'oficial'],
};

/** Concepts that name what the person *is* (the head of a title), rather than a field. */
export const ROLE_CONCEPTS = new Set([
  'engineer', 'nurse', 'accountant', 'manager', 'analyst', 'teacher', 'designer', 'scientist', 'recruiter', 'consultant',
  'technician', 'assistant', 'coordinator', 'director', 'architect', 'administrator', 'lawyer', 'pharmacist',
  'physiotherapist', 'physician', 'driver', 'cook', 'specialist', 'auditor', 'clerk', 'representative', 'officer',
]);

const conceptOf = new Map<string, string>();
for (const [concept, words] of Object.entries(TITLE_CONCEPTS)) for (const w of words) conceptOf.set(w, concept);

// Two-token spellings merged before concept lookup ("back end" → backend, "registered nurse" → nurse).
const MERGES = new Map<string, string>([
  ['back end', 'backend'], ['front end', 'frontend'], ['full stack', 'fullstack'], ['registered nurse', 'nurse'],
  ['human resources', 'hr'], ['recursos humanos', 'rh'], ['machine learning', 'ml'], ['site reliability', 'sre'],
  ['head of', 'director'],
]);

const MERGE_FIRST = new Set([...MERGES.keys()].map((k) => k.split(' ')[0]!));

// Tokens that never describe the role itself.
const TITLE_FILLER = new Set([
  'hiring', 'seeking', 'looking', 'wanted', 'needed', 'vaga', 'vagas', 'job', 'position', 'role', 'opening', 'oportunidade',
  'procuramos', 'buscamos', 'contratamos', 'contratando', 'precisamos', 'we', 'are', 'is', 'm', 'f', 'h', 'pcd', 'urgent', 'urgente',
  'remote', 'remoto', 'remota', 'hybrid', 'hibrido', 'onsite', 'presencial',
]);

/** Concept tokens of a title (seniority words and filler dropped). */
export function titleConcepts(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    // Build the two-word key only when a merge can start here: this runs on document heads too.
    const merged = next !== undefined && MERGE_FIRST.has(t) ? MERGES.get(`${t} ${next}`) : undefined;
    if (merged !== undefined) {
      out.push(conceptOf.get(merged) ?? merged);
      i++;
      continue;
    }
    if (SENIORITY_TOKENS.has(t) || TITLE_FILLER.has(t) || STOP.has(t)) continue;
    out.push(conceptOf.get(t) ?? t);
  }
  return [...new Set(out)];
}

const STOP = new Set(['a', 'an', 'the', 'of', 'for', 'and', 'to', 'in', 'at', 'de', 'da', 'do', 'das', 'dos', 'e', 'em', 'para', 'o', 'as', 'os', 'na', 'no', 'um', 'uma', 'our', 'your', 'with', 'com']);

/** Words that end the title part of a sentence ("Senior Nurse *for* ICU", "Analista *com* SQL"). */
export const TITLE_BREAKERS = new Set(['with', 'com', 'for', 'para', 'to', 'in', 'em', 'at', 'na', 'no', 'who', 'que', 'and', 'e', 'needed', 'wanted', 'required', 'requirements', 'requisitos']);

/** True when the token is a role noun (the head of a job title). */
export function isRoleToken(token: string): boolean {
  const c = conceptOf.get(token);
  return c !== undefined && ROLE_CONCEPTS.has(c);
}

// ---------- locations ----------
export interface Place {
  name: string;
  country: string;
}

const CITIES: [string, string][] = [
  ['São Paulo', 'BR'], ['Rio de Janeiro', 'BR'], ['Belo Horizonte', 'BR'], ['Brasília', 'BR'], ['Curitiba', 'BR'],
  ['Porto Alegre', 'BR'], ['Recife', 'BR'], ['Salvador', 'BR'], ['Fortaleza', 'BR'], ['Campinas', 'BR'],
  ['Florianópolis', 'BR'], ['Goiânia', 'BR'], ['Manaus', 'BR'], ['Belém', 'BR'], ['Vitória', 'BR'], ['Natal', 'BR'],
  ['Lisboa', 'PT'], ['Lisbon', 'PT'], ['Porto', 'PT'], ['Coimbra', 'PT'], ['Braga', 'PT'],
  ['New York', 'US'], ['San Francisco', 'US'], ['Seattle', 'US'], ['Austin', 'US'], ['Chicago', 'US'], ['Boston', 'US'],
  ['Los Angeles', 'US'], ['Houston', 'US'], ['Dallas', 'US'], ['Atlanta', 'US'], ['Miami', 'US'], ['Denver', 'US'],
  ['London', 'GB'], ['Manchester', 'GB'], ['Dublin', 'IE'], ['Berlin', 'DE'], ['Munich', 'DE'], ['Amsterdam', 'NL'],
  ['Paris', 'FR'], ['Madrid', 'ES'], ['Barcelona', 'ES'], ['Toronto', 'CA'], ['Vancouver', 'CA'], ['Montreal', 'CA'],
  ['Mexico City', 'MX'], ['Buenos Aires', 'AR'], ['Santiago', 'CL'], ['Bogotá', 'CO'], ['Sydney', 'AU'], ['Bangalore', 'IN'],
];
const COUNTRIES: [string, string][] = [
  ['Brazil', 'BR'], ['Brasil', 'BR'], ['Portugal', 'PT'], ['United States', 'US'], ['USA', 'US'], ['Estados Unidos', 'US'],
  ['United Kingdom', 'GB'], ['UK', 'GB'], ['Reino Unido', 'GB'], ['Ireland', 'IE'], ['Germany', 'DE'], ['Alemanha', 'DE'],
  ['Netherlands', 'NL'], ['France', 'FR'], ['Spain', 'ES'], ['Espanha', 'ES'], ['Canada', 'CA'], ['Canadá', 'CA'],
  ['Mexico', 'MX'], ['México', 'MX'], ['Argentina', 'AR'], ['Chile', 'CL'], ['Colombia', 'CO'], ['Colômbia', 'CO'],
  ['Australia', 'AU'], ['India', 'IN'], ['Índia', 'IN'],
];

export const CITY_INDEX = new Map<string, Place>(CITIES.map(([name, country]) => [tokenize(name).join(' '), { name, country }]));
const COUNTRY_INDEX = new Map<string, string>(COUNTRIES.map(([name, code]) => [tokenize(name).join(' '), code]));
// First tokens of every place name: most words start none, so the n-gram loop is skipped for them.
const PLACE_FIRST_TOKENS = new Set([...CITY_INDEX.keys(), ...COUNTRY_INDEX.keys()].map((k) => k.split(' ')[0]!));

/** True when a city or country name can start at this token ("sao" of "São Paulo"). */
export const startsPlace = (token: string): boolean => PLACE_FIRST_TOKENS.has(token);

/** "BR", "br", "Brasil", "Brazil" → "BR"; unknown names come back folded and upper-cased. */
export function countryCode(value: string): string {
  const trimmed = value.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) return trimmed.toUpperCase();
  return COUNTRY_INDEX.get(tokenize(trimmed).join(' ')) ?? fold(trimmed).toUpperCase();
}

export const cityKey = (value: string): string => tokenize(value).join(' ');

const REMOTE_WORDS = new Set(['remote', 'remoto', 'remota', 'remotely', 'teletrabalho', 'anywhere']);
const ONSITE_WORDS = new Set(['onsite', 'presencial', 'hybrid', 'hibrido', 'hibrida']);

/** true = remote asked for, false = on-site/hybrid stated, null = not said. */
export function findRemote(tokens: readonly string[]): boolean | null {
  let remote = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (ONSITE_WORDS.has(t) || (t === 'on' && tokens[i + 1] === 'site')) return false;
    if (REMOTE_WORDS.has(t) || (t === 'home' && tokens[i + 1] === 'office')) remote = true;
  }
  return remote ? true : null;
}

/** Cities (longest phrase first) and country names mentioned in `tokens`, in order of appearance. */
export function findPlaces(tokens: readonly string[]): { cities: Place[]; countries: string[] } {
  const cities: Place[] = [];
  const countries: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!PLACE_FIRST_TOKENS.has(tokens[i]!)) continue;
    let matched = 0;
    for (let len = 3; len >= 1 && matched === 0; len--) {
      if (i + len > tokens.length) continue;
      const key = tokens.slice(i, i + len).join(' ');
      const city = CITY_INDEX.get(key);
      if (city) {
        if (!cities.some((c) => c.name === city.name)) cities.push(city);
        matched = len;
        continue;
      }
      const code = COUNTRY_INDEX.get(key);
      if (code) {
        if (!countries.includes(code)) countries.push(code);
        matched = len;
      }
    }
    if (matched > 1) i += matched - 1;
  }
  return { cities, countries };
}

// ---------- years of experience ----------
// Applied to folded text. Each pattern names the captures it yields.
const YEARS = '(?:years?|yrs?|anos?)';
const RANGE = new RegExp(String.raw`\b(\d{1,2})\s*(?:-|–|to|a|ate)\s*(\d{1,2})\s*${YEARS}`, 'g');
const PLUS = new RegExp(String.raw`\b(\d{1,2})\s*\+\s*${YEARS}`, 'g');
const AT_LEAST = new RegExp(String.raw`\b(?:at least|minimum of|minimum|min\.?|more than|over|pelo menos|no minimo|minimo de|mais de|acima de)\s*(\d{1,2})\s*${YEARS}`, 'g');
const UP_TO = new RegExp(String.raw`\b(?:up to|no more than|ate|no maximo|maximo de)\s*(\d{1,2})\s*${YEARS}`, 'g');
const BARE = new RegExp(String.raw`\b(\d{1,2})\s*${YEARS}\b`, 'g');
// `\s*(?:\+\s*)?`, not `\s*\+?\s*`: two adjacent `\s*` can split a run of spaces between them in n ways,
// so a digit followed by 20,000 spaces cost seconds of backtracking.
const OF_EXPERIENCE = new RegExp(String.raw`\b(\d{1,2})\s*(?:\+\s*)?${YEARS}\s*(?:of|de)\s*(?:\w+\s+){0,2}?(?:experience|experiencia|atuacao|work|trabalho)`, 'g');

/** Years asked for in a job text: "5+ years", "3-5 years", "pelo menos 4 anos", "5 anos de experiência". */
export function findYearsRange(folded: string): { min: number | null; max: number | null } {
  for (const m of folded.matchAll(RANGE)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a <= b && b <= 60) return { min: a, max: b };
  }
  for (const re of [PLUS, AT_LEAST, OF_EXPERIENCE]) {
    for (const m of folded.matchAll(re)) {
      const n = Number(m[1]);
      if (n <= 60) return { min: n, max: null };
    }
  }
  for (const m of folded.matchAll(UP_TO)) {
    const n = Number(m[1]);
    if (n <= 60) return { min: null, max: n };
  }
  // Last resort: a bare "5 anos" / "5 years" in a job text is a minimum.
  for (const m of folded.matchAll(BARE)) {
    const n = Number(m[1]);
    if (n <= 60) return { min: n, max: null };
  }
  return { min: null, max: null };
}

const YEAR_TOKENS = new Set(['year', 'years', 'yr', 'yrs', 'ano', 'anos']);
const EXPERIENCE_TOKENS = new Set(['experience', 'experiencia', 'atuacao', 'work', 'trabalho']);
const AT_LEAST_TOKENS = new Set(['over', 'than', 'least', 'minimum', 'min', 'mais', 'acima', 'menos', 'minimo']);
const NUMBER_TOKEN = /^(\d{1,2})(\+?)$/;

/**
 * Years a résumé claims, from its tokens ("8 years of experience", "10+ anos", "over 5 years"):
 * the largest stated. Works on tokens rather than regexes over the text because it runs for every
 * document of every request, and the tokens are already there.
 */
export function findYearsClaimed(ids: Int32Array, words: readonly string[]): number | null {
  let best: number | null = null;
  const tokens = { length: ids.length, at: (i: number) => words[ids[i]!] };
  for (let i = 1; i < ids.length; i++) {
    if (!YEAR_TOKENS.has(words[ids[i]!]!)) continue;
    const m = NUMBER_TOKEN.exec(words[ids[i - 1]!]!);
    if (!m) continue;
    const n = Number(m[1]);
    let claimed = m[2] === '+' || (i >= 2 && AT_LEAST_TOKENS.has(tokens.at(i - 2)!));
    const next = tokens.at(i + 1);
    if (!claimed && (next === 'of' || next === 'de')) {
      for (let k = i + 2; k <= i + 4 && k < tokens.length; k++) if (EXPERIENCE_TOKENS.has(tokens.at(k)!)) claimed = true;
    }
    if (claimed && n <= 60 && (best === null || n > best)) best = n;
  }
  return best;
}
