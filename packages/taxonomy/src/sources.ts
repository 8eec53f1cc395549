/**
 * Readers for the shipped taxonomy files (packages/taxonomy/data). Pure file parsing, no database:
 * the loader and the demo-seed builder both use them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';

const here = dirname(fileURLToPath(import.meta.url));
/** <package>/data, both from src/ (tests, tsx) and dist/ (built). */
export const defaultDataDir = resolve(here, '..', 'data');

export type TaxonomySource = 'onet' | 'esco' | 'cbo';
export type AliasKind = 'title' | 'alternate' | 'reported' | 'synonym';

export interface SourceOccupation {
  source: TaxonomySource;
  code: string;
  title: string;
  lang: 'en' | 'pt';
  description: string;
  aliases: Array<{ alias: string; kind: AliasKind }>;
}

export interface SourceSkill {
  code: string; // O*NET-SOC code
  skill: string;
  hot: boolean;
}

/** Files the loader reads, relative to the data dir; a ".gz" copy is used when the plain one is absent. */
export const DATA_FILES = {
  onetOccupations: 'onet-27/Occupation Data.txt',
  onetAlternate: 'onet-27/Alternate Titles.txt',
  onetReported: 'onet-27/Sample of Reported Titles.txt',
  onetTech: 'onet-27/Technology Skills.txt',
  esco: 'esco-1.0.8/occupations_en.csv',
  cboOccupations: 'cbo-2002/CBO2002 - Ocupacao.utf8.csv',
  cboSynonyms: 'cbo-2002/CBO2002 - Sinonimo.utf8.csv',
  cboFamilies: 'cbo-2002/CBO2002 - Familia.utf8.csv',
  crosswalk: 'common-occupations.json',
} as const;

export function readDataFile(dataDir: string, rel: string): string {
  const plain = join(dataDir, rel);
  if (existsSync(plain)) return readFileSync(plain, 'utf8');
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return gunzipSync(readFileSync(gz)).toString('utf8');
  throw new Error(`taxonomy data file missing: ${plain}(.gz)`);
}

/** Content hash of every file the loader reads: a changed file means a different taxonomy version. */
export function dataFingerprint(dataDir: string): string {
  const h = createHash('sha256');
  for (const rel of Object.values(DATA_FILES)) h.update(rel).update('\0').update(readDataFile(dataDir, rel)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Tab-separated O*NET file → rows of fields (header dropped). O*NET files are unquoted. */
function tsv(text: string): string[][] {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** CBO "CODIGO;TITULO" files. Split on the first ";" only: titles are unquoted and may contain quotes. */
function cboRows(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split('\n').slice(1)) {
    const i = line.indexOf(';');
    if (i <= 0) continue;
    const code = line.slice(0, i).trim();
    const title = line.slice(i + 1).trim();
    if (code && title) out.push([code, title]);
  }
  return out;
}

export function readOnet(dataDir: string): { occupations: SourceOccupation[]; skills: SourceSkill[] } {
  const byCode = new Map<string, SourceOccupation>();
  for (const [code, title, description] of tsv(readDataFile(dataDir, DATA_FILES.onetOccupations))) {
    if (!code || !title) continue;
    byCode.set(code, { source: 'onet', code, title, lang: 'en', description: description ?? '', aliases: [{ alias: title, kind: 'title' }] });
  }
  for (const [code, alt, short] of tsv(readDataFile(dataDir, DATA_FILES.onetAlternate))) {
    const occ = code ? byCode.get(code) : undefined;
    if (!occ || !alt) continue;
    occ.aliases.push({ alias: alt, kind: 'alternate' });
    // The short title ("RN" for "Registered Nurse") is how people write it on a CV.
    if (short && short !== 'n/a') occ.aliases.push({ alias: short, kind: 'alternate' });
  }
  for (const [code, reported] of tsv(readDataFile(dataDir, DATA_FILES.onetReported))) {
    const occ = code ? byCode.get(code) : undefined;
    if (occ && reported) occ.aliases.push({ alias: reported, kind: 'reported' });
  }
  const skills: SourceSkill[] = [];
  for (const [code, example, , , hot] of tsv(readDataFile(dataDir, DATA_FILES.onetTech))) {
    if (code && example && byCode.has(code)) skills.push({ code, skill: example, hot: hot === 'Y' });
  }
  return { occupations: [...byCode.values()], skills };
}

/** ESCO concept URI → the stable code we store (the URI itself, so links resolve). */
export function readEsco(dataDir: string): SourceOccupation[] {
  const records = parse(readDataFile(dataDir, DATA_FILES.esco), { columns: true, skip_empty_lines: true, relax_quotes: false }) as Array<
    Record<string, string | undefined>
  >;
  const out: SourceOccupation[] = [];
  for (const r of records) {
    const code = r.conceptUri?.trim();
    const title = r.preferredLabel?.trim();
    if (!code || !title || (r.status && r.status !== 'released')) continue;
    const aliases: SourceOccupation['aliases'] = [{ alias: title, kind: 'title' }];
    for (const field of [r.altLabels, r.hiddenLabels]) {
      for (const a of (field ?? '').split('\n')) if (a.trim()) aliases.push({ alias: a.trim(), kind: 'synonym' });
    }
    out.push({ source: 'esco', code, title, lang: 'en', description: (r.description ?? '').trim(), aliases });
  }
  return out;
}

export function readCbo(dataDir: string): SourceOccupation[] {
  const families = new Map(cboRows(readDataFile(dataDir, DATA_FILES.cboFamilies)));
  const byCode = new Map<string, SourceOccupation>();
  for (const [code, title] of cboRows(readDataFile(dataDir, DATA_FILES.cboOccupations))) {
    const fam = families.get(code.slice(0, 4));
    byCode.set(code, {
      source: 'cbo',
      code,
      title,
      lang: 'pt',
      description: fam ? `Família CBO ${code.slice(0, 4)}: ${fam}` : '',
      aliases: [{ alias: title, kind: 'title' }],
    });
  }
  for (const [code, syn] of cboRows(readDataFile(dataDir, DATA_FILES.cboSynonyms))) {
    byCode.get(code)?.aliases.push({ alias: syn, kind: 'synonym' });
  }
  return [...byCode.values()];
}

/**
 * Our hand-made crosswalk of common occupations (data/common-occupations.json): links an O*NET,
 * ESCO and CBO occupation that name the same job and gives everyday titles in both languages.
 * The loader adds those titles as synonyms to every linked occupation, so an English query
 * reaches Portuguese candidates and vice versa; the demo generator draws its profiles from it.
 */
export interface CommonOccupation {
  key: string;
  sector: 'tech' | 'health' | 'finance' | 'sales' | 'operations' | 'education' | 'legal' | 'creative' | 'hr' | 'engineering' | 'hospitality';
  onet: string;
  esco?: string;
  cbo: string[];
  en: string[];
  pt: string[];
  ptF?: string[];
  /** Hand-picked tools for occupations whose O*NET list is long and undifferentiated (software). */
  tools?: string[];
  skillsEn: string[];
  skillsPt: string[];
}

export function readCrosswalk(dataDir: string): CommonOccupation[] {
  return (JSON.parse(readDataFile(dataDir, DATA_FILES.crosswalk)) as { occupations: CommonOccupation[] }).occupations;
}
