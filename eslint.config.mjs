// The house rules, enforced: TypeScript with type information, and the floors of the codebase
// (docs/architecture.md): config → redis → common → database → outbox → features → app → main/cli.
// Nothing imports upward, a feature reaches another only through its public surface, no cycles.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

const FEATURES = readdirSync('src/modules', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'outbox')
  .map((entry) => entry.name);
/** The top floor: the composition root and the entry points. */
const APP = ['./src/app.module.ts', './src/create-app.ts', './src/data-source.ts', './src/main.ts', './src/cli'];

/** What a feature keeps to itself: another module uses its service (and DTOs, entities, events, errors), never these. */
const PRIVATE_PARTS = ['repository', 'controller', 'handler'];

const floors = [
  { target: './src/config', from: './src', except: ['./config'], message: 'config is the ground floor: it imports nothing of the application' },
  { target: './src/migrations', from: './src', except: ['./migrations'], message: 'a migration is a snapshot: it imports nothing of the application' },
  { target: './src/redis', from: ['./src/common', './src/database', './src/modules', ...APP], message: 'redis sits under the kernel' },
  {
    target: './src/common',
    from: ['./src/database', './src/modules', ...APP],
    message: 'the kernel (common) never imports a feature, the database layer or the app',
  },
  { target: './src/database', from: ['./src/modules', ...APP], message: 'the database layer knows no module: entities are listed in src/data-source.ts' },
  {
    target: './src/modules/outbox',
    from: './src/modules',
    except: ['./outbox'],
    message: 'the outbox is a floor the features stand on: it imports no feature (handlers are discovered)',
  },
  { target: './src/modules', from: APP, message: 'features never import the app, main or the CLI' },
  ...FEATURES.map((feature) => ({
    target: `./src/modules/!(${feature})/**/*`,
    from: PRIVATE_PARTS.map((part) => `./src/modules/${feature}/**/*.${part}.ts`),
    message: `another module reaches ${feature} through its service, not its ${PRIVATE_PARTS.join('/')}`,
  })),
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'packages/*/dist/**',
      'packages/*/src/generated/**',
      'examples/dist/**',
      'coverage/**',
      'data/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: floors }],
      // process.env is read in src/config only (validated at boot); see the override below.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration through src/config' }],
      // Unused arguments named `_x` are part of a signature (a Nest hook, a callback).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Rows from raw SQL (pg, TypeORM's query()) and JSON documents are `any` by nature; they are
      // typed at the repository boundary. These rules fire on every such line of correct code.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Nest lifecycle hooks and interface implementations are async by contract without awaiting.
      '@typescript-eslint/require-await': 'off',
      // Decorator-registered classes (Nest modules, DTOs) are legitimately empty.
      '@typescript-eslint/no-extraneous-class': 'off',
      // HTTP statuses arrive as numbers and are compared with Nest's numeric HttpStatus enum by design.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    files: ['src/config/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Migrations are snapshots of what ran: their SQL (with escaped `$` in function bodies) is not edited afterwards.
    files: ['src/migrations/**'],
    rules: { 'no-useless-escape': 'off' },
  },
  {
    // Tests, benches and scripts set up processes and environments: they may read and write process.env.
    files: ['test/**', 'bench/**', 'scripts/**', 'packages/**', 'examples/**', '*.mjs', '*.mts'],
    rules: {
      'no-restricted-properties': 'off',
      // expect(object.method) and spies pass methods around unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // Assertion messages interpolate whatever a response held.
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.node } },
  },
  prettier,
);
