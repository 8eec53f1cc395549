/**
 * Builds the demo generator's compact seed (data/demo-seed.json) from the crosswalk of common
 * occupations and the O*NET Technology Skills file. Run `pnpm --filter @hh/taxonomy demo-seed`
 * after changing either; test/demo.test.ts fails when the committed file drifts from this output.
 */
import { defaultDataDir, readCrosswalk, readOnet, type CommonOccupation } from './sources.js';

export interface DemoSeedOccupation extends Omit<CommonOccupation, 'onet' | 'esco' | 'cbo'> {
  /** Tools and technologies (O*NET hot technologies first), as people write them on a CV. */
  tools: string[];
}

export interface DemoSeed {
  about: string;
  occupations: DemoSeedOccupation[];
}

const RENAME: Record<string, string> = {
  'Amazon Web Services AWS': 'AWS',
  'Amazon Web Services AWS CloudFormation': 'AWS CloudFormation',
  'Amazon Elastic Compute Cloud EC2': 'Amazon EC2',
  'Amazon Simple Storage Service S3': 'Amazon S3',
  'Microsoft Visual Basic for Applications VBA': 'VBA',
  'Oracle Java': 'Java',
  'Atlassian JIRA': 'Jira',
  'Microsoft Azure': 'Azure',
  'Google Cloud software': 'Google Cloud',
  'Intuit QuickBooks': 'QuickBooks',
  'Epic Systems': 'Epic EHR',
};
const DROP = new Set(['Database', 'Statistical', 'Spreadsheet', 'Testing', 'Accounting', 'Billing', 'Recordkeeping', 'Inventory', 'Scheduling', 'Presentation', 'Analytical', 'Calendar', 'Graphics', 'Project management', 'Word processing', 'Instant messaging', 'Video conferencing', 'Mobile', 'Microsoft Windows', 'Microsoft Exchange', 'IBM Notes', 'YouTube', 'LinkedIn', 'Facebook', 'Email', 'Web browser', 'Microsoft Outlook']);

/** "Ansible software" → "Ansible" (by hand: `/\s+software$/` would rescan a run of spaces from each of its positions). */
function withoutSoftwareSuffix(text: string): string {
  if (!text.endsWith('software')) return text;
  const head = text.slice(0, -'software'.length);
  const trimmed = head.trimEnd();
  return trimmed.length < head.length ? trimmed : text;
}

/** "Adobe Systems Adobe Photoshop" → "Adobe Photoshop", "Cascading style sheets CSS" → "CSS", "Ansible software" → "Ansible". */
export function toolName(example: string): string | undefined {
  let name = withoutSoftwareSuffix(example).trim();
  if (RENAME[name]) return RENAME[name];
  if (RENAME[example]) return RENAME[example];
  name = name.replace(/^Adobe Systems /u, '');
  const words = name.split(' ');
  const last = words[words.length - 1] ?? '';
  // A descriptive phrase followed by its acronym: keep the acronym.
  if (words.length >= 3 && /^[A-Z][A-Z0-9#+.]{1,6}$/u.test(last) && words.slice(1, -1).some((w) => /^[a-z]/u.test(w))) name = last;
  // A generic category ("Medical condition coding") is not a tool.
  if (words.length >= 2 && name === withoutSoftwareSuffix(example) && words.slice(1).every((w) => /^[a-z]/u.test(w))) return undefined;
  if (DROP.has(name) || name.length > 32) return undefined;
  return name;
}

/**
 * Tools of an occupation ranked the way a CV lists them: hot technologies that many occupations
 * of the same SOC major group use (Python for developers, Epic for nurses) before ubiquitous ones
 * (Excel) and one-vendor niche packages. Occupations O*NET lists no tools for borrow their
 * group's top tools.
 */
export function buildDemoSeed(dataDir = defaultDataDir): DemoSeed {
  const { skills } = readOnet(dataDir);
  const group = (code: string) => code.slice(0, 2);
  const byCode = new Map<string, Map<string, boolean>>();
  const global = new Map<string, number>();
  const inGroup = new Map<string, number>();
  for (const s of skills) {
    const name = toolName(s.skill);
    if (!name) continue;
    let tools = byCode.get(s.code);
    if (!tools) byCode.set(s.code, (tools = new Map()));
    if (tools.has(name)) {
      if (s.hot) tools.set(name, true);
      continue;
    }
    tools.set(name, s.hot);
    global.set(name, (global.get(name) ?? 0) + 1);
    const gk = `${group(s.code)}\u0000${name}`;
    inGroup.set(gk, (inGroup.get(gk) ?? 0) + 1);
  }
  const score = (code: string, name: string, hot: boolean) =>
    ((hot ? 2 : 1) * (inGroup.get(`${group(code)}\u0000${name}`) ?? 0)) / Math.sqrt(global.get(name) ?? 1);
  const ranked = (code: string): string[] =>
    [...(byCode.get(code) ?? new Map<string, boolean>())]
      .map(([name, hot]) => ({ name, s: score(code, name, hot) }))
      .sort((a, b) => b.s - a.s || (a.name < b.name ? -1 : 1))
      .map((t) => t.name);
  const groupTop = (code: string): string[] => {
    const g = group(code);
    return [...inGroup]
      .filter(([k]) => k.startsWith(`${g}\u0000`))
      .map(([k, n]) => ({ name: k.slice(g.length + 1), s: n / Math.sqrt(global.get(k.slice(g.length + 1)) ?? 1) }))
      .sort((a, b) => b.s - a.s || (a.name < b.name ? -1 : 1))
      .map((t) => t.name);
  };
  const occupations = readCrosswalk(dataDir).map(({ onet, esco: _esco, cbo: _cbo, tools: curated, ...rest }) => {
    let tools = [...new Set([...(curated ?? []), ...ranked(onet)])];
    if (tools.length < 6) tools = [...new Set([...tools, ...groupTop(onet)])];
    // Curated lists are complete on their own; O*NET's long tail would only dilute them.
    return { ...rest, tools: tools.slice(0, curated ? curated.length : 16) };
  });
  return {
    about:
      'Generated by packages/taxonomy/src/demo-seed.ts from data/common-occupations.json and O*NET 27.0 Technology Skills (CC BY 4.0, see ATTRIBUTION.md). Do not edit by hand.',
    occupations,
  };
}
