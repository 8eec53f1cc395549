/**
 * Deterministic demo candidate pool: realistic English (US/UK/CA/IE) and Brazilian-Portuguese
 * profiles drawn from data/demo-seed.json (common occupations with titles in both languages,
 * their O*NET tools and domain skills). Same seed → same output on every machine: one mulberry32
 * stream, integer arithmetic only, a fixed reference year (never the wall clock), no locale calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnv1a32 } from '@hh/text';
import type { DemoSeed, DemoSeedOccupation } from './demo-seed.js';
import { defaultDataDir } from './sources.js';
import type { CandidateExperience, DemoCandidate, Seniority } from './types.js';

/** Profiles are dated relative to this year so output never depends on when it is generated. */
export const DEMO_REFERENCE_YEAR = 2025;

export interface DemoOptions {
  count: number;
  seed?: number;
  /** Mixed into the seed so two tenants' demo pools differ (ids stay demo-000001…). */
  tenantSlug?: string;
  /** Share of Portuguese profiles (default 0.4). */
  ptShare?: number;
  /** First id number (default 1), for generating a pool in slices. */
  startId?: number;
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
function pick<T>(r: Rng, xs: readonly T[]): T {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
}
function weighted<T>(r: Rng, xs: ReadonlyArray<readonly [T, number]>): T {
  const total = xs.reduce((s, [, w]) => s + w, 0);
  let u = r() * total;
  for (const [x, w] of xs) {
    u -= w;
    if (u < 0) return x;
  }
  const last = xs[xs.length - 1];
  if (!last) throw new Error('weighted pick from an empty list');
  return last[0];
}
/** k distinct items, biased to the front of the list (lists are ordered most typical first). */
function sampleFront<T>(r: Rng, xs: readonly T[], k: number, window: number): T[] {
  const pool = xs.slice(0, Math.max(k, window));
  const out: T[] = [];
  while (out.length < k && pool.length > 0) {
    const i = Math.floor(r() * r() * pool.length);
    out.push(...pool.splice(i, 1));
  }
  return out;
}

let seedCache: DemoSeed | undefined;
export function loadDemoSeed(dataDir = defaultDataDir): DemoSeed {
  if (dataDir === defaultDataDir && seedCache) return seedCache;
  const seed = JSON.parse(readFileSync(join(dataDir, 'demo-seed.json'), 'utf8')) as DemoSeed;
  if (dataDir === defaultDataDir) seedCache = seed;
  return seed;
}

type Sector = DemoSeedOccupation['sector'];
const SECTOR_WEIGHT: Record<Sector, number> = {
  tech: 30, health: 16, finance: 12, sales: 11, operations: 11, education: 6, hr: 4, engineering: 5, legal: 2, creative: 2, hospitality: 3,
};
const SECTOR_NAME: Record<Sector, { en: string; pt: string }> = {
  tech: { en: 'Engineering', pt: 'Tecnologia' },
  health: { en: 'Clinical Operations', pt: 'Operações Clínicas' },
  finance: { en: 'Finance', pt: 'Finanças' },
  sales: { en: 'Sales', pt: 'Vendas' },
  operations: { en: 'Operations', pt: 'Operações' },
  education: { en: 'Education', pt: 'Educação' },
  hr: { en: 'People', pt: 'Recursos Humanos' },
  engineering: { en: 'Engineering', pt: 'Engenharia' },
  legal: { en: 'Legal', pt: 'Jurídico' },
  creative: { en: 'Creative', pt: 'Criação' },
  hospitality: { en: 'Hospitality', pt: 'Hotelaria' },
};
/** Top-of-career titles per sector, as they appear on CVs (and in O*NET / CBO). */
const EXECUTIVE: Record<Sector, { en: string; pt: string }> = {
  tech: { en: 'VP of Engineering', pt: 'Diretor de Tecnologia' },
  health: { en: 'Director of Nursing', pt: 'Diretor Clínico' },
  finance: { en: 'Finance Director', pt: 'Diretor Financeiro' },
  sales: { en: 'Sales Director', pt: 'Diretor Comercial' },
  operations: { en: 'Operations Director', pt: 'Diretor de Operações' },
  education: { en: 'School Director', pt: 'Diretor Escolar' },
  hr: { en: 'HR Director', pt: 'Diretor de Recursos Humanos' },
  engineering: { en: 'Engineering Director', pt: 'Diretor de Engenharia' },
  legal: { en: 'General Counsel', pt: 'Diretor Jurídico' },
  creative: { en: 'Creative Director', pt: 'Diretor de Criação' },
  hospitality: { en: 'General Manager', pt: 'Gerente Geral' },
};

/** Sectors whose titles carry seniority words ("Senior Accountant"); elsewhere they are rare. */
const LEVELLED: ReadonlySet<Sector> = new Set(['tech', 'finance', 'engineering', 'legal', 'hr', 'creative']);

const EN_PLACES: ReadonlyArray<readonly [{ country: string; region: string; city: string }, number]> = [
  [{ country: 'US', region: 'NY', city: 'New York' }, 9], [{ country: 'US', region: 'CA', city: 'San Francisco' }, 6],
  [{ country: 'US', region: 'TX', city: 'Austin' }, 5], [{ country: 'US', region: 'WA', city: 'Seattle' }, 5],
  [{ country: 'US', region: 'IL', city: 'Chicago' }, 5], [{ country: 'US', region: 'MA', city: 'Boston' }, 4],
  [{ country: 'US', region: 'CO', city: 'Denver' }, 3], [{ country: 'US', region: 'GA', city: 'Atlanta' }, 3],
  [{ country: 'US', region: 'FL', city: 'Miami' }, 3], [{ country: 'US', region: 'CA', city: 'Los Angeles' }, 5],
  [{ country: 'US', region: 'NC', city: 'Raleigh' }, 2], [{ country: 'US', region: 'MN', city: 'Minneapolis' }, 2],
  [{ country: 'GB', region: 'England', city: 'London' }, 9], [{ country: 'GB', region: 'England', city: 'Manchester' }, 3],
  [{ country: 'GB', region: 'Scotland', city: 'Edinburgh' }, 2], [{ country: 'GB', region: 'England', city: 'Bristol' }, 2],
  [{ country: 'GB', region: 'England', city: 'Leeds' }, 2], [{ country: 'CA', region: 'ON', city: 'Toronto' }, 6],
  [{ country: 'CA', region: 'BC', city: 'Vancouver' }, 4], [{ country: 'CA', region: 'QC', city: 'Montreal' }, 3],
  [{ country: 'CA', region: 'AB', city: 'Calgary' }, 2], [{ country: 'IE', region: 'Leinster', city: 'Dublin' }, 6],
  [{ country: 'IE', region: 'Munster', city: 'Cork' }, 2], [{ country: 'IE', region: 'Connacht', city: 'Galway' }, 1],
];
const BR_PLACES: ReadonlyArray<readonly [{ country: string; region: string; city: string }, number]> = [
  [{ country: 'BR', region: 'SP', city: 'São Paulo' }, 30], [{ country: 'BR', region: 'RJ', city: 'Rio de Janeiro' }, 15],
  [{ country: 'BR', region: 'MG', city: 'Belo Horizonte' }, 9], [{ country: 'BR', region: 'PR', city: 'Curitiba' }, 8],
  [{ country: 'BR', region: 'RS', city: 'Porto Alegre' }, 7], [{ country: 'BR', region: 'PE', city: 'Recife' }, 6],
  [{ country: 'BR', region: 'SC', city: 'Florianópolis' }, 6], [{ country: 'BR', region: 'BA', city: 'Salvador' }, 5],
  [{ country: 'BR', region: 'DF', city: 'Brasília' }, 6], [{ country: 'BR', region: 'CE', city: 'Fortaleza' }, 4],
  [{ country: 'BR', region: 'SP', city: 'Campinas' }, 5], [{ country: 'BR', region: 'GO', city: 'Goiânia' }, 3],
  [{ country: 'BR', region: 'AM', city: 'Manaus' }, 2],
];

const EN_NAMES = ['Northwind', 'Bluepeak', 'Brightwater', 'Summit', 'Riverside', 'Pioneer', 'Maple', 'Harbor', 'Granite', 'Silverline', 'Evergreen', 'Atlas', 'Beacon', 'Cedar', 'Lumen', 'Oakridge', 'Redwood', 'Keystone', 'Meridian', 'Clearwater'];
const PT_NAMES = ['Horizonte', 'Aurora', 'Atlântico', 'Ipê', 'Jacarandá', 'Cerrado', 'Pampa', 'Serra Azul', 'Vale Verde', 'Guanabara', 'Paulista', 'Mantiqueira', 'Araucária', 'Capibaribe', 'Sol Nascente', 'Tropical', 'Boa Vista', 'Litoral', 'Cristal', 'Planalto'];
const EN_SUFFIX: Record<Sector, string[]> = {
  tech: ['Labs', 'Software', 'Systems', 'Digital', 'Cloud'], health: ['Health', 'Medical Center', 'Clinic', 'Care'],
  finance: ['Capital', 'Financial', 'Partners', 'Accounting'], sales: ['Retail', 'Commerce', 'Brands'],
  operations: ['Logistics', 'Industries', 'Manufacturing', 'Group'], education: ['Academy', 'School', 'University', 'Learning'],
  hr: ['Talent', 'People Partners', 'Group'], engineering: ['Engineering', 'Construction', 'Works'], legal: ['Law', 'Legal LLP'],
  creative: ['Studio', 'Media', 'Creative'], hospitality: ['Hotel', 'Bistro', 'Hospitality'],
};
// Portuguese company names put the kind first ("Hospital Aurora") or last ("Aurora Tecnologia").
const PT_PREFIX: Record<Sector, string[]> = {
  tech: [], health: ['Hospital', 'Clínica', 'Laboratório'], finance: ['Banco'], sales: ['Lojas'], operations: ['Grupo', 'Transportes'],
  education: ['Colégio', 'Escola', 'Faculdade'], hr: ['Grupo'], engineering: ['Construtora'], legal: ['Escritório'], creative: ['Agência'],
  hospitality: ['Hotel', 'Restaurante'],
};
const PT_SUFFIX: Record<Sector, string[]> = {
  tech: ['Tecnologia', 'Sistemas', 'Software', 'Digital'], health: ['Saúde'], finance: ['Investimentos', 'Contabilidade', 'Seguros'],
  sales: ['Comércio', 'Varejo', 'Distribuidora'], operations: ['Logística', 'Indústria', 'Alimentos'], education: ['Educação'],
  hr: ['Consultoria de RH'], engineering: ['Engenharia'], legal: ['Advogados Associados'], creative: ['Comunicação', 'Filmes'],
  hospitality: ['Hotelaria', 'Gastronomia'],
};

const EN_CLOSERS: Record<Sector, string[]> = {
  tech: ['Enjoys building reliable systems and working closely with product teams.', 'Cares about clean code, testing and sharing knowledge through code review.', 'Has shipped features used by millions of users.'],
  health: ['Committed to safe, patient-centred care and clear communication with families.', 'Experienced in multidisciplinary teams in busy hospital settings.', 'Keeps up to date with clinical guidelines and best practices.'],
  finance: ['Known for accuracy, deadlines met and clear reporting to leadership.', 'Has led month-end close and audit preparation.', 'Comfortable with regulatory requirements and internal controls.'],
  sales: ['Consistently exceeds targets through consultative selling.', 'Builds long-term relationships with customers.', 'Brings energy and a customer-first attitude to every interaction.'],
  operations: ['Focused on safety, efficiency and continuous improvement.', 'Has improved throughput and reduced costs in previous roles.', 'Organised, reliable and used to fast-paced environments.'],
  education: ['Passionate about helping every student reach their potential.', 'Uses creative, student-centred teaching methods.', 'Works closely with families and school leadership.'],
  hr: ['Partners with managers to attract and retain great people.', 'Believes in fair, transparent and data-informed people processes.', 'Has hired for fast-growing teams.'],
  engineering: ['Delivers projects on time, on budget and to code.', 'Combines technical rigour with practical problem solving.', 'Experienced with site work and multidisciplinary teams.'],
  legal: ['Provides clear, practical advice to business stakeholders.', 'Experienced in negotiation and dispute resolution.', 'Known for careful drafting and attention to detail.'],
  creative: ['Brings ideas from concept to polished delivery.', 'Works well with clients and cross-functional teams.', 'Has a portfolio spanning print and digital work.'],
  hospitality: ['Dedicated to memorable guest experiences.', 'Thrives in fast-paced, high-volume service.', 'Keeps high standards of hygiene and food safety.'],
};
const PT_CLOSERS: Record<Sector, string[]> = {
  tech: ['Gosta de construir sistemas confiáveis e de trabalhar próximo ao time de produto.', 'Valoriza código limpo, testes e troca de conhecimento em revisões de código.', 'Já entregou funcionalidades usadas por milhões de usuários.'],
  health: ['Comprometido com um cuidado seguro e humanizado ao paciente.', 'Experiência em equipes multidisciplinares em hospitais de grande porte.', 'Mantém-se atualizado com protocolos clínicos e boas práticas.'],
  finance: ['Reconhecido pela precisão, cumprimento de prazos e relatórios claros.', 'Conduziu fechamentos mensais e preparação para auditorias.', 'Familiarizado com exigências regulatórias e controles internos.'],
  sales: ['Supera metas de forma consistente com venda consultiva.', 'Constrói relacionamentos de longo prazo com clientes.', 'Atendimento próximo e foco total no cliente.'],
  operations: ['Foco em segurança, eficiência e melhoria contínua.', 'Reduziu custos e aumentou a produtividade nas últimas posições.', 'Organizado, confiável e acostumado a ambientes dinâmicos.'],
  education: ['Apaixonado por ajudar cada aluno a desenvolver seu potencial.', 'Utiliza metodologias ativas e centradas no aluno.', 'Trabalha em parceria com as famílias e a coordenação.'],
  hr: ['Atua como parceiro dos gestores para atrair e reter talentos.', 'Acredita em processos de pessoas justos, transparentes e orientados por dados.', 'Já conduziu contratações para times em rápido crescimento.'],
  engineering: ['Entrega projetos no prazo, dentro do orçamento e das normas.', 'Combina rigor técnico com solução prática de problemas.', 'Experiência em obra e com equipes multidisciplinares.'],
  legal: ['Oferece orientação jurídica clara e prática para as áreas de negócio.', 'Experiência em negociação e resolução de conflitos.', 'Reconhecido pela redação cuidadosa e atenção aos detalhes.'],
  creative: ['Leva ideias do conceito à entrega final.', 'Trabalha bem com clientes e times multidisciplinares.', 'Portfólio com trabalhos em mídia impressa e digital.'],
  hospitality: ['Dedicado a proporcionar ótimas experiências aos clientes.', 'Rende bem em serviços de alto movimento.', 'Mantém altos padrões de higiene e segurança alimentar.'],
};

/** "Microservices" → "microservices" mid-sentence, but "API design" and "SQL" keep their capitals. */
const lowerFirst = (s: string) => (/^\p{Lu}\p{Ll}/u.test(s) ? s[0]?.toLowerCase() + s.slice(1) : s);
const listEn = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
const listPt = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} e ${xs[xs.length - 1]}`);

function seniorityFor(r: Rng, years: number, sector: Sector, intern: boolean): Seniority {
  if (intern) return 'intern';
  if (years <= 2) return 'junior';
  if (years <= 5) return 'mid';
  if (years <= 10) return years >= 8 && r() < 0.2 ? 'lead' : 'senior';
  const principalOk = sector === 'tech' || sector === 'engineering';
  if (years <= 15) return weighted(r, [['senior', 4], ['lead', 4], [principalOk ? 'principal' : 'lead', 2]] as const);
  return weighted(r, [['senior', 2], ['lead', 4], [principalOk ? 'principal' : 'lead', 2], ['executive', 2]] as const);
}

function levelTitle(base: string, s: Seniority, lang: 'en' | 'pt', sector: Sector, female: boolean, levelled: boolean): string {
  if (s === 'executive') {
    const t = EXECUTIVE[sector][lang];
    return lang === 'pt' && female ? t.replace(/^Diretor\b/u, 'Diretora') : t;
  }
  if (s === 'intern') return lang === 'en' ? `${base} Intern` : `${base} (Estágio)`;
  if (!levelled) return s === 'lead' ? (lang === 'en' ? `Lead ${base}` : `${base} Líder`) : base;
  return lang === 'en' ? `${EN_LEVEL[s]}${base}` : `${base}${PT_LEVEL[s]}`;
}
const EN_LEVEL: Record<Seniority, string> = { intern: '', junior: 'Junior ', mid: '', senior: 'Senior ', lead: 'Lead ', principal: 'Principal ', executive: '' };
const PT_LEVEL: Record<Seniority, string> = { intern: '', junior: ' Júnior', mid: ' Pleno', senior: ' Sênior', lead: ' Líder', principal: ' Principal', executive: '' };

function company(r: Rng, lang: 'en' | 'pt', sector: Sector): string {
  if (lang === 'en') return `${pick(r, EN_NAMES)} ${pick(r, EN_SUFFIX[sector])}`;
  const prefixes = PT_PREFIX[sector];
  if (prefixes.length > 0 && r() < 0.5) return `${pick(r, prefixes)} ${pick(r, PT_NAMES)}`;
  return `${pick(r, PT_NAMES)} ${pick(r, PT_SUFFIX[sector])}`;
}

/** Years of experience: [min, max] bands and their weights. */
const YEAR_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [[[0, 2], 22], [[3, 5], 27], [[6, 10], 27], [[11, 15], 14], [[16, 30], 10]];

// Portuguese adjectives in the closing sentences agree with the candidate's gender.
const PT_FEMININE: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bComprometido\b/u, 'Comprometida'], [/\batualizado\b/u, 'atualizada'], [/\bReconhecido\b/u, 'Reconhecida'],
  [/\bFamiliarizado\b/u, 'Familiarizada'], [/\bOrganizado\b/u, 'Organizada'], [/\bacostumado\b/u, 'acostumada'],
  [/\bApaixonado\b/u, 'Apaixonada'], [/\bDedicado\b/u, 'Dedicada'], [/\bparceiro\b/u, 'parceira'],
];
const feminine = (s: string) => PT_FEMININE.reduce((acc, [re, rep]) => acc.replace(re, rep), s);

const LOWER: Record<Seniority, Seniority> = { intern: 'intern', junior: 'intern', mid: 'junior', senior: 'mid', lead: 'senior', principal: 'senior', executive: 'lead' };

/** Generate `count` demo candidates, ids demo-000001… (or from startId). */
export function generateDemoCandidates(opts: DemoOptions): DemoCandidate[] {
  const count = Math.max(0, Math.floor(opts.count));
  const seed = ((opts.seed ?? 42) ^ (opts.tenantSlug ? fnv1a32(opts.tenantSlug) : 0)) >>> 0;
  const r = mulberry32(seed);
  const ptShare = opts.ptShare ?? 0.4;
  const { occupations } = loadDemoSeed();
  const bySector = new Map<Sector, DemoSeedOccupation[]>();
  for (const o of occupations) {
    const list = bySector.get(o.sector);
    if (list) list.push(o);
    else bySector.set(o.sector, [o]);
  }
  const sectors = [...bySector.keys()].map((s) => [s, SECTOR_WEIGHT[s]] as const);
  const start = opts.startId ?? 1;
  const out: DemoCandidate[] = new Array<DemoCandidate>(count);

  for (let n = 0; n < count; n++) {
    const lang: 'en' | 'pt' = r() < ptShare ? 'pt' : 'en';
    const sector = weighted(r, sectors);
    const occ = pick(r, bySector.get(sector) ?? occupations);
    const female = r() < 0.5;
    const intern = r() < 0.03;
    const band = weighted(r, YEAR_BANDS);
    const years = intern ? 0 : int(r, band[0], band[1]);
    const seniority = seniorityFor(r, years, sector, intern);
    const levelled = LEVELLED.has(sector) || r() < 0.25;
    const titles = lang === 'en' ? occ.en : female && occ.ptF?.length ? occ.ptF : occ.pt;
    // The first title is the most common spelling; others appear less often.
    const base = r() < 0.6 ? (titles[0] ?? occ.en[0] ?? occ.key) : pick(r, titles);
    const title = levelTitle(base, seniority, lang, sector, female, levelled);

    const nTools = occ.tools.length === 0 ? 0 : sector === 'tech' ? int(r, 3, 5) : int(r, 1, 3);
    const tools = sampleFront(r, occ.tools, Math.min(nTools, occ.tools.length), 10);
    const domain = sampleFront(r, lang === 'en' ? occ.skillsEn : occ.skillsPt, int(r, 2, 3), 6);
    const skills = [...new Set([...tools, ...domain])];

    const place = weighted(r, lang === 'en' ? EN_PLACES : BR_PLACES);
    const remote = r() < (sector === 'tech' ? 0.45 : sector === 'health' || sector === 'hospitality' ? 0.02 : 0.12);

    // Jobs, newest first: the current one and up to two earlier ones, adding up to `years`.
    const experience: CandidateExperience[] = [];
    let end: number | null = null;
    let left = Math.max(years, 1);
    let level = seniority;
    const jobs = years >= 6 ? int(r, 2, 3) : years >= 3 ? int(r, 1, 2) : 1;
    for (let j = 0; j < jobs && left > 0; j++) {
      const span = j === jobs - 1 ? left : Math.max(1, Math.min(left - 1, int(r, 1, Math.max(1, Math.ceil(left / 2)))));
      const endYear: number = end ?? DEMO_REFERENCE_YEAR;
      const startYear: number = endYear - span;
      const jobTitle = j === 0 ? title : levelTitle(base, level, lang, sector, female, levelled);
      const focus = domain[j % Math.max(1, domain.length)] ?? '';
      const tool = tools[j % Math.max(1, tools.length)];
      const description =
        lang === 'en'
          ? `${jobTitle} responsible for ${lowerFirst(focus)}${tool ? ` using ${tool}` : ''}.`
          : `Atuação como ${jobTitle} com foco em ${lowerFirst(focus)}${tool ? ` utilizando ${tool}` : ''}.`;
      experience.push({ title: jobTitle, company: company(r, lang, sector), startYear, endYear: end, description });
      end = startYear;
      left -= span;
      level = LOWER[level];
    }
    const employer = experience[0]?.company ?? '';

    const headline =
      lang === 'en'
        ? r() < 0.5
          ? `${title} at ${employer}`
          : `${title} | ${[...tools.slice(0, 2), ...domain.slice(0, 1)].join(' · ')}`
        : r() < 0.5
          ? `${title} na ${employer}`
          : `${title} | ${[...tools.slice(0, 2), ...domain.slice(0, 1)].join(' · ')}`;

    const sentences: string[] = [];
    const skillList = skills.slice(0, 4);
    if (lang === 'en') {
      sentences.push(
        years <= 1
          ? `${base} at the start of their career, with hands-on experience from internships and coursework.`
          : `${base} with ${years} years of experience in ${lowerFirst(domain[0] ?? SECTOR_NAME[sector].en)}.`,
      );
      if (skillList.length > 0) sentences.push(`Skilled in ${listEn(skillList)}.`);
      sentences.push(pick(r, EN_CLOSERS[sector]));
      if (r() < 0.5) sentences.push(`Based in ${place.city}${remote ? ' and open to remote work' : ''}.`);
    } else {
      sentences.push(
        years <= 1
          ? `${base} em início de carreira, com experiência prática em estágios e projetos acadêmicos.`
          : `${base} com ${years} anos de experiência em ${lowerFirst(domain[0] ?? SECTOR_NAME[sector].pt)}.`,
      );
      if (skillList.length > 0) sentences.push(`Conhecimentos em ${listPt(skillList)}.`);
      const closer = pick(r, PT_CLOSERS[sector]);
      sentences.push(female ? feminine(closer) : closer);
      if (r() < 0.5) sentences.push(`Mora em ${place.city}${remote ? ' e tem interesse em trabalho remoto' : ''}.`);
    }

    out[n] = {
      id: `demo-${String(start + n).padStart(6, '0')}`,
      version: 1,
      title,
      headline,
      summary: sentences.join(' '),
      skills,
      experience,
      location: { ...place },
      remote,
      yearsExperience: years,
      seniority,
      language: lang,
    };
  }
  return out;
}
