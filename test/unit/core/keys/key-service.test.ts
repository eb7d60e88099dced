import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../../../src-main/core/errors.ts';
import { MemorySecretStore } from '../../../../src-main/core/secrets/memory-secret-store.ts';
import { fingerprint } from '../../../../src-main/core/keys/fingerprint.ts';
import { keychainUnavailable } from '../../../../src-main/core/secrets/keychain-errors.ts';
import { canaryToken, filesContaining } from '../../../support/files.ts';
import { createTestVault, fixedClock, type TestVault } from '../../../support/vault.ts';

let secrets: MemorySecretStore;
let test: TestVault;

beforeEach(() => {
  secrets = new MemorySecretStore();
  test = createTestVault(secrets);
  test.services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'production' });
});
afterEach(() => test.dispose());

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<VaultError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error('expected a VaultError');
}

describe('tenants', () => {
  it('resolves named environments to the vendor base URLs and custom ones to the given URL', () => {
    const staging = test.services.tenants.add({ alias: 'acme-qa', tenantId: 'acme', environment: 'staging' });
    const custom = test.services.tenants.add({ alias: 'local', tenantId: 'demo', environment: 'custom', baseUrl: 'http://127.0.0.1:4010/' });
    expect(staging.baseUrl).toBe('https://app-qa.neostore.cloud');
    expect(custom.baseUrl).toBe('http://127.0.0.1:4010');
    expect(test.services.tenants.list().map((t) => t.alias)).toEqual(['acme', 'acme-qa', 'local']);
  });

  it('refuses duplicates, bad aliases, insecure URLs and contradictory environments', async () => {
    expect((await rejection(() => test.services.tenants.add({ alias: 'acme', tenantId: 'x', environment: 'production' }))).code).toBe('ALREADY_EXISTS');
    expect((await rejection(() => test.services.tenants.add({ alias: 'a b', tenantId: 'x', environment: 'production' }))).code).toBe('INVALID_INPUT');
    expect((await rejection(() => test.services.tenants.add({ alias: 'x', tenantId: 'x', environment: 'custom', baseUrl: 'http://example.com' }))).message).toMatch(/clear text/);
    expect((await rejection(() => test.services.tenants.add({ alias: 'x', tenantId: 'x', environment: 'custom' }))).message).toMatch(/needs a base URL/);
    expect((await rejection(() => test.services.tenants.add({ alias: 'x', tenantId: 'x', environment: 'staging', baseUrl: 'https://a.example' }))).message).toMatch(/not both/);
    expect(test.services.tenants.list()).toHaveLength(1);
  });

  it('refuses to remove a tenant that holds keys unless asked to remove them too', async () => {
    await test.services.keys.add({ tenant: 'acme', name: 'k1', secret: 'secret-one' });
    expect((await rejection(test.services.tenants.remove('acme'))).code).toBe('CONFLICT');
    expect(secrets.entries.size).toBe(1);
    expect(await test.services.tenants.remove('acme', { withKeys: true })).toEqual({ removedKeys: 1 });
    expect(secrets.entries.size).toBe(0);
    expect(test.services.tenants.list()).toEqual([]);
  });
});

