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

  it('never writes or deletes an entry of its service while it lists it, and writes its test entries elsewhere', async () => {
    // keytar lists in two steps on Linux (search, then load each secret): an entry deleted between
    // them crashed the process. Here a listing takes 30 ms, and any write of the service meanwhile is seen.
    const entries = new Map<string, string>([['s\u0000kept', 'x']]);
    let listing = 0;
    const overlaps: string[] = [];
    const services = new Set<string>();
    const slowKeytar = {
      getPassword: async (service: string, account: string) => entries.get(`${service}\u0000${account}`) ?? null,
      setPassword: async (service: string, account: string, secret: string) => {
        services.add(service);
        if (listing > 0 && service === 's') overlaps.push(`set ${account}`);
        entries.set(`${service}\u0000${account}`, secret);
      },
      deletePassword: async (service: string, account: string) => {
        if (listing > 0 && service === 's') overlaps.push(`delete ${account}`);
        return entries.delete(`${service}\u0000${account}`);
      },
      findCredentials: async (service: string) => {
        listing += 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        listing -= 1;
        return [...entries.keys()].filter((key) => key.startsWith(`${service}\u0000`)).map((key) => ({ account: key.split('\u0000')[1]!, password: '' }));
      },
    } as unknown as Keytar;
    const store = new KeytarSecretStore({ service: 's', platform: 'linux', loadKeytar: async () => slowKeytar });
    const first = store.listAccounts();
    // Once the listing is under way, a write and a delete of the service are asked for: they wait.
    while (listing === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const changes = Promise.all([store.set('added', 'y'), store.delete('kept'), store.get('missing'), store.delete('absent')]);
    expect(await first).toEqual(['kept']);
    await changes;
    expect(await store.listAccounts()).toEqual(['added']);
    expect(overlaps).toEqual([]);
    // The writability proofs (a listing, a missing secret, a delete of nothing) went beside the service.
    expect([...services].sort()).toEqual(['s', store.writeTestService]);
    expect(store.writeTestService).toBe('s (write test)');
  });

  it('keeps a write waiting while a listing that missed its deadline still runs in keytar', async () => {
    let listing = false;
    const overlaps: string[] = [];
    const written: string[] = [];
    const stuckKeytar = {
      getPassword: async () => null,
      setPassword: async (service: string, account: string) => {
        if (listing && service === 's') overlaps.push(account);
        if (service === 's') written.push(account);
      },
      deletePassword: async () => true,
      findCredentials: async () => {
        listing = true;
        await new Promise((resolve) => setTimeout(resolve, 400));
        listing = false;
        return [];
      },
    } as unknown as Keytar;
    const store = new KeytarSecretStore({ service: 's', timeoutMs: 100, platform: 'linux', loadKeytar: async () => stuckKeytar });
    const listed = failure(store.listAccounts());
    while (!listing) await new Promise((resolve) => setTimeout(resolve, 1));
    // The listing's caller gives up at its deadline; the write behind it does too, at its own, unsent.
    expect((await listed).message).toMatch(/did not answer within 0.1 s when asked to list secrets/);
    expect((await failure(store.set('late', 'x'))).message).toMatch(/when asked to store a secret/);
    expect(overlaps).toEqual([]);
    // Once keytar's listing ends, writes go through again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await store.set('later', 'x');
    expect(overlaps).toEqual([]);
    // The write whose caller was told it failed was never made.
    expect(written).toEqual(['later']);
  });
});

