// Shell completion: the bash script loads in a real bash and completes commands, subcommands, flags
// and stored ALIAS/NAME references through `tkv __complete`; zsh and fish scripts are printed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src-main/core/services.ts';
import { runTkv, TKV } from '../../support/cli.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

let dataDir: string;
let bin: string;
let service: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dataDir = scratchDir('completion');
  bin = scratchDir('completion-bin');
  service = uniqueService('completion');
  fs.writeFileSync(path.join(bin, 'tkv'), `#!/bin/sh\nexec "${process.execPath}" "${TKV}" "$@"\n`, { mode: 0o755 });
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service };
  const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service } });
  services.tenants.add({ alias: 'acme-prod', tenantId: 'acme', environment: 'production' });
  await services.keys.add({ tenant: 'acme-prod', name: 'crm-sync', secret: canaryToken(), scopes: ['Pass.Read'] });
  await services.close();
});

afterAll(async () => {
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(bin, { recursive: true, force: true });
});

/** What bash offers for the words typed (the last one being completed). */
function complete(...words: string[]): string[] {
  const script = `source <(tkv completion bash)
COMP_WORDS=(tkv ${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length}
_tkv_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { env: env as NodeJS.ProcessEnv, encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('tkv completion', () => {
  it('loads in bash and completes commands, subcommands, flags and stored keys', () => {
    expect(complete('ro')).toEqual(['rotate']);
    expect(complete('key', 're').sort()).toEqual(['remove', 'replace', 'reveal']);
    expect(complete('check', '--report', '')).toEqual(['md']);
    expect(complete('review', '')).toEqual(expect.arrayContaining(['export', 'sign', '--fail-on']));
    expect(complete('key', 'remove', 'acme')).toEqual(['acme-prod/crm-sync']);
    expect(complete('key', 'remove', '--y')).toEqual(['--yes']);
    expect(complete('exec', '--dr')).toEqual(['--dry-run']);
    expect(complete('review', 'export', '--tenant', 'ac')).toEqual(['acme-prod']);
  });

  it('prints zsh and fish scripts, and refuses another shell', async () => {
    expect((await runTkv(['completion', 'zsh'], { env })).stdout).toContain('compdef _tkv_complete tkv');
    expect((await runTkv(['completion', 'fish'], { env })).stdout).toContain('complete -c tkv');
    expect((await runTkv(['completion', 'tcsh'], { env })).code).toBe(2);
    const secretLike = await runTkv(['completion', 'sk_live_51HabcdefGHIjklmnopQRS'], { env });
    expect(secretLike.stderr).toContain('no completion for the value given');
    expect(secretLike.stderr).not.toContain('sk_live');
  });
});
