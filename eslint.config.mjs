import nx from '@nx/eslint-plugin';

/** Which scopes each scope may import: an account app may use only itself and packages/* (scope:shared). */
const scopes = ['orchestrator', 'sandbox', 'data', 'rehearsal', 'trust-review', 'workspace'];
const scopeConstraints = scopes.map((scope) => ({
  sourceTag: `scope:${scope}`,
  onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
}));

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules/**', '**/cdk.out/**', '**/dist/**', '**/out/**', '**/test/fixtures/**'],
  },
  {
    // Source and tests; root-level tool configs (vitest.config.ts) may extend the workspace's shared config file.
    files: ['**/src/**/*.ts', '**/test/**/*.ts', '**/runner/**/*.ts'],
    rules: {
      // `const { omitted, ...rest } = x` is the idiom for leaving a field out.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
      // Nx resolves a workspace package only through declared dependencies, but npm workspaces hoist every app into
      // node_modules, so an undeclared `@airlock/<x>-account` import would still work: forbid it by name.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@airlock/*-account', '@airlock/*-account/*'],
              message:
                'An account app is deployed alone and is never imported: move what is shared into packages/shared.',
            },
          ],
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            ...scopeConstraints,
          ],
        },
      ],
    },
  },
  {
    // In a test, a wrong `!` throws and fails the test, which is what an assertion would do.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
