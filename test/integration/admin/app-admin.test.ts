// What the app's Server keys and Rotation screens stand on, through core's one composition root with
// the real keychain, SQLite in a temp dir and the sandbox on loopback: the built-in sandbox and its
// tenant, listings with drift (live and offline), the permission catalogue, changes by server name,
// and the rotation's plan, steps and side-by-side check.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import { SCOPE_CATALOGUE } from '../../../src-main/core/vendors/wallet-crew/scopes.ts';
import type { RotationProgress } from '../../../src-main/shared/contract.ts';
import { filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

let dataDir: string;
let service: string;
let services: Services;
const open = () => createServices({ actor: 'app', holdUnsavedTokens: true, env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service } });

beforeAll(() => {
  dataDir = scratchDir('app-admin');
  service = uniqueService('app-admin');
  services = open();
});

afterAll(async () => {
  await services.close();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function token(name: string): Promise<string> {
  const key = services.keys.find({ tenant: 'sandbox', name });
  return services.keys.secretOf(key!);
}

describe('the built-in sandbox', () => {
  it('starts on loopback, adds a sandbox tenant with its admin key in the keychain, and never writes that key to disk', async () => {
    const status = await services.sandbox.start();
    expect(status).toMatchObject({ running: true, tenant: 'sandbox' });
    expect(new URL(status.url!).hostname).toBe('127.0.0.1');
    const [tenant] = services.tenants.list();
    expect(tenant).toMatchObject({ alias: 'sandbox', sandbox: true, baseUrl: status.url, environment: 'custom' });
    const admin = services.keys.find({ tenant: 'sandbox', name: 'sandbox-admin' });
    expect(admin).toMatchObject({ admin: true, scopes: ['*'] });
    const secret = await token('sandbox-admin');
    expect(filesContaining([dataDir], secret)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'sandbox', 'admin-keys.json'))).toBe(false);
    // The admin credential works: the server's list answers.
    const view = await services.admin.serverKeys('sandbox');
    expect(view).toMatchObject({ live: true, error: null, credential: { kind: 'api-key', key: { tenant: 'sandbox', name: 'sandbox-admin' } } });
    expect(view.listing!.keys.map((key) => key.name)).toEqual(['sandbox-admin']);
  });

  it('comes back after a restart with the same admin key, port and keys', async () => {
    const before = services.sandbox.status().url;
    const adminBefore = await token('sandbox-admin');
    await services.admin.remoteCreate({ tenant: 'sandbox', name: 'kept' }, { scopes: ['Pass.Read'] }, { canShowToken: true });
    await services.admin.serverKeys('sandbox'); // the snapshot an offline listing shows
    await services.close();
    services = open();
    expect(services.sandbox.status()).toMatchObject({ running: false, tenant: 'sandbox' });
    // Stopped: the last snapshot stands in, marked as such, with why.
    const offline = await services.admin.serverKeys('sandbox');
    expect(offline.live).toBe(false);
    expect(offline.error?.code).toBe('REMOTE_FAILED');
    expect(offline.listing!.keys.map((key) => key.name).sort()).toEqual(['kept', 'sandbox-admin']);
    const again = await services.sandbox.start();
    expect(again.url).toBe(before);
    expect(await token('sandbox-admin')).toBe(adminBefore);
    const check = await services.checks.checkStored({ tenant: 'sandbox', name: 'kept' });
    expect(check.verdict).toBe('valid');
  });
});

