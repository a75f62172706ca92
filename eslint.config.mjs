// @ts-check
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', '.local/', '.scratch/', 'coverage/', 'dist/', 'test/replay/histories/', 'pii/prep/threads/chunk-worker.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins, no side effects.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: move I/O to activities/.' })),
          patterns: [
            { group: ['@aws-sdk/*', ...['activities', 'worker', 'temporal-client', 'storage', 'pii'].flatMap((room) => [`**/${room}`, `**/${room}/**`])], message: 'Workflows may import schemas/ and `import type` of activities only.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // Workflows and schemas use the S3 URI functions: they stay free of imports (no Node builtins, no AWS SDK).
    files: ['storage/s3-uri.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['*'], message: 'storage/s3-uri.ts is imported by workflow code: keep it free of imports.' }] }] },
  },
  {
    // Stubs typed as real activities are async without awaiting anything.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
