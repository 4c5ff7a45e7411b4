import nx from '@nx/eslint-plugin';

/**
 * Which scopes each scope may import: an account app may use only itself, packages/shared and the contracts; the
 * contracts (scope:contracts) depend on nothing of ours, so anyone can bundle them. scope:tooling (the cloud-assembly
 * readers and the AGPL IAM simulator) is for the tools that read cdk.out, never for apps or shared. The workspace
 * tools (airlock-deploy verify, through packages/post-deploy) read cdk.out to compare it with what was deployed.
 */
const toolingUsers = ['rehearsal', 'trust-review', 'workspace'];
const scopes = ['orchestrator', 'sandbox', 'data', 'rehearsal', 'trust-review', 'workspace', 'tooling'];
const scopeConstraints = [
  ...scopes.map((scope) => ({
    sourceTag: `scope:${scope}`,
    onlyDependOnLibsWithTags: [
      `scope:${scope}`,
      'scope:shared',
      'scope:contracts',
      ...(toolingUsers.includes(scope) ? ['scope:tooling'] : []),
    ],
  })),
  { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
];

/**
 * Code that ships into a Lambda or the runner image may import only the contracts, node built-ins, its own folder
 * and its declared bundled dependencies: nothing of the CDK kit, zod or the environment files. `allowed` are regular
 * expressions of import specifiers.
 */
const BUNDLED_CODE_IMPORTS = [
  {
    what: 'Lambda handler',
    files: ['apps/data-account/src/functions/**/*.ts'],
    // Its own function's folder and functions/common (one level up, never further).
    allowed: ['node:', '\\./', '\\.\\./(?!\\.\\.)', 'valibot$', 'tar$', '@aws-lambda-powertools/', '@aws-sdk/'],
    deps: 'node built-ins (node:), its own folder, valibot, tar, Powertools, AWS SDK clients',
  },
  {
    what: 'Runner',
    files: ['apps/sandbox-account/runner/src/**/*.ts'],
    // Its own folder and, from roles/, the runner's src (one level up, never further).
    allowed: ['node:', '\\./', '\\.\\./(?!\\.\\.)', 'valibot$', 'tar$'],
    deps: 'node built-ins (node:), its own folder, valibot, tar (never the AWS SDK: the runner holds no credentials)',
  },
  {
    // Bundled into both of the above, so it may use even less: no node built-ins (no node:fs), no CDK, zod or SDK.
    what: 'Contracts',
    files: ['packages/contracts/src/**/*.ts'],
    allowed: ['\\./', 'valibot$'],
    deps: 'its own folder and valibot',
  },
];
const bundledCodeRules = BUNDLED_CODE_IMPORTS.map(({ what, files, allowed, deps }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@airlock/*', '!@airlock/contracts', '@airlock/*/*'],
            message: `${what} code is bundled and shipped: of our packages it may import only @airlock/contracts. Fix: move what crosses the boundary into packages/contracts.`,
          },
          {
            regex: `^(?!@airlock/contracts$|${allowed.join('|')})`,
            message: `${what} code may import only @airlock/contracts, ${deps}. Fix: move the code, or declare a bundled dependency deliberately here.`,
          },
        ],
      },
    ],
  },
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
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contracts'] },
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
  // Last, so the stricter rules for bundled code replace the ones above for those files.
  ...bundledCodeRules,
  {
    // In a test, a wrong `!` throws and fails the test, which is what an assertion would do.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
