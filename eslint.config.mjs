// Lint, including the layering rules of ../shared/STYLE.md, enforced per folder:
//   src-main/shared  runs anywhere: no electron, no node:* — imports only itself (and zod-free types)
//   src-main/core    all behaviour: never electron, never ipc/cli/preload
//   src-main/cli     the tkv front door: never electron
//   src-main/ipc     the router: never electron (it takes an IpcMainLike)
//   src-renderer     the page: from src-main only types, and shared/'s pure helpers; no node:*, no electron
// and inside them (docs/ARCHITECTURE.md):
//   src-main/core/<domain>  imports only the domains below it (CORE_LAYERS), never another's store
//   src-main/core/db/migrations/NNN-*.ts  frozen: imports nothing but the Migration type
//   src-renderer            ui/ knows no product; lib/ no screen; a screen no other screen
import fs from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const electron = { name: 'electron', message: 'Electron stays in the front door (src-main/index.ts, window.ts, app-protocol.ts, preload/): core, shared, ipc and cli run under plain Node, where requiring electron downloads a binary.' };
const nodeBuiltins = { group: ['node:*'], message: 'This folder runs anywhere (renderer or main): no Node built-ins.' };

/**
 * Core's domains from the bottom up: a domain may import the ones in the layers before its own,
 * never one in its own layer or above it. Core's own top-level files (errors, clock, events…) sit
 * with the infrastructure; services.ts and doctor.ts compose everything and sit above all.
 */
const CORE_LAYERS = [['redaction', 'secrets', 'http', 'jobs'], ['db'], ['settings', 'vendors'], ['audit'], ['tenants'], ['keys'], ['admin'], ['checks'], ['rotation'], ['review', 'sandbox', 'team']];
/** A domain's `*-store.ts` holds its SQL (secrets/ holds the keychain's stores, which are its service). */
const storeMessage = "A domain's store (its SQL) is its own: call the domain's service instead.";
const coreDomainRules = CORE_LAYERS.flatMap((layer, index) =>
  layer.map((domain) => {
    const above = CORE_LAYERS.slice(index).flat().filter((other) => other !== domain);
    return {
      files: [`src-main/core/${domain}/**/*.ts`],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            paths: [electron],
            patterns: [
              { group: ['**/ipc/*', '**/cli/*', '**/preload/*', '**/index.ts', '**/window.ts', '**/app-protocol.ts', '!./**', '!../../../shared/**', '!../../shared/**'], message: 'core/ must not depend on a front door.' },
              { group: above.flatMap((other) => [`../${other}/**`, `../../${other}/**`]), message: `${domain}/ sits below ${above.join(', ')} (see CORE_LAYERS in eslint.config.mjs): an import the other way runs backwards.` },
              { group: ['../*/**/*-store.ts', '../../*/**/*-store.ts', '!**/secrets/**'], message: storeMessage },
              { group: ['../services.ts', '../doctor.ts', '../../services.ts'], message: 'services.ts composes the domains; no domain depends on it.' },
            ],
          },
        ],
      },
    };
  }),
);

/** The renderer's restrictions: no Electron, no Node, from src-main types only; plus those of a folder. */
function rendererImports(...folder) {
  return [
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
        ...folder,
      ],
    },
  ];
}

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
    files: ['src-main/core/*.ts'],
    ignores: ['src-main/core/services.ts', 'src-main/core/doctor.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            { group: ['**/ipc/*', '**/cli/*', '**/preload/*', '../index.ts', '../window.ts', '../app-protocol.ts'], message: 'core/ must not depend on a front door.' },
            { group: [...CORE_LAYERS.slice(2).flat().map((domain) => `./${domain}/**`), './services.ts', './doctor.ts'], message: "Core's own files (errors, clock, events…) are infrastructure: they sit below every domain." },
            { group: ['./*/**/*-store.ts', '!./secrets/**'], message: storeMessage },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/core/services.ts', 'src-main/core/doctor.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electron], patterns: [{ group: ['**/ipc/*', '**/cli/*', '**/preload/*', '../index.ts', '../window.ts', '../app-protocol.ts'], message: 'core/ must not depend on a front door.' }, { group: ['./*/**/*-store.ts', '!./secrets/**'], message: storeMessage }] }],
    },
  },
  ...coreDomainRules,
  {
    // A file of core does one job: past 450 lines it has grown a second one (docs/ARCHITECTURE.md).
    files: ['src-main/core/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 450 }] },
  },
  {
    // A shipped migration never changes: its SQL is written out, and nothing it imports can move under it.
    files: ['src-main/core/db/migrations/[0-9]*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./index\\.ts$)', message: 'A migration is frozen: it imports the Migration type and nothing else (no live constant can change what it does).' }] }],
    },
  },
  {
    files: ['src-main/cli/**/*.ts', 'src-main/ipc/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electron], patterns: [{ group: ['**/core/*/**/*-store.ts', '!**/core/secrets/**'], message: storeMessage }] }],
    },
  },
  {
    files: ['src-main/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/core/*/**/*-store.ts', '!**/core/secrets/**'], message: storeMessage }] }],
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
    rules: { '@typescript-eslint/no-restricted-imports': rendererImports() },
  },
  {
    // lib/ serves every screen: it knows none of them (a type of the screen table aside).
    files: ['src-renderer/lib/**'],
    rules: { '@typescript-eslint/no-restricted-imports': rendererImports({ group: ['**/views/**', '**/dialogs/**', '**/shell/**', '**/dialogs.ts'], message: 'lib/ serves every screen and knows none: a screen, a dialog or the shell imports lib/, not the other way.' }) },
  },
  {
    // ui/ is generic: it knows no product (no store, no window.api, no product part).
    files: ['src-renderer/lib/components/ui/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': rendererImports({
        group: ['**/views/**', '**/dialogs/**', '**/shell/**', '**/screens.ts', '**/dialogs.ts', '**/state/**', '**/api.ts', '../*.svelte'],
        message: 'ui/ holds generic pieces: no store, no window.api, no product part (pass what it shows in as props).',
      }),
    },
  },
  // A screen's folder is its own: another screen's parts move to lib/components/ when two share them.
  ...fs.readdirSync(new URL('./src-renderer/views/', import.meta.url)).map((screen) => ({
    files: [`src-renderer/views/${screen}/**`],
    rules: { '@typescript-eslint/no-restricted-imports': rendererImports({ regex: `^\\.\\./(?!\\.\\.|${screen}/)[^/]+/`, message: 'A screen imports no other screen: move what two screens share to lib/components/.' }) },
  })),
);
