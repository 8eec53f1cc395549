#!/usr/bin/env node
/**
 * taxonomy CLI. `node dist/cli.js load [--force] [--data-dir DIR]` loads the shipped taxonomies
 * into DATABASE_URL (migrations must already be applied); `lookup <text…>` prints matches.
 */
import { parseArgs } from 'node:util';
import { createPool } from '@hh/db';
import { loadTaxonomy } from './load.js';
import { lookupOccupations } from './lookup.js';

const USAGE = 'usage: taxonomy load [--force] [--data-dir DIR] | taxonomy lookup [--lang en|pt] [--limit N] <text…>';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      lang: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set');
    return 2;
  }
  if (command !== 'load' && command !== 'lookup') {
    console.error(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const lang = values.lang;
  if (lang !== undefined && lang !== 'en' && lang !== 'pt') {
    console.error('--lang must be en or pt');
    return 2;
  }
  const pool = createPool(url, { max: 2, applicationName: 'hh-taxonomy-cli', statementTimeoutMs: 120_000 });
  try {
    if (command === 'load') {
      const r = await loadTaxonomy(pool, { force: values.force, ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) });
      console.log(
        r.skipped
          ? `taxonomy ${r.version} already loaded (${r.occupations.onet} O*NET, ${r.occupations.esco} ESCO, ${r.occupations.cbo} CBO occupations)`
          : `loaded taxonomy ${r.version}: ${r.occupations.onet} O*NET, ${r.occupations.esco} ESCO, ${r.occupations.cbo} CBO occupations, ${r.aliases} aliases, ${r.skills} skills in ${(r.ms / 1000).toFixed(1)} s`,
      );
      return 0;
    }
    const text = rest.join(' ');
    const limit = values.limit ? Number(values.limit) : 10;
    if (!text.trim() || !Number.isInteger(limit) || limit < 1) {
      console.error(USAGE);
      return 2;
    }
    for (const m of await lookupOccupations(pool, text, { limit, ...(lang ? { lang } : {}) })) {
      console.log(`${m.confidence.toFixed(3)}\t${m.method}\t${m.source}\t${m.code}\t${m.title}\t(matched "${m.matched}")`);
    }
    return 0;
  } finally {
    await pool.end();
  }
}

// Explicit exit with the command's status: scripts must see failures, whatever handles are still open.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
