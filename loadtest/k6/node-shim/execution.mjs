// The parts of k6/execution that loadtest/k6/lib.js reads; check.mjs sets them per simulated iteration.
export default { scenario: { name: '' }, vu: { idInTest: 1, iterationInScenario: 0 } };
