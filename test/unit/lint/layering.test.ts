// The layering of ../shared/STYLE.md is enforced by lint; these prove the rules bite.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd });

async function errors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.severity === 2).map((message) => `${message.ruleId}: ${message.message}`);
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

  it('allow electron in the Electron front door', async () => {
    expect(await errors(`import { app } from 'electron';\nexport const name = app.name;\n`, 'src-main/window.ts')).toEqual([]);
  });
});
