// The admin API through the vault: every call and error against the sandbox, with the real keychain
// (a private Secret Service) and SQLite in a temp dir; the show-once path with a keychain that fails
// after the server created the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../../src-main/core/vendors/wallet-crew/admin-api.ts';
import type { AdminService } from '../../../src-main/core/admin/admin-service.ts';
import { VaultError } from '../../../src-main/core/errors.ts';
import { type HttpClient } from '../../../src-main/core/http/http-client.ts';
import { PROBE_ACCOUNT_PREFIX, type SecretStore } from '../../../src-main/core/secrets/secret-store.ts';
import type { Services } from '../../../src-main/core/services.ts';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';
import { filesContaining } from '../../support/files.ts';
import { rejected } from '../../support/errors.ts';
import { failingAfterRoundTrip } from '../../support/keychain.ts';
import type { TestSandbox } from '../../support/sandbox.ts';

const tokens: string[] = [];
let fixture: AdminFixture;
let sandbox: TestSandbox;
let http: HttpClient;
let secrets: SecretStore;
let dataDir: string;
let vault: Services;
let admin: AdminService;
let service: string;
const openVaultWith = (store: SecretStore) => fixture.openVault(store);
const serverKeys = (tenantId?: string) => fixture.serverKeys(tenantId);

beforeAll(async () => {
  fixture = await startAdminFixture('admin', ['demo', 'acme', 'other']);
  ({ sandbox, http, secrets, dataDir, vault, service } = fixture);
  admin = vault.admin;
});

afterAll(() => fixture.dispose());

