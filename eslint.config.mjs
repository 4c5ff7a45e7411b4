import nx from '@nx/eslint-plugin';

/**
 * Which scopes each scope may import: an account app may use only itself and scope:shared. scope:tooling (the
 * cloud-assembly readers and the AGPL IAM simulator) is for the tools that read cdk.out, never for apps or shared.
 */
const toolingUsers = ['rehearsal', 'trust-review'];
const scopes = ['orchestrator', 'sandbox', 'data', 'rehearsal', 'trust-review', 'workspace', 'tooling'];
const scopeConstraints = scopes.map((scope) => ({
  sourceTag: `scope:${scope}`,
  onlyDependOnLibsWithTags: [
    `scope:${scope}`,
    'scope:shared',
    ...(toolingUsers.includes(scope) ? ['scope:tooling'] : []),
  ],
}));

const accountAppImports = {
  group: ['@airlock/*-account', '@airlock/*-account/*'],
  message: 'An account app is deployed alone and is never imported: move what is shared into packages/shared.',
};
const toolingImports = {
  group: ['@airlock/cloud-assembly', '@airlock/cloud-assembly/*', '@cloud-copilot/iam-simulate'],
  message:
    'Dev tooling (cdk.out readers, the AGPL IAM simulator) is for the rehearsal and the trust review, never for apps or packages/shared.',
};

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
      'no-restricted-imports': ['error', { patterns: [accountAppImports] }],
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
    // Apps and packages/shared ship: the dev-only cloud-assembly package and the AGPL IAM simulator are forbidden by
    // name too, as hoisting would let an undeclared import resolve.
    files: ['apps/**/*.ts', 'apps/**/*.mjs', 'packages/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [accountAppImports, toolingImports] }] },
  },
  {
    // In a test, a wrong `!` throws and fails the test, which is what an assertion would do.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
