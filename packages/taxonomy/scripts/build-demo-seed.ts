/** Regenerates data/demo-seed.json (see src/demo-seed.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoSeed } from '../src/demo-seed.js';
import { defaultDataDir } from '../src/sources.js';

const seed = buildDemoSeed();
const file = join(defaultDataDir, 'demo-seed.json');
writeFileSync(file, `${JSON.stringify(seed, null, 1)}\n`);
console.log(`wrote ${file}: ${seed.occupations.length} occupations`);
