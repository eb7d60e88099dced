import type keytarModule from 'keytar';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../../src-main/core/errors.ts';
import { KeytarSecretStore } from '../../../../src-main/core/secrets/keytar-secret-store.ts';

type Keytar = typeof keytarModule;

const hangingKeytar = {
  getPassword: () => new Promise<never>(() => undefined),
  setPassword: () => new Promise<never>(() => undefined),
  deletePassword: () => new Promise<never>(() => undefined),
  findCredentials: () => new Promise<never>(() => undefined),
} as unknown as Keytar;

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('KeytarSecretStore', () => {
  it('turns a keychain that never answers into KEYCHAIN_UNAVAILABLE at the deadline', async () => {
    const store = new KeytarSecretStore({ service: 's', timeoutMs: 150, platform: 'linux', loadKeytar: async () => hangingKeytar });
    const started = Date.now();
    const error = await failure(store.set('account', 'secret'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/did not answer within 0.15 s when asked to store a secret/);
    expect(error.message).toMatch(/Secret Service such as gnome-keyring or KWallet must be running and unlocked/);
  });

  it('names the platform fix on macOS and Windows', async () => {
    for (const [platform, fix] of [
      ['darwin', /Unlock the login keychain/],
      ['win32', /Credential Manager/],
    ] as const) {
      const store = new KeytarSecretStore({ service: 's', timeoutMs: 50, platform, loadKeytar: async () => hangingKeytar });
      expect((await failure(store.get('a'))).message).toMatch(fix);
    }
  });

  it('reports a native module that cannot load, and tries again on the next call', async () => {
    let attempts = 0;
    const store = new KeytarSecretStore({
      service: 's',
      platform: 'linux',
      loadKeytar: async () => {
        attempts += 1;
        throw new Error('libsecret-1.so.0: cannot open shared object file');
      },
    });
    const error = await failure(store.listAccounts());
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/keytar native module could not be loaded \(libsecret-1\.so\.0/);
    await failure(store.get('a'));
    expect(attempts).toBe(2);
  });

  it('wraps a keychain error without passing the secret into the message', async () => {
    const failing = { ...hangingKeytar, setPassword: async () => Promise.reject(new Error('org.freedesktop.DBus.Error.ServiceUnknown')) } as unknown as Keytar;
    const store = new KeytarSecretStore({ service: 's', platform: 'linux', loadKeytar: async () => failing });
    const error = await failure(store.set('account', 'super-secret-value'));
    expect(error.message).toMatch(/failed to store a secret \(org\.freedesktop\.DBus\.Error\.ServiceUnknown\)/);
    expect(error.message).not.toContain('super-secret-value');
  });
});
