#!/usr/bin/env node
// Compiles the optional native kernel addon (csrc/native.c → native/hh_diskann.node) with the
// machine's C compiler against Node's own headers. Runs at `pnpm install`; never fails the install:
// without a compiler or headers it says why and the engine uses the WebAssembly kernels.
// Usage: node scripts/build-native.mjs [--strict]   (--strict: exit 1 when the addon cannot be built)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const here = join(dirname(fileURLToPath(import.meta.url)), '..');
// HH_DISKANN_NATIVE_OUT: write elsewhere (tests build into a temp dir).
const out = process.env.HH_DISKANN_NATIVE_OUT || join(here, 'native', 'hh_diskann.node');

function skip(reason) {
  console.log(`@hh/diskann: native kernels not built (${reason}); the WebAssembly kernels will be used`);
  process.exit(strict ? 1 : 0);
}

if (process.platform === 'win32' || process.arch !== 'x64') skip(`${process.platform}/${process.arch}: the addon targets x86-64 AVX2`);
// Node's headers: next to the binary (official tarballs, Debian's nodejs-dev) or npm's nodedir.
const candidates = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
].filter(Boolean);
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (!include) skip(`node_api.h not found in ${candidates.join(', ')}`);
const cc = process.env.CC || 'cc';
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const args = ['-O3', '-fPIC', '-shared', '-std=c11', '-Wall', '-Werror', `-I${include}`, '-o', tmp, join(here, 'csrc', 'native.c')];
const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error || r.status !== 0) {
  rmSync(tmp, { force: true });
  skip(`${cc} ${r.error ? `unavailable: ${r.error.message}` : `exited ${r.status}`}`);
}
// Rename into place: a worker loading the addon never sees a half-written file.
renameSync(tmp, out);
console.log(`@hh/diskann: built ${out}`);