describe('server keys for the app', () => {
  it('marks drift both ways: permissions and enabled state changed behind the vault, keys only on one side', async () => {
    const admin = await token('sandbox-admin');
    const url = services.sandbox.status().url!;
    const put = (name: string, body: unknown) => fetch(`${url}/api/sandbox/admin/apiKeys/${name}`, { method: 'PUT', headers: { 'X-API-KEY': admin, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put('kept', { enabled: false, permissions: ['Pass.Read', 'Pass.Write'] })).status).toBe(200);
    await fetch(`${url}/api/sandbox/admin/apiKeys`, { method: 'POST', headers: { 'X-API-KEY': admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'stranger', permissions: ['Stores.Read'] }) });
    await services.admin.remoteCreate({ tenant: 'sandbox', name: 'doomed' }, { scopes: ['Stores.Read'] }, { canShowToken: true });
    await fetch(`${url}/api/sandbox/admin/apiKeys/doomed`, { method: 'DELETE', headers: { 'X-API-KEY': admin } });

    const { listing } = await services.admin.serverKeys('sandbox');
    const kept = listing!.keys.find((key) => key.name === 'kept')!;
    expect(kept.local).toMatchObject({ role: 'current', hasSecret: true, permissionsDiffer: true, enabledDiffers: true });
    expect(listing!.keys.find((key) => key.name === 'stranger')!.local).toBeNull();
    expect(listing!.missingOnServer).toEqual([{ ref: { tenant: 'sandbox', name: 'doomed' }, remoteName: 'doomed' }]);
  });

  it("reads the server's permission catalogue, and falls back to the known table when it cannot", async () => {
    const live = await services.admin.permissionCatalogue('sandbox');
    expect(live.source).toBe('server');
    expect(live.areas.map((area) => area.code)).toEqual(SCOPE_CATALOGUE.map((area) => area.code));
    expect(live.uses['tenant.core:read']).toContainEqual({ method: 'GET', path: '/api/{tenantId}/admin/config', probe: 'config' });
    expect(live.uses['tenant.apiKey:write']).toContainEqual({ method: 'DELETE', path: '/api/{tenantId}/admin/apiKeys/{keyName}', probe: null });
    await services.sandbox.stop();
    const known = await services.admin.permissionCatalogue('sandbox');
    expect(known).toMatchObject({ source: 'known', reason: expect.stringMatching(/permission catalogue/) });
    expect(known.areas.length).toBe(SCOPE_CATALOGUE.length);
    await services.sandbox.start();
  });

  it('changes and deletes by server name: the entry using the key follows, a key a rotation holds is refused', async () => {
    const updated = await services.admin.updateServerKey('sandbox', 'kept', { enabled: true, scopes: ['Pass.Read'] });
    expect(updated).toEqual({ name: 'kept', enabled: true, permissions: ['Pass.Read'] });
    expect(services.keys.find({ tenant: 'sandbox', name: 'kept' })).toMatchObject({ enabled: true, scopes: ['Pass.Read'] });
    // A server key nobody in the vault uses: deleted on the server only.
    expect(await services.admin.deleteServerKey('sandbox', 'stranger')).toEqual({ removedLocal: false });
    // The entry's own key: both go.
    await services.admin.remoteCreate({ tenant: 'sandbox', name: 'short-lived' }, { scopes: ['Stores.Read'] }, { canShowToken: true });
    expect(await services.admin.deleteServerKey('sandbox', 'short-lived')).toEqual({ removedLocal: true });
    expect(services.keys.find({ tenant: 'sandbox', name: 'short-lived' })).toBeNull();
    const names = (await services.admin.serverKeys('sandbox')).listing!.keys.map((key) => key.name);
    expect(names).not.toContain('stranger');
    expect(names).not.toContain('short-lived');
  });
});

describe('rotation for the app', () => {
  it('plans a free name, reports its steps, checks both keys during the overlap and the old one fails after finish', async () => {
    await services.admin.serverKeys('sandbox'); // a fresh snapshot for the plan
    const plan = services.rotations.plan({ tenant: 'sandbox', name: 'kept' });
    expect(plan).toMatchObject({ oldRemoteName: 'kept', permissions: ['Pass.Read'], blocked: null, open: null });
    expect(plan.proposedName).toMatch(/^kept-\d{8}$/);
    expect(services.rotations.plan({ tenant: 'sandbox', name: 'sandbox-admin' }).blocked).toMatch(/admin credential/);

    const steps: RotationProgress[] = [];
    const stop = services.rotations.onStep({ tenant: 'sandbox', name: 'kept' }, (progress) => steps.push(progress));
    const started = await services.rotations.start({ tenant: 'sandbox', name: 'kept' });
    expect(started).toMatchObject({ state: 'overlap', newRemoteName: plan.proposedName });
    expect(steps.map((step) => `${step.step}:${step.phase}`)).toEqual(expect.arrayContaining(['create:before', 'create:after', 'verify:before', 'verify:after']));

    const overlap = await services.rotations.checkBoth({ tenant: 'sandbox', name: 'kept' });
    expect(overlap.old?.verdict).toBe('valid');
    expect(overlap.new.verdict).toBe('valid');
    const [listed] = services.rotations.listWithJournals();
    expect(listed!.rotation.state).toBe('overlap');
    expect(listed!.journal.map((entry) => entry.step)).toContain('verify');

    await services.rotations.finish({ tenant: 'sandbox', name: 'kept' }, { retire: 'disable' });
    stop();
    expect(steps.map((step) => `${step.step}:${step.phase}`)).toContain('retire:before');
    const after = await services.rotations.checkBoth({ tenant: 'sandbox', name: 'kept' });
    expect(after.rotation.state).toBe('finished');
    expect(after.old?.verdict).toBe('unauthorized');
    expect(after.old?.status).toBe(401);
    expect(after.new.verdict).toBe('valid');
  });
});

describe('removing the sandbox', () => {
  it('removes its tenant, every key of it (keychain included) and its state, in one action', async () => {
    const accounts = services.keys.list({ tenant: 'sandbox' }).map((key) => key.secretAccount);
    expect(accounts.length).toBeGreaterThan(1);
    const result = await services.sandbox.remove();
    expect(result.removedKeys).toBe(accounts.length);
    expect(services.tenants.list()).toEqual([]);
    expect(await services.secrets.listAccounts()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'sandbox'))).toBe(false);
    expect(services.sandbox.status()).toEqual({ running: false, url: null, tenant: null });
  });
});
