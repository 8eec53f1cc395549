/**
 * The services' own compiled code the benchmark reuses, so that what it generates offline (COPY
 * loading, the peer's SQL, query texts) is exactly what the services compute: candidate derivation
 * and the full-text statement from hh-search, the built-in embedding model from hh-embed, the
 * service-token signer from service-kit. Everything comes from `dist/`: run `pnpm build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadServiceModules(root) {
  const imp = (rel) => {
    const file = join(root, rel);
    if (!existsSync(file)) throw new Error(`${rel} is missing: run \`pnpm build\` first`);
    return import(pathToFileURL(file).href);
  };
  const [derive, repository, queryText, filters, readRepository, embed, serviceKit] = await Promise.all([
    imp('services/hh-search/dist/candidates/derive.js'),
    imp('services/hh-search/dist/candidates/repository.js'),
    imp('services/hh-search/dist/search/query-text.js'),
    imp('services/hh-search/dist/search/filters.js'),
    imp('services/hh-search/dist/search/read-repository.js'),
    imp('services/hh-embed/dist/index.js'),
    imp('packages/service-kit/dist/index.js'),
  ]);
  return {
    deriveCandidate: derive.deriveCandidate,
    withJoinedCompounds: derive.withJoinedCompounds,
    canonicalJson: repository.canonicalJson,
    vectorText: queryText.vectorText,
    ftsQuery: queryText.ftsQuery,
    compileFilters: filters.compileFilters,
    createSearchReadRepository: readRepository.createSearchReadRepository,
    createBuiltinEmbedder: embed.createBuiltinEmbedder,
    builtinModelId: embed.builtinModelId,
    ServiceTokenSigner: serviceKit.ServiceTokenSigner,
  };
}

/**
 * Runs `psql <url> -c <command>` with `produce(write)` feeding its stdin (for `\copy … FROM pstdin`).
 * `write(chunk)` resolves once psql has taken the chunk (backpressure). Rejects with psql's stderr.
 */
export async function psqlCopy(url, command, produce) {
  const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b.toString()));
  const exited = new Promise((res, rej) => {
    child.once('error', (err) => rej(new Error(`psql could not be started (${err.message}); it is needed for COPY`)));
    child.once('exit', (code) => res(code));
  });
  let broken;
  child.stdin.on('error', (err) => (broken = err));
  const write = (chunk) =>
    new Promise((res, rej) => {
      if (broken) return rej(new Error(`psql stopped reading: ${stderr.trim() || broken.message}`));
      if (child.stdin.write(chunk)) res();
      else child.stdin.once('drain', res);
    });
  try {
    await produce(write);
  } finally {
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`psql ${command.slice(0, 80)}… failed (exit ${code}): ${stderr.trim().slice(0, 1000)}`);
}

/** Escapes a value for COPY's text format (backslash, tab, newline, carriage return). */
export function copyText(s) {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
