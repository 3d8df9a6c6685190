import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Type-aware rules: every TypeScript file is linted with its tsconfig (projectService), so that a
// forgotten promise or a promise handed where nothing awaits it fails the lint. The full
// recommendedTypeChecked set covers the server and the packages it is built from; the promise rules
// cover every TypeScript file, UI included.
const fullyChecked = ['apps/server/**/*.ts', 'packages/{protocol,core,store,client}/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/.next/**', '**/next-env.d.ts', '**/coverage/**', 'data/**', '**/test-results/**', 'apps/web/public/widget.js', 'apps/web/public/widget/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: fullyChecked })),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // An async function that implements an async contract (a Fastify plugin, the in-memory presence)
      // need not await anything; the promise rules above are what catches real mistakes.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
