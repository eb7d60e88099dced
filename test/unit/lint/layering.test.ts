// The layering of ../shared/STYLE.md, and the type-aware rules that keep an object out of what a
// person reads, are enforced by lint; these prove the rules bite.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd });

/**
 * The errors lint finds in `code` written at `filePath` (under a name of its own beside it): the
 * type-aware rules need a real file of the project, so it is written, linted and removed.
 */
async function errors(code: string, filePath: string): Promise<string[]> {
  const { dir, name, ext } = path.parse(filePath);
  const file = path.join(cwd, dir, `${name}-lint-probe-${process.pid}${ext}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    return (result?.messages ?? []).filter((message) => message.severity === 2).map((message) => `${message.ruleId}: ${message.message}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('layering lint rules', () => {
  it('fail when src-main/core or src-main/shared imports electron', async () => {
    for (const file of ['src-main/core/probe.ts', 'src-main/core/secrets/probe.ts', 'src-main/shared/probe.ts', 'src-main/shared/contract/probe.ts', 'src-main/cli/probe.ts', 'src-main/ipc/probe.ts']) {
      expect(await errors(`import { app } from 'electron';\nexport const name = app.name;\n`, file), file).toEqual([expect.stringMatching(/no-restricted-imports: .*electron/i)]);
    }
  });

  it('fail when shared imports a Node built-in, and when core imports a front door', async () => {
    expect(await errors(`import fs from 'node:fs';\nexport const f = fs;\n`, 'src-main/shared/probe.ts')).toEqual([expect.stringMatching(/no Node built-ins/)]);
    expect(await errors(`import { registerIpcRouter } from '../ipc/router.ts';\nexport const r = registerIpcRouter;\n`, 'src-main/core/probe.ts')).toEqual([expect.stringMatching(/front door/)]);
    // The contract's domain files may take from shared/, and from nothing else in src-main.
    expect(await errors(`import type { Verdict } from '../verdicts.ts';\nexport type V = Verdict;\n`, 'src-main/shared/contract/probe.ts')).toEqual([]);
    expect(await errors(`import { VaultError } from '../../core/errors.ts';\nexport const e = VaultError;\n`, 'src-main/shared/contract/probe.ts')).toEqual([expect.stringMatching(/depends on nothing else/)]);
  });

  it('let the renderer take types, but not values, from src-main', async () => {
    expect(await errors(`import type { Tenant } from '../src-main/shared/contract.ts';\nexport type T = Tenant;\n`, 'src-renderer/probe.ts')).toEqual([]);
    expect(await errors(`import { CHANNELS } from '../src-main/shared/contract.ts';\nexport const c = CHANNELS;\n`, 'src-renderer/probe.ts')).toEqual([expect.stringMatching(/only types from src-main/)]);
    expect(await errors(`import { VaultError } from '../src-main/core/errors.ts';\nexport const e = VaultError;\n`, 'src-renderer/probe.ts')).toEqual([expect.stringMatching(/only types from src-main/)]);
    // shared/'s pure helpers (input rules, remedy wording) run in the page as they do in main.
    expect(await errors(`import { remedySentence } from '../src-main/shared/remedies.ts';\nexport const r = remedySentence;\n`, 'src-renderer/probe.ts')).toEqual([]);
  });

  it('keep core by domain: no import runs backwards, no domain reads another one’s store', async () => {
    // keys sits below checks: a check imports keys, never the other way.
    expect(await errors(`import type { CheckService } from '../checks/check-service.ts';\nexport type C = CheckService;\n`, 'src-main/core/keys/probe.ts')).toEqual([expect.stringMatching(/keys\/ sits below .*checks.*runs backwards/)]);
    expect(await errors(`import type { KeyService } from '../keys/key-service.ts';\nexport type K = KeyService;\n`, 'src-main/core/checks/probe.ts')).toEqual([]);
    // A store is its domain's own, whoever would reach it: another domain, core's composition, a front door.
    expect(await errors(`import { KeyStore } from '../keys/key-store.ts';\nexport const s = KeyStore;\n`, 'src-main/core/admin/probe.ts')).toEqual([expect.stringMatching(/store \(its SQL\) is its own/)]);
    expect(await errors(`import { KeyStore } from './key-store.ts';\nexport const s = KeyStore;\n`, 'src-main/core/keys/probe.ts')).toEqual([]);
    expect(await errors(`import { KeyStore } from '../../core/keys/key-store.ts';\nexport const s = KeyStore;\n`, 'src-main/cli/commands/probe.ts')).toEqual([expect.stringMatching(/store \(its SQL\) is its own/)]);
    // Core's own files sit below every domain; nothing but services.ts composes them all.
    expect(await errors(`import type { KeyService } from './keys/key-service.ts';\nexport type K = KeyService;\n`, 'src-main/core/probe.ts')).toEqual([expect.stringMatching(/infrastructure/)]);
    expect(await errors(`import type { Services } from '../services.ts';\nexport type S = Services;\n`, 'src-main/core/review/probe.ts')).toEqual([expect.stringMatching(/services\.ts composes/)]);
  });

  it('freeze a shipped migration: nothing but the Migration type comes in', async () => {
    expect(await errors(`import { NON_JUDGEMENTS } from '../../../shared/verdicts.ts';\nimport type { Migration } from './index.ts';\nexport const m: Migration = { version: 99, description: 'x', sql: NON_JUDGEMENTS.join() };\n`, 'src-main/core/db/migrations/099-probe.ts')).toEqual([
      expect.stringMatching(/migration is frozen/),
    ]);
    expect(await errors(`import type { Migration } from './index.ts';\nexport const m: Migration = { version: 99, description: 'x', sql: 'SELECT 1' };\n`, 'src-main/core/db/migrations/099-probe.ts')).toEqual([]);
  });

  it('keep the renderer by folder: ui/ knows no product, lib/ no screen, a screen no other screen', async () => {
    expect(await errors(`<script lang="ts">\n  import { keys } from '../../state/keys.svelte.ts';\n</script>\n\n<p>{keys.total}</p>\n`, 'src-renderer/lib/components/ui/probe.svelte')).toEqual([expect.stringMatching(/ui\/ holds generic pieces/)]);
    expect(await errors(`import KeysView from '../../views/keys/keys-view.svelte';\nexport const view = KeysView;\n`, 'src-renderer/lib/state/probe.ts')).toEqual([expect.stringMatching(/lib\/ serves every screen/)]);
    expect(await errors(`<script lang="ts">\n  import ExpiryTimeline from '../review/expiry-timeline.svelte';\n</script>\n\n<ExpiryTimeline bars={[]} />\n`, 'src-renderer/views/keys/probe.svelte')).toEqual([expect.stringMatching(/imports no other screen/)]);
  });

  it('allow electron in the Electron front door', async () => {
    expect(await errors(`import { app } from 'electron';\nexport const name = app.name;\n`, 'src-main/window.ts')).toEqual([]);
  });

  it('fail on an object, a nullable value or a remedy in a template string a person would read', async () => {
    const remedy = `import type { Remedy } from '../../shared/remedies.ts';\nexport function line(step: Remedy): string {\n  return \`1. \${step}\`;\n}\n`;
    expect(await errors(remedy, 'src-main/core/checks/report.ts')).toEqual(expect.arrayContaining([expect.stringMatching(/restrict-template-expressions/), expect.stringMatching(/no-base-to-string: .*\[object Object\]/)]));
    expect(await errors(`export function day(at: string | null): string {\n  return \`on \${at}\`;\n}\n`, 'src-main/cli/probe.ts')).toEqual([expect.stringMatching(/restrict-template-expressions: Invalid type "string \| null"/)]);
    expect(await errors(`<script lang="ts">\n  const detail = { at: 1 };\n  const text = \`Detail: \${detail}\`;\n</script>\n\n<p>{text}</p>\n`, 'src-renderer/lib/components/probe.svelte')).toEqual(expect.arrayContaining([expect.stringMatching(/restrict-template-expressions/)]));
  });

  it('fail on a promise nobody awaits, and on a switch that forgets a case', async () => {
    expect(await errors(`export async function save(): Promise<void> {}\nexport function run(): void {\n  save();\n}\n`, 'src-main/core/probe.ts')).toEqual([expect.stringMatching(/no-floating-promises/)]);
    expect(await errors(`export function word(verdict: 'valid' | 'forbidden'): string {\n  switch (verdict) {\n    case 'valid':\n      return 'ok';\n  }\n  return '';\n}\n`, 'src-main/shared/probe.ts')).toEqual([expect.stringMatching(/switch-exhaustiveness-check/)]);
  });
});
