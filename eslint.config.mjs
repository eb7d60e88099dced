// Lint, including the layering rules of ../shared/STYLE.md, enforced per folder:
//   src-main/shared  runs anywhere: no electron, no node:* — imports only itself (and zod-free types)
//   src-main/core    all behaviour: never electron, never ipc/cli/preload
//   src-main/cli     the tkv front door: never electron
//   src-main/ipc     the router: never electron (it takes an IpcMainLike)
//   src-renderer     the page: from src-main only types, and shared/'s pure helpers; no node:*, no electron
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const electron = { name: 'electron', message: 'Electron stays in the front door (src-main/index.ts, window.ts, app-protocol.ts, preload/): core, shared, ipc and cli run under plain Node, where requiring electron downloads a binary.' };
const nodeBuiltins = { group: ['node:*'], message: 'This folder runs anywhere (renderer or main): no Node built-ins.' };

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Type-aware rules where a person reads what the code prints: an object in a template string, a
  // promise nobody awaits, a switch that forgets a case.
  {
    files: ['src-main/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: false, allowNullish: false, allowAny: false, allowNever: false, allowRegExp: false }],
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['src-main/shared/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electron], patterns: [nodeBuiltins, { group: ['../core/*', '../ipc/*', '../cli/*', '../preload/*', '../*.ts'], message: 'shared/ depends on nothing else in src-main.' }] }],
    },
  },
  {
    files: ['src-main/shared/contract/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electron], patterns: [nodeBuiltins, { group: ['../../**', '../*/**'], message: 'shared/ depends on nothing else in src-main.' }] }],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electron], patterns: [{ group: ['**/ipc/*', '**/cli/*', '**/preload/*', '../index.ts', '../window.ts', '../app-protocol.ts'], message: 'core/ must not depend on a front door.' }] }],
    },
  },
  {
    files: ['src-main/cli/**/*.ts', 'src-main/ipc/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electron] }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ ...electron, message: 'Tests run under plain Node: never import electron (the Electron spec drives it through Playwright).' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte', 'src-renderer/**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            nodeBuiltins,
            {
              // shared/ runs anywhere: its input rules, verdict names and remedy wording serve the
              // renderer too. Everything else (and the contract's runtime side) is types only.
              regex: 'src-main/(?!shared/(?!contract|api-factory))',
              allowTypeImports: true,
              message: 'The renderer takes only types from src-main (and pure helpers from src-main/shared); behaviour reaches it through window.api.',
            },
          ],
        },
      ],
    },
  },
);
