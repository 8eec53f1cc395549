/**
 * k6: search scenarios from ../scenarios.js (group "search"), one after another.
 *   k6 run loadtest/k6/search.js
 *   HH_URL=http://host:8080 HH_API_KEY=… SCENARIOS=search_jd_uncached DURATION=20s k6 run loadtest/k6/search.js
 */
import { buildOptions, runOne, setupData } from './lib.js';

export const options = buildOptions('search');

export function setup() {
  return setupData();
}

export function run(data) {
  runOne(data);
}
