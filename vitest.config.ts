import { defineConfig } from 'vitest/config';

// One runner for the whole workspace. Workspace packages resolve to their TypeScript
// sources through the "@hh/source" export condition, so tests never need a prior build
// (except code that spawns worker_threads, which loads compiled files).
export default defineConfig({
  resolve: { conditions: ['@hh/source'] },
  ssr: { resolve: { conditions: ['@hh/source'] } },
  test: {
    // HH_TEST_CANARY=1 runs only the deliberately failing canary (.ci/run checks the exit status).
    include: process.env.HH_TEST_CANARY
      ? ['scripts/canary/*.test.ts']
      : ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'scripts/eval/*.test.mjs'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    globalSetup: ['./scripts/vitest-global-setup.ts'],
  },
});
