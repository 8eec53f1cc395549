#!/usr/bin/env node
/**
 * Checks the ops assets: node infra/validate.mjs (exit 1 on any problem).
 *  - infra/prometheus/{rules.yml,prometheus.yml} parse as YAML; every rule has alert|record, expr,
 *    a `for` duration, severity warning|critical and summary/description annotations; PromQL
 *    brackets balance; with `promtool` on PATH (Debian package `prometheus`) also
 *    `promtool check rules`, `promtool check config` and the alert unit tests in rules.test.yml.
 *  - infra/grafana/hh-fleet.json parses, panel ids are unique, every target has an expr, and it is
 *    byte-identical to what infra/grafana/build-dashboard.mjs generates (no hand edits drift).
 *  - Every hh_* metric name used by the rules and the dashboard is defined somewhere in
 *    services/* or packages/* source (a typo would give an empty panel or an alert that never fires);
 *    prom-client default metrics (nodejs_*, process_*) under a service prefix are accepted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const problems = [];
const bad = (where, msg) => problems.push(`${where}: ${msg}`);

/** The `yaml` package: a dependency of the toolchain, not of the repo root, so look in pnpm's store too. */
async function loadYaml() {
  try {
    return await import('yaml');
  } catch {}
  const store = join(root, 'node_modules/.pnpm');
  const dir = existsSync(store) ? readdirSync(store).filter((d) => /^yaml@2\./.test(d)).sort().pop() : undefined;
  if (!dir) throw new Error('the `yaml` package is not installed (pnpm install at the repo root)');
  return createRequire(import.meta.url)(join(store, dir, 'node_modules/yaml'));
}

function balanced(expr) {
  const pairs = { ')': '(', ']': '[', '}': '{' };
  const stack = [];
  let quote = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0 && quote === null;
}

// ---------- metric names known to the code ----------
function sourceFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mjs|js)$/.test(name) && !/\.test\./.test(name)) out.push(p);
  }
  return out;
}
const source = [...sourceFiles(join(root, 'services')), ...sourceFiles(join(root, 'packages'))].map((f) => readFileSync(f, 'utf8')).join('\n');
const prefixes = new Set(['hh_search', 'hh_embed', 'hh_rerank']);
const histogramSuffix = /_(bucket|count|sum)$/;

function metricKnown(name) {
  if (source.includes(`'${name}'`) || source.includes(`"${name}"`) || source.includes(`\`${name}\``)) return true;
  const base = name.replace(histogramSuffix, '');
  if (base !== name && metricKnown(base)) return true;
  // `${prefix}_request_duration_seconds` from service-kit, with metricPrefix set per service.
  for (const p of prefixes) {
    if (!name.startsWith(`${p}_`)) continue;
    const rest = name.slice(p.length + 1);
    if (/^(nodejs|process)_/.test(rest)) return true; // prom-client collectDefaultMetrics({ prefix })
    if (rest.replace(histogramSuffix, '') === 'request_duration_seconds' && source.includes("metricPrefix: '" + p + "'")) return true;
  }
  return false;
}

function checkMetrics(where, expr) {
  // Expand hh_(a|b)_x alternations used in __name__ regexes into concrete names.
  const expanded = expr.replace(/hh_\(([a-z|]+)\)_([a-z0-9_]+)/g, (_m, alts, rest) => alts.split('|').map((a) => `hh_${a}_${rest}`).join(' '));
  for (const name of new Set(expanded.match(/\bhh_[a-z0-9_]*[a-z0-9]\b/g) ?? [])) {
    if (!metricKnown(name)) bad(where, `metric ${name} is not defined in services/ or packages/ source`);
  }
}

