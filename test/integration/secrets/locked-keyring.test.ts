// A locked keyring answers "nothing there" to reads and deletes, as an absent entry would, and crashes
// the process when listed. The vault must tell the two apart: a locked keychain is unavailable (fix:
// unlock it), never "deleted outside Tenant Key Vault", and nothing is removed or claimed removed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store.ts';
import { runTkv } from '../../support/cli.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

const linux = process.platform === 'linux';
const lockScript = fileURLToPath(new URL('../../support/keyring-lock.py', import.meta.url));
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const dataDir = scratchDir('locked');
const service = uniqueService('locked');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service, TKV_KEYCHAIN_TIMEOUT_MS: '4000' };
const tkv = (args: string[], stdin?: string) => runTkv(args, { env, ...(stdin === undefined ? {} : { stdin }) });
const keyring = (action: 'lock' | 'unlock') => execFileSync(python, [lockScript, action], { encoding: 'utf8' }).trim();
const store = new KeytarSecretStore({ service });

if (!linux) console.log('[locked keyring] skipped: locking the keyring from a test is done through gnome-keyring, on Linux only');

describe.runIf(linux)('a locked keyring', () => {
  beforeAll(async () => {
    expect((await tkv(['tenant', 'add', 'demo', '--tenant-id', 'demo', '--base-url', 'http://127.0.0.1:9'])).code).toBe(0);
    for (const name of ['kept', 'gone']) expect((await tkv(['key', 'add', `demo/${name}`], canaryToken())).code).toBe(0);
  });
  afterAll(async () => {
    keyring('unlock');
    await clearService(service);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is reported as locked with the fix, never as a secret deleted elsewhere', async () => {
    expect(keyring('lock')).toBe('locked');
    const checked = await tkv(['check', 'demo/kept', '--json']);
    expect(checked.code).toBe(1);
    const error = (JSON.parse(checked.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/locked/);
    expect(error.message).toMatch(/unlocked in your desktop session/);
    expect(error.message).not.toMatch(/deleted outside/);
  });

  it('removes nothing, and claims nothing removed, while locked', async () => {
    const removed = await tkv(['key', 'remove', 'demo/kept', '--yes']);
    expect(removed.code).toBe(1);
    expect(removed.stderr).toMatch(/locked/);
    expect(removed.stdout).not.toMatch(/Removed/);
    // Listing a locked keyring would crash the process (libsecret hands keytar no secret); it is refused first.
    const reconciled = await tkv(['reconcile', '--json']);
    expect(reconciled.code).toBe(1);
    expect(JSON.parse(reconciled.stdout)).toMatchObject({ error: { code: 'KEYCHAIN_UNAVAILABLE' } });
    expect(keyring('unlock')).toBe('unlocked');
    const key = JSON.parse((await tkv(['key', 'show', 'demo/kept', '--json'])).stdout) as { secretAccount: string };
    expect(await store.get(key.secretAccount)).not.toBeNull();
  });

  it('tells an entry really deleted outside the vault from a locked one, and says what it removed', async () => {
    const gone = JSON.parse((await tkv(['key', 'show', 'demo/gone', '--json'])).stdout) as { secretAccount: string };
    expect(await store.delete(gone.secretAccount)).toBe(true);
    const checked = await tkv(['check', 'demo/gone', '--json']);
    expect(JSON.parse(checked.stdout)).toMatchObject({ error: { code: 'SECRET_MISSING', message: expect.stringMatching(/deleted outside Tenant Key Vault/) } });
    const removed = await tkv(['key', 'remove', 'demo/gone', '--yes']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('Removed demo/gone; its keychain entry was already gone.\n');
    const kept = await tkv(['key', 'remove', 'demo/kept', '--yes']);
    expect(kept.stdout).toBe('Removed demo/kept and its keychain entry.\n');
  });

  it('deletes orphaned entries of its own service only when told to, after asking or with --yes', async () => {
    await store.set('stray-entry', canaryToken());
    // The vault lists no key now: a secret of its service is what a lost inventory leaves, not a stray.
    const lost = await tkv(['reconcile', '--remove-orphans', '--yes']);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/Inventory lost: 1 secret of this vault is in the keychain/);
    expect(await store.get('stray-entry')).not.toBeNull();
    // Every other change waits too: adding a key now would make the loss look like a fresh start.
    expect((await tkv(['key', 'add', 'demo/stays'], canaryToken())).code).toBe(1);
    await store.delete('stray-entry');
    expect((await tkv(['key', 'add', 'demo/stays'], canaryToken())).code).toBe(0);
    await store.set('stray-entry', canaryToken());
    const other = new KeytarSecretStore({ service: `${service}-other` });
    await other.set('not-ours', canaryToken());
    try {
      const report = JSON.parse((await tkv(['reconcile', '--json'])).stdout) as { orphanSecrets: { account: string }[] };
      expect(report.orphanSecrets).toEqual([{ account: 'stray-entry' }]);
      const unconfirmed = await tkv(['reconcile', '--remove-orphans']);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toMatch(/pass --yes to confirm/);
      expect(await store.get('stray-entry')).not.toBeNull();
      const confirmed = await tkv(['reconcile', '--remove-orphans', '--yes', '--json']);
      expect(JSON.parse(confirmed.stdout)).toMatchObject({ removed: ['stray-entry'] });
      expect(await store.get('stray-entry')).toBeNull();
      expect(await other.get('not-ours')).not.toBeNull();
    } finally {
      await clearService(`${service}-other`);
    }
  });
});
