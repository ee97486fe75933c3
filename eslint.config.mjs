// ESLint for the whole workspace. The module-boundary rule is the architecture in code:
// an app may use only shared libs and libs of its own scope; libs never import apps; no app
// imports another app (only @strata/contracts crosses a service boundary).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The boundary test lints snippets that are not files on disk, which type-aware rules cannot do.
const typed = process.env.STRATA_ESLINT_UNTYPED !== '1';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/.data/**', '**/src/gen/**', '**/src/generated/**', '**/*.js', '**/*.mjs'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      // One TypeScript program for the whole workspace (tsconfig.typecheck.json, as the type-check uses):
      // one program per project tsconfig costs minutes and gigabytes.
      parserOptions: typed ? { project: ['./tsconfig.typecheck.json'], tsconfigRootDir: import.meta.dirname } : {},
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@strata/observability/register'],
          banTransitiveDependencies: false,
          depConstraints: [
            // what a project may depend on, by kind
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:client', 'type:contracts', 'type:observability', 'type:persistence', 'type:runtime', 'type:testing', 'type:util'] },
            // a client of the running platform (the quickstart pipeline): calls the services over their contracts
            // end-to-end tests: drive the built services from outside, with the testing helpers and the quickstart client
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:client', 'type:contracts', 'type:observability', 'type:runtime', 'type:testing', 'type:util'] },
            // benchmarks: drive the built services from outside, like the e2e tests, plus ONNX (a util lib) for the in-process floor
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:client', 'type:contracts', 'type:observability', 'type:persistence', 'type:runtime', 'type:testing', 'type:util'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:contracts', 'type:observability', 'type:runtime', 'type:util'] },
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contracts', 'type:observability', 'type:persistence', 'type:util'] },
            { sourceTag: 'type:persistence', onlyDependOnLibsWithTags: ['type:observability', 'type:util'] },
            { sourceTag: 'type:observability', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:client', 'type:contracts', 'type:observability', 'type:persistence', 'type:runtime', 'type:testing', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            // who may depend on whom, by scope: shared libs only on shared libs
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:feature-service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:feature-service'] },
            { sourceTag: 'scope:training-runner', onlyDependOnLibsWithTags: ['scope:shared', 'scope:training-runner'] },
            { sourceTag: 'scope:registry-service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry-service'] },
            { sourceTag: 'scope:inference-service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:inference-service'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tools'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared', 'scope:cli'] },
          ],
        },
      ],
      // Each lib is imported only through its public entry point.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@strata/*/src/**', '@strata/*/*', '!@strata/observability/register'], message: 'Import a Strata lib only through its entry point (@strata/<lib>).' }] },
      ],
      ...(typed
        ? {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
          }
        : {}),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
