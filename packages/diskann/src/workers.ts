// Spawning worker threads that run compiled JavaScript from dist/, or — when this module itself runs
// from TypeScript source (vitest, tsx scripts) — the .ts worker through tsx's programmatic API
// (Node 20 does not apply `--import tsx` loader hooks inside worker threads reliably).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export function spawnEngineWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const require = createRequire(import.meta.url);
    // The ESM build of tsx's API (require.resolve would pick the CommonJS one).
    const api = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./worker.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
    return new Worker(code, { eval: true, execArgv: [] });
  }
  return new Worker(new URL('./worker.js', import.meta.url), { execArgv: [] });
}
