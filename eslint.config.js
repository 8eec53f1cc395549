import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

// ReDoS check: eslint-plugin-regexp (actively maintained, pure JS, understands `u`/`v` flags and
// follows `new RegExp(...)` built from constants). Two of its rules are the ones that matter for
// untrusted text:
// - no-super-linear-backtracking: one match attempt that can backtrack polynomially or exponentially
//   (quantifiers that can trade characters, e.g. /(a+)+$/ or /\s*\s*x/);
// - no-super-linear-move: an attempt that costs O(n) and fails, repeated at each of the n start
//   positions the engine moves through (e.g. /\p{L}+-\p{L}+/ on a long run of letters: O(n²)).
// The second one is not in the plugin's recommended set; we want it as an error everywhere, because
// every regex in src/ may see request text. A justified exception is an inline
// `eslint-disable-next-line regexp/no-super-linear-move -- <why the input is bounded>`.
const redos = {
  plugins: { regexp },
  rules: {
    'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
    'regexp/no-super-linear-move': ['error', { ignoreSticky: false, ignorePartial: false }],
  },
};

export default tseslint.config(
  // scripts/canary/quadratic-regex.ts must fail this lint; .ci/canary checks that it does.
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/diskann/wasm/**', 'scripts/canary/quadratic-regex.ts'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts', 'scripts/*.ts', 'scripts/canary/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Scripts and tooling in plain JavaScript get only the ReDoS rules (they are not type-checked).
  { files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'], ...redos },
);
