/**
 * k6: ingest scenarios from ../scenarios.js (group "ingest"), one after another. Writes new
 * candidates with ids lt-<RUN_ID>-… into the key's tenant; use a throwaway tenant or delete them.
 *   k6 run loadtest/k6/ingest.js
 *   SCENARIOS=ingest_bulk DURATION=10s k6 run loadtest/k6/ingest.js
 */
import { buildOptions, runOne, setupData } from './lib.js';

export const options = buildOptions('ingest');

export function setup() {
  return setupData();
}

export function run(data) {
  runOne(data);
}
