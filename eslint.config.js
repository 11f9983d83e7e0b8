// ESLint (flat config): typescript-eslint's type-aware recommended rules, and import-x for imports
// that resolve and never form a cycle (type-only cycles are dpdm's, in `npm run lint`).
// Formatting is Prettier's; no rule here is about layout.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // What .gitignore lists (built, generated or local data), and the generated row types.
  { ignores: ['public/build/', '.lantern/', '.lantern-*/', 'dist/', 'test-results/', 'src/db/types.generated.ts'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Imports name their files with the extension (`./service.ts`), so Node's own resolution finds them.
    settings: { 'import-x/resolver-next': [createNodeResolver()] },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-unresolved': 'error',
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      // A leading underscore marks a parameter a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Off: `async` without `await` is how a function meets a Promise-returning interface (a
      // feature's register, a Fastify hook), and it turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // Off: Kysely's expression builder is made to be destructured (`({ eb, exists, selectFrom }) =>`,
      // its functions bound), which this rule reports as unbound methods.
      '@typescript-eslint/unbound-method': 'off',
      // Off: every control-character class in Lantern is deliberate (input guards refuse them, the
      // refusal log strips them), and the rule cannot tell a deliberate one from a stray one.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The browser's scripts: the asset build (web/assets/build.ts) copies GOV.UK Frontend's and Cytoscape's modules beside them.
    files: ['src/web/assets/**/*.js'],
    languageOptions: { globals: globals.browser },
    rules: { 'import-x/no-unresolved': ['error', { ignore: ['^\\./govuk-frontend\\.min\\.js$', '^\\./cytoscape\\.esm\\.min\\.mjs$'] }] },
  },
);