describe('admin calls', () => {
  it('creates a key on the server and stores its token as the entry, keychain first', async () => {
    const outcome = await admin.remoteCreate({ tenant: 'demo', name: 'crm' }, { scopes: ['tenant.core:read', 'Pass.Read'] }, { canShowToken: true });
    expect(outcome.stored).toBe(true);
    if (!outcome.stored) return;
    tokens.push(outcome.token);
    expect(outcome.definition).toEqual({ name: 'crm', enabled: true, permissions: ['tenant.core:read', 'Pass.Read'] });
    expect(await secrets.get(outcome.key.secretAccount)).toBe(outcome.token);
    expect(vault.keys.show({ tenant: 'demo', name: 'crm' })).toMatchObject({ remoteName: 'crm', scopes: ['tenant.core:read', 'Pass.Read'], enabled: true });
    // The stored token is the one the server accepts.
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: outcome.token })).status).toBe(200);
    expect(vault.audit.entries().some((entry) => entry.action === 'created' && entry.keyName === 'crm')).toBe(true);
  });

  it('duplicates a key: --like copies the server permissions', async () => {
    const outcome = await admin.remoteCreate({ tenant: 'demo', name: 'crm-copy' }, { like: { tenant: 'demo', name: 'crm' }, enabled: false }, { canShowToken: true });
    expect(outcome.stored).toBe(true);
    if (outcome.stored) tokens.push(outcome.token);
    expect((await serverKeys()).find((key) => key.name === 'crm-copy')).toEqual({ name: 'crm-copy', enabled: false, permissions: ['tenant.core:read', 'Pass.Read'] });
    expect(vault.keys.show({ tenant: 'demo', name: 'crm-copy' }).enabled).toBe(false);
  });

  it('gets, updates (the PUT keeps what is not changed) and deletes', async () => {
    expect(await admin.remoteGet({ tenant: 'demo', name: 'crm' })).toMatchObject({ name: 'crm', enabled: true, local: { ref: { tenant: 'demo', name: 'crm' }, role: 'current', hasSecret: true, permissionsDiffer: false } });
    const disabled = await admin.remoteUpdate({ tenant: 'demo', name: 'crm-copy' }, { enabled: true });
    expect(disabled).toEqual({ name: 'crm-copy', enabled: true, permissions: ['tenant.core:read', 'Pass.Read'] });
    const rescoped = await admin.remoteUpdate({ tenant: 'demo', name: 'crm-copy' }, { scopes: ['Pass.Read'] });
    expect(rescoped).toEqual({ name: 'crm-copy', enabled: true, permissions: ['Pass.Read'] });
    expect(vault.keys.show({ tenant: 'demo', name: 'crm-copy' }).scopes).toEqual(['Pass.Read']);
    const account = vault.keys.show({ tenant: 'demo', name: 'crm-copy' }).secretAccount;
    expect(await admin.remoteDelete({ tenant: 'demo', name: 'crm-copy' })).toEqual({ remoteName: 'crm-copy', wasOnServer: true, removedLocal: true });
    expect((await serverKeys()).some((key) => key.name === 'crm-copy')).toBe(false);
    expect(await secrets.get(account)).toBeNull();
    expect(vault.keys.list({ tenant: 'demo' }).map((key) => key.name)).not.toContain('crm-copy');
    const actions = vault.audit.entries().map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['remote_updated', 'remote_deleted', 'deleted']));
  });

  it('lists into a time-stamped snapshot and compares it with the vault', async () => {
    // A server key the vault does not hold, a vault entry the server no longer has, and drift.
    await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'made-elsewhere', permissions: ['Secret.Read'], enabled: false } });
    const gone = await admin.remoteCreate({ tenant: 'demo', name: 'soon-gone' }, { scopes: ['tenant.core:read'] }, { canShowToken: true });
    if (gone.stored) tokens.push(gone.token);
    await sandbox.call('DELETE', '/api/demo/admin/apiKeys/soon-gone', { key: sandbox.adminKey('demo') });
    await sandbox.call('PUT', '/api/demo/admin/apiKeys/crm', { key: sandbox.adminKey('demo'), body: { enabled: true, permissions: ['tenant.core:read'] } });

    const listing = await admin.remoteList('demo');
    const byName = new Map(listing.keys.map((key) => [key.name, key]));
    expect(byName.get('made-elsewhere')).toEqual({ name: 'made-elsewhere', enabled: false, permissions: ['Secret.Read'], local: null });
    expect(byName.get('crm')?.local).toMatchObject({ hasSecret: true, permissionsDiffer: true, declaredScopes: ['tenant.core:read', 'Pass.Read'] });
    expect(listing.missingOnServer).toEqual([{ ref: { tenant: 'demo', name: 'soon-gone' }, remoteName: 'soon-gone' }]);

    // Offline review: the stored snapshot answers without the server.
    const offline = await admin.lastSnapshot('demo');
    expect(offline?.snapshotId).toBe(listing.snapshotId);
    expect(offline?.takenAt).toBe(listing.takenAt);
    expect(offline?.keys.map((key) => key.name).sort()).toEqual(listing.keys.map((key) => key.name).sort());
    expect(vault.audit.entries().some((entry) => entry.action === 'remote_listed')).toBe(true);
  });

  it('a key a lost creation left: shown as nobody’s until an entry uses its name, and forgotten once deleted', async () => {
    const tenantRef = vault.tenants.require('demo').ref;
    const orphan = (name: string) => vault.db.raw.prepare(`INSERT INTO remote_create_intents (id, tenant_ref, key_name, remote_name, permissions, started_at, state) VALUES (?, ?, ?, ?, '[]', ?, 'orphaned')`).run(`intent-${name}`, tenantRef, name, name, new Date().toISOString());
    const intents = () => vault.db.raw.prepare('SELECT remote_name FROM remote_create_intents').pluck().all();
    // Two keys on the server whose creating answers were lost; the vault holds one of them since.
    for (const name of ['lost-one', 'lost-two']) {
      tokens.push(((await (await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name, permissions: ['Pass.Read'] } })).json()) as { token: string }).token);
      orphan(name);
    }
    await vault.keys.add({ tenant: 'demo', name: 'lost-two', secret: tokens.at(-1)!, scopes: ['Pass.Read'], remoteName: 'lost-two' });
    expect((await admin.remoteList('demo')).orphaned.map((key) => key.name)).toEqual(['lost-one']);
    // Deleted by its server name (no entry uses it): nothing is left to follow up.
    expect(await admin.deleteServerKey('demo', 'lost-one')).toEqual({ removedLocal: false });
    expect(intents()).not.toContain('lost-one');
    await vault.keys.remove({ tenant: 'demo', name: 'lost-two' });
    vault.db.raw.prepare('DELETE FROM remote_create_intents').run();
  });

  it('turns every error into a typed result with advice', async () => {
    const client = new AdminClient(http, { baseUrl: sandbox.url, tenantId: 'demo' }, { kind: 'api-key', secret: sandbox.adminKey('demo'), label: 'test' });
    const invalid = await client.create({ name: 'has space', permissions: [] });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok && invalid.error.kind === 'invalid') {
      expect(Object.keys(invalid.error.fieldErrors).sort()).toEqual(['name', 'permissions']);
    } else {
      expect.unreachable(`expected a 400 with field errors, got ${JSON.stringify(invalid)}`);
    }
    const conflict = await client.create({ name: 'crm', permissions: ['*'] });
    expect(!conflict.ok && conflict.error.kind).toBe('conflict');
    const missing = await client.get('no-such-key');
    expect(!missing.ok && missing.error.kind).toBe('not_found');

    // 401: an admin credential the server does not know.
    vault.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'custom', baseUrl: sandbox.url });
    await vault.keys.add({ tenant: 'acme', name: 'stale-admin', secret: `stale${'x'.repeat(59)}`, admin: true });
    const refused = await rejected(admin.remoteList('acme'));
    expect(refused.code).toBe('REMOTE_REFUSED');
    expect(refused.message).toMatch(/401/);
    // 403: it authenticates, but can only read.
    const readOnly = await (await sandbox.call('POST', '/api/acme/admin/apiKeys', { key: sandbox.adminKey('acme'), body: { name: 'reader', permissions: ['tenant.apiKey:read'] } })).json() as { token: string };
    tokens.push(readOnly.token);
    await vault.keys.remove({ tenant: 'acme', name: 'stale-admin' });
    await vault.keys.add({ tenant: 'acme', name: 'reader', secret: readOnly.token, admin: true });
    expect((await admin.remoteList('acme')).keys.length).toBeGreaterThan(0);
    const forbidden = await rejected(admin.remoteCreate({ tenant: 'acme', name: 'new' }, { scopes: ['Pass.Read'] }, { canShowToken: true }));
    expect(forbidden.code).toBe('REMOTE_REFUSED');
    expect(forbidden.message).toContain('tenant.apiKey:write');
    expect(forbidden.message).toMatch(/403/);

    // Throttled: a tenant bucket of one request.
    await sandbox.control('PUT', '/_sandbox/config', { throttle: { tenants: { acme: { capacity: 1, refillPerSecond: 0.01 } } } });
    await admin.remoteList('acme');
    const throttled = await client.list();
    const acmeClient = new AdminClient(http, { baseUrl: sandbox.url, tenantId: 'acme' }, { kind: 'api-key', secret: sandbox.adminKey('acme'), label: 'test' });
    const limited = await acmeClient.list();
    expect(throttled.ok).toBe(true); // other tenants are not affected
    expect(!limited.ok && limited.error.kind).toBe('throttled');
    if (!limited.ok && limited.error.kind === 'throttled') expect(limited.error.retryAfterSeconds).toBeGreaterThan(0);
    await sandbox.control('DELETE', '/_sandbox/config');

    // Server error and network faults.
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/apiKeys', failureRate: 1 }] });
    const failed = await rejected(admin.remoteList('demo'));
    expect(failed.code).toBe('REMOTE_FAILED');
    expect(failed.message).toMatch(/500/);
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/apiKeys', reset: true }] });
    const reset = await client.list();
    expect(!reset.ok && reset.error.kind).toBe('network');
    await sandbox.control('DELETE', '/_sandbox/config');
    const nowhere = new AdminClient(http, { baseUrl: 'http://127.0.0.1:9', tenantId: 'demo' }, { kind: 'api-key', secret: sandbox.adminKey('demo'), label: 'test' });
    const unreachable = await nowhere.list();
    expect(!unreachable.ok && unreachable.error.kind).toBe('network');
    if (!unreachable.ok) expect(unreachable.error.message).not.toContain(sandbox.adminKey('demo'));
  });

  it('uses a pasted OAuth bearer token when the tenant has no admin key, and refuses an expired one', async () => {
    vault.tenants.add({ alias: 'other', tenantId: 'other', environment: 'custom', baseUrl: sandbox.url });
    const noCredential = await rejected(admin.remoteList('other'));
    expect(noCredential.remedies).toEqual([{ code: 'store-admin-credential', tenant: 'other' }]);

    const minted = (await (await sandbox.control('POST', '/_sandbox/bearer-tokens', { tenantId: 'other', ttlSeconds: 600 })).json()) as { accessToken: string; expiresAt: string };
    tokens.push(minted.accessToken);
    await vault.tenants.setBearer('other', minted.accessToken, minted.expiresAt);
    const listing = await admin.remoteList('other');
    expect(listing.credential).toBe('bearer token of other');
    const created = await admin.remoteCreate({ tenant: 'other', name: 'via-bearer' }, { scopes: ['tenant.core:read'] }, { canShowToken: true });
    expect(created.stored).toBe(true);
    if (created.stored) tokens.push(created.token);

    // Expired by its known expiry: refused before any call.
    await vault.tenants.setBearer('other', minted.accessToken, new Date(Date.now() - 1000).toISOString());
    expect((await rejected(admin.remoteList('other'))).message).toMatch(/expired/);
    // Expired on the server (expiry unknown here): the server's 401 says so.
    const stale = (await (await sandbox.control('POST', '/_sandbox/bearer-tokens', { tenantId: 'other', ttlSeconds: -5 })).json()) as { accessToken: string };
    tokens.push(stale.accessToken);
    await vault.tenants.setBearer('other', stale.accessToken, null);
    const refused = await rejected(admin.remoteList('other'));
    expect(refused.code).toBe('REMOTE_REFUSED');
    expect(refused.message).toMatch(/401/);
    await vault.tenants.clearBearer('other');
  });
});

