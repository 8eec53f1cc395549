/** Assertions the property tests share: no server errors, and errors in the problem+json shape. */
import { expect } from 'vitest';
import { problemJson } from '@hh/testkit';
import type { ApiResponse } from './harness.js';

export function expectNoServerError(res: ApiResponse, what: string): void {
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 500)}`).toBeLessThan(500);
}

export function expectProblem(res: ApiResponse, what: string): void {
  expectNoServerError(res, what);
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  expect(problemJson.parse(res.body).status, what).toBe(res.status);
}
