import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** What auth-provider may use: the domains it serves, and the libs its hot path writes through. */
const AUTH_PROVIDER_SCOPES = [
  'scope:shared',
  'scope:tenancy',
  'scope:providers',
  'scope:directory',
  'scope:authentication',
  // The authentication engine writes the billing outbox and queues messages in the same
  // transaction as the authentication, through those domains' own data-access libs.
  'scope:billing',
  'scope:delivery',
  'scope:tokens',
  'type:contracts',
];

/** Architecture (STYLE.md) as lint: who may import whom, by Nx tags. */
const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:platform', 'type:util', 'type:domain', 'type:data-access', 'type:contracts'],
  },
  {
    sourceTag: 'type:data-access',
    onlyDependOnLibsWithTags: ['type:platform', 'type:util', 'type:domain', 'type:contracts'],
  },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:contracts'],
    // Pure rules: no framework, no database, no queue.
    bannedExternalImports: [
      '@nestjs/*',
      '@prisma/*',
      'prisma',
      'pg',
      'ioredis',
      'bullmq',
      'stripe',
      'twilio',
      'fastify',
    ],
  },
  {
    sourceTag: 'type:contracts',
    onlyDependOnLibsWithTags: ['type:contracts'],
    bannedExternalImports: ['@nestjs/*', '@prisma/*', 'pg', 'ioredis', 'bullmq'],
  },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:util', 'type:contracts'] },
  {
    sourceTag: 'type:util',
    onlyDependOnLibsWithTags: ['type:util'],
    bannedExternalImports: ['@prisma/*', 'pg', 'ioredis', 'bullmq'],
  },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:platform', 'type:util', 'type:contracts', 'type:domain', 'type:data-access'],
  },
  // Domains: each sees itself, shared code, and the contracts (never the internals) of others.
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'type:contracts'] },
  { sourceTag: 'scope:tenancy', onlyDependOnLibsWithTags: ['scope:tenancy', 'scope:shared'] },
  { sourceTag: 'scope:providers', onlyDependOnLibsWithTags: ['scope:providers', 'scope:shared', 'type:contracts'] },
  { sourceTag: 'scope:directory', onlyDependOnLibsWithTags: ['scope:directory', 'scope:shared', 'type:contracts'] },
  {
    sourceTag: 'scope:authentication',
    onlyDependOnLibsWithTags: ['scope:authentication', 'scope:shared', 'type:contracts'],
  },
  { sourceTag: 'scope:delivery', onlyDependOnLibsWithTags: ['scope:delivery', 'scope:shared'] },
  { sourceTag: 'scope:billing', onlyDependOnLibsWithTags: ['scope:billing', 'scope:shared'] },
  { sourceTag: 'scope:tokens', onlyDependOnLibsWithTags: ['scope:tokens', 'scope:shared', 'type:contracts'] },
  { sourceTag: 'scope:reporting', onlyDependOnLibsWithTags: ['scope:reporting', 'scope:shared'] },
  // The hot-path statement catalogue (tests and benchmarks only) drives the SQL of every domain that
  // auth-provider's hot path writes through, the delivery worker's and the usage relay's included.
  { sourceTag: 'scope:hot-path', onlyDependOnLibsWithTags: AUTH_PROVIDER_SCOPES },
  // Apps: the domains each app serves. Apps never import each other (type:app is not a lib tag above).
  { sourceTag: 'scope:auth-provider', onlyDependOnLibsWithTags: AUTH_PROVIDER_SCOPES },
  { sourceTag: 'scope:delivery-app', onlyDependOnLibsWithTags: ['scope:shared', 'scope:delivery', 'type:contracts'] },
  {
    sourceTag: 'scope:billing-app',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:billing', 'scope:tenancy', 'scope:providers', 'type:contracts'],
  },
  {
    sourceTag: 'scope:reporting-app',
    // The retention purge (decision 0025) deletes records and audit entries through their owners' data-access.
    onlyDependOnLibsWithTags: [
      'scope:shared',
      'scope:reporting',
      'scope:tenancy',
      'scope:authentication',
      'type:contracts',
    ],
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '**/generated/**', '.nx', 'coverage', 'tmp'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints, banTransitiveDependencies: false },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // Tests (and only tests) may use the testing lib: test databases, fakes, fixtures.
    files: [
      '**/*.spec.ts',
      '**/*.test.ts',
      '**/test/**/*.ts',
      'libs/platform/testing/**/*.ts',
      'libs/hot-path/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      'no-console': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((c) =>
            c.onlyDependOnLibsWithTags?.some((t) => t.startsWith('type:')) || c.sourceTag.startsWith('scope:')
              ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] }
              : c,
          ),
        },
      ],
    },
  },
  prettier,
);