// ---------- Prometheus ----------
const YAML = await loadYaml();
const rulesPath = join(here, 'prometheus/rules.yml');
const configPath = join(here, 'prometheus/prometheus.yml');
function parseYaml(path) {
  try {
    return YAML.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    bad(path.slice(root.length + 1), `not valid YAML: ${err.message.split('\n')[0]}`);
    return null;
  }
}
const rules = parseYaml(rulesPath);
let ruleCount = 0;
const names = new Set();
if (!Array.isArray(rules?.groups) || rules.groups.length === 0) bad('rules.yml', 'needs a non-empty groups list');
for (const g of rules?.groups ?? []) {
  if (!g.name) bad('rules.yml', 'a group has no name');
  for (const r of g.rules ?? []) {
    ruleCount++;
    const id = `rules.yml ${g.name}/${r.alert ?? r.record ?? '?'}`;
    if (!r.alert && !r.record) bad(id, 'rule has neither alert nor record');
    if (r.alert && names.has(r.alert)) bad(id, 'duplicate alert name');
    names.add(r.alert ?? r.record);
    if (typeof r.expr !== 'string' || !r.expr.trim()) bad(id, 'missing expr');
    else {
      if (!balanced(r.expr)) bad(id, 'unbalanced brackets or quotes in expr');
      checkMetrics(id, r.expr);
    }
    if (r.alert) {
      if (!/^\d+[smh]$/.test(String(r.for ?? ''))) bad(id, '`for` must be a duration like 5m');
      if (!['warning', 'critical'].includes(r.labels?.severity)) bad(id, 'labels.severity must be warning or critical');
      if (!r.annotations?.summary || !r.annotations?.description) bad(id, 'annotations.summary and annotations.description are required');
    }
  }
}
const config = parseYaml(configPath);
const jobs = (config?.scrape_configs ?? []).map((s) => s.job_name);
for (const j of ['hh-search', 'hh-embed', 'hh-rerank']) if (!jobs.includes(j)) bad('prometheus.yml', `no scrape job ${j}`);
if (!(config?.rule_files ?? []).includes('rules.yml')) bad('prometheus.yml', 'rule_files should load rules.yml');

let promtool = false;
try {
  execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  promtool = true;
} catch {}
if (promtool) {
  for (const [args, what] of [[['check', 'rules', rulesPath], 'promtool check rules'], [['check', 'config', configPath], 'promtool check config'], [['test', 'rules', join(here, 'prometheus/rules.test.yml')], 'promtool test rules']]) {
    try {
      execFileSync('promtool', args, { cwd: dirname(configPath), encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      bad(what, `${err.stdout ?? ''}${err.stderr ?? ''}`.trim());
    }
  }
}

// ---------- Grafana ----------
const dashPath = join(here, 'grafana/hh-fleet.json');
const dashText = readFileSync(dashPath, 'utf8');
const dash = JSON.parse(dashText);
const ids = new Set();
let targets = 0;
for (const p of dash.panels ?? []) {
  if (ids.has(p.id)) bad(`hh-fleet.json panel ${p.id}`, 'duplicate panel id');
  ids.add(p.id);
  if (!p.gridPos || [p.gridPos.h, p.gridPos.w, p.gridPos.x, p.gridPos.y].some((v) => typeof v !== 'number')) bad(`panel "${p.title}"`, 'gridPos incomplete');
  if (p.gridPos && p.gridPos.x + p.gridPos.w > 24) bad(`panel "${p.title}"`, 'wider than the 24-column grid');
  if (p.type === 'row') continue;
  if (!p.targets?.length) bad(`panel "${p.title}"`, 'no targets');
  for (const t of p.targets ?? []) {
    targets++;
    if (typeof t.expr !== 'string' || !t.expr.trim()) bad(`panel "${p.title}"`, 'target without expr');
    else {
      if (!balanced(t.expr)) bad(`panel "${p.title}"`, 'unbalanced brackets or quotes in expr');
      checkMetrics(`panel "${p.title}"`, t.expr);
    }
  }
}
const { dashboardJson } = await import('./grafana/build-dashboard.mjs');
if (dashboardJson !== dashText) bad('hh-fleet.json', 'differs from infra/grafana/build-dashboard.mjs output; run `node infra/grafana/build-dashboard.mjs`');

if (problems.length) {
  console.error(`infra: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `infra ok: ${ruleCount} rules in ${rules?.groups?.length} groups${promtool ? ' (promtool check rules/config and rule unit tests passed)' : ' (promtool not installed: structural checks only)'}; ` +
    `dashboard ${dash.panels.length} panels, ${targets} queries; all metric names defined in source`,
);