describe('the show-once token', () => {
  it('creates nothing when the keychain does not answer before create', async () => {
    const before = await serverKeys();
    const broken: SecretStore = {
      service,
      backend: 'broken (test)',
      get: () => Promise.reject(new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain is locked.')),
      set: () => Promise.reject(new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain is locked.')),
      delete: () => Promise.resolve(false),
      listAccounts: () => Promise.resolve([]),
    };
    // The admin key's secret is read from the real keychain; only the round trip meets the broken one.
    const adminKey = sandbox.adminKey('demo');
    const lockedVault = openVaultWith({ ...broken, get: (account) => (account.startsWith(PROBE_ACCOUNT_PREFIX) ? broken.get(account) : secrets.get(account)) });
    try {
      const error = await rejected(lockedVault.admin.remoteCreate({ tenant: 'demo', name: 'never' }, { scopes: ['Pass.Read'] }, { canShowToken: true }));
      expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(error.message).toContain('Nothing was sent to the server');
    } finally {
      await lockedVault.close();
    }
    expect(await serverKeys()).toEqual(before);
    expect(adminKey).toBeTruthy();
  });

  it('hands the token back to be shown once, and records the incident, when the keychain fails after create', async () => {
    // The round trip passes (the keychain answers), then the write of the new token fails.
    const failing = failingAfterRoundTrip(secrets);
    const flakyVault = openVaultWith(failing);
    const keysBefore = flakyVault.keys.list().length;
    try {
      const outcome = await flakyVault.admin.remoteCreate({ tenant: 'demo', name: 'unsaved' }, { scopes: ['tenant.core:read'] }, { canShowToken: true });
      expect(outcome.stored).toBe(false);
      if (outcome.stored) return;
      tokens.push(outcome.token);
      expect(outcome.reason).toContain('The keychain stopped answering.');
      // The token shown is the server's working token: nothing was lost.
      expect((await sandbox.call('GET', '/api/demo/admin/config', { key: outcome.token })).status).toBe(200);
      const incident = flakyVault.audit.entries().find((entry) => entry.action === 'token_unsaved');
      expect(incident).toMatchObject({ keyName: 'unsaved', fingerprint: outcome.fingerprint, detail: { remoteName: 'unsaved' } });
      // Nothing else changed: no half-written entry, no stray keychain entry.
      expect(flakyVault.keys.list().length).toBe(keysBefore);
      expect((await flakyVault.keys.reconcile()).orphanSecrets).toEqual([]);
    } finally {
      await flakyVault.close();
    }
  });

  it('deletes the new key again when the keychain fails after create and nobody can be shown the token', async () => {
    const flakyVault = openVaultWith(failingAfterRoundTrip(secrets));
    try {
      const error = await rejected(flakyVault.admin.remoteCreate({ tenant: 'demo', name: 'unheld' }, { scopes: ['tenant.core:read'] }, { canShowToken: false }));
      expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(error.message).toMatch(/nobody to show it to .* deleted again on the server, unused/);
      // No key that nobody holds a token for: the server does not have it, the vault does not either.
      expect((await serverKeys()).map((key) => key.name)).not.toContain('unheld');
      expect(flakyVault.keys.find({ tenant: 'demo', name: 'unheld' })).toBeNull();
      expect(flakyVault.audit.entries().find((entry) => entry.action === 'token_discarded')).toMatchObject({ keyName: 'unheld', detail: { remoteName: 'unheld', deletedOnServer: true } });
    } finally {
      await flakyVault.close();
    }
  });

  it('never writes a token to the inventory', () => {
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(filesContaining([dataDir], token)).toEqual([]);
  });
});