describe('keys', () => {
  it('stores the secret in the keychain under the key id and only a fingerprint in the row', async () => {
    const token = canaryToken();
    const key = await test.services.keys.add({ tenant: 'acme', name: 'crm', secret: token, scopes: ['Pass.Read', 'Pass.Read', ' tenant.core:read'], expiresOn: '2027-01-31', owner: 'crm team' });
    expect(secrets.entries.get(key.id)).toBe(token);
    expect(key).toMatchObject({ tenant: 'acme', name: 'crm', scopes: ['Pass.Read', 'tenant.core:read'], fingerprint: fingerprint(token), expiresOn: '2027-01-31', expired: false, owner: 'crm team', admin: false });
    expect(JSON.stringify(test.services.keys.list())).not.toContain(token);
    test.services.close();
    expect(filesContaining([test.dataDir], token)).toEqual([]);
  });

  it('writes nothing when the keychain is unavailable', async () => {
    secrets.failWith = keychainUnavailable('test says no', 'linux', 'test-service');
    const error = await rejection(test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'tok' }));
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/gnome-keyring or KWallet/);
    expect(test.services.keys.list()).toEqual([]);
    expect(test.services.audit.entries().filter((entry) => entry.action !== 'tenant_added')).toEqual([]);
  });

  it('removes the keychain entry again when the row cannot be written', async () => {
    // A trigger makes the insert fail after the keychain write, as a full disk or a lock would.
    test.services.db.raw.exec(`CREATE TRIGGER fail_insert BEFORE INSERT ON keys BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    const error = await rejection(test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'tok' }));
    expect(error.code).toBe('STORAGE_ERROR');
    expect(error.message).toMatch(/removed from the keychain again/);
    expect(secrets.entries.size).toBe(0);
    expect(test.services.keys.list()).toEqual([]);
  });

  it('refuses a taken name, an unknown tenant and a token already stored elsewhere, before touching the keychain', async () => {
    await test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'same-token' });
    test.services.tenants.add({ alias: 'other', tenantId: 'other', environment: 'staging' });
    expect((await rejection(test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'another' }))).code).toBe('ALREADY_EXISTS');
    expect((await rejection(test.services.keys.add({ tenant: 'nope', name: 'crm', secret: 'another' }))).code).toBe('NOT_FOUND');
    const twin = await rejection(test.services.keys.add({ tenant: 'other', name: 'copy', secret: 'same-token' }));
    expect(twin.message).toMatch(/already stored as acme\/crm/);
    expect(twin.message).not.toContain('same-token');
    expect(secrets.entries.size).toBe(1);
  });

  it('validates every field with a message that names it', async () => {
    const base = { tenant: 'acme', name: 'k', secret: 'tok' };
    const cases: [object, RegExp][] = [
      [{ name: 'bad name' }, /Key name/],
      [{ secret: '' }, /empty/],
      [{ secret: 'a\nb' }, /line break/],
      [{ secret: 'x'.repeat(4097) }, /4096 bytes/],
      [{ scopes: ['ok', ''] }, /scope is empty/],
      [{ expiresOn: '2027-13-01' }, /Expiry date/],
      [{ notes: 'n'.repeat(2001) }, /Notes/],
    ];
    for (const [override, message] of cases) {
      const error = await rejection(test.services.keys.add({ ...base, ...override }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(message);
    }
    expect(secrets.entries.size).toBe(0);
  });

  it('flags a key as expired once its expiry date has passed', async () => {
    await test.services.keys.add({ tenant: 'acme', name: 'old', secret: 't1', expiresOn: '2026-11-21' });
    await test.services.keys.add({ tenant: 'acme', name: 'today', secret: 't2', expiresOn: '2026-11-22' });
    expect(test.services.keys.list().map((k) => [k.name, k.expired])).toEqual([
      ['old', true],
      ['today', false],
    ]);
  });

  it('keeps one admin credential per tenant', async () => {
    await test.services.keys.add({ tenant: 'acme', name: 'a1', secret: 't1', admin: true });
    await test.services.keys.add({ tenant: 'acme', name: 'a2', secret: 't2', admin: true });
    expect(test.services.keys.list().map((k) => [k.name, k.admin])).toEqual([
      ['a1', false],
      ['a2', true],
    ]);
  });

  it('reveals a secret only through revealKey, and audits it', async () => {
    const key = await test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'the-secret' });
    expect(await test.services.keys.reveal({ tenant: 'acme', name: 'crm' })).toBe('the-secret');
    const actions = test.services.audit.entries(key.id).map((entry) => entry.action);
    expect(actions).toEqual(['added', 'revealed']);
    expect(JSON.stringify(test.services.audit.entries())).not.toContain('the-secret');
  });

  it('says so when the keychain entry was deleted behind its back', async () => {
    const key = await test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'the-secret' });
    secrets.entries.delete(key.id);
    expect((await rejection(test.services.keys.reveal({ tenant: 'acme', name: 'crm' }))).code).toBe('SECRET_MISSING');
  });

  it('removes the keychain entry and the row together, and changes nothing when the keychain fails', async () => {
    const key = await test.services.keys.add({ tenant: 'acme', name: 'crm', secret: 'the-secret' });
    secrets.failWith = keychainUnavailable('locked', 'linux', 'test-service');
    expect((await rejection(test.services.keys.remove({ tenant: 'acme', name: 'crm' }))).code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(test.services.keys.list()).toHaveLength(1);
    secrets.failWith = null;
    await test.services.keys.remove({ tenant: 'acme', name: 'crm' });
    expect(test.services.keys.list()).toEqual([]);
    expect(secrets.entries.has(key.id)).toBe(false);
    expect(test.services.audit.entries(key.id).map((e) => e.action)).toEqual(['added', 'deleted']);
  });

  it('reconcile reports strays on both sides and deletes neither', async () => {
    const kept = await test.services.keys.add({ tenant: 'acme', name: 'kept', secret: 't1' });
    const lost = await test.services.keys.add({ tenant: 'acme', name: 'lost', secret: 't2' });
    secrets.entries.delete(lost.id);
    secrets.entries.set('stray-account', 'orphan');
    secrets.entries.set('tkv-doctor-probe-123', 'probe');
    const report = await test.services.keys.reconcile();
    expect(report).toEqual({ orphanSecrets: [{ account: 'stray-account' }], missingSecrets: [{ tenant: 'acme', name: 'lost', id: lost.id }], checkedKeys: 2 });
    expect(secrets.entries.has('stray-account')).toBe(true);
    expect(secrets.entries.has(kept.id)).toBe(true);
    expect(test.services.keys.list()).toHaveLength(2);
  });
});

describe('clock', () => {
  it('stamps rows with the injected clock', async () => {
    test.dispose();
    test = createTestVault(secrets, fixedClock('2030-01-02T03:04:05.000Z'));
    const tenant = test.services.tenants.add({ alias: 'later', tenantId: 'x', environment: 'production' });
    expect(tenant.createdAt).toBe('2030-01-02T03:04:05.000Z');
  });
});
