// Auth and scopes on every probe endpoint and ApiKeys route of the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '../../../src-main/core/vendors/wallet-crew/scopes.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

/** Every route a key can reach, with the one scope it needs. */
const ROUTES: [string, string, string][] = [
  ['GET', '/admin/config', 'tenant.core:read'],
  ['GET', '/admin/permissions', 'tenant.access:read'],
  ['GET', '/admin/roles', 'tenant.access:read'],
  ['GET', '/admin/users', 'tenant.access:read'],
  ['GET', '/passes?pageIndex=0&pageSize=1', 'Pass.Read'],
  ['GET', '/secrets', 'Secret.Read'],
  ['GET', '/webhooks', 'Webhook.Read'],
  ['GET', '/stores', 'Stores.Read'],
  ['GET', '/admin/apiKeys', 'tenant.apiKey:read'],
  ['GET', '/admin/apiKeys/sandbox-admin', 'tenant.apiKey:read'],
];

let sandbox: TestSandbox;
const keys: Record<string, string> = {};

async function createKey(tenant: string, name: string, permissions: string[], enabled = true): Promise<string> {
  const response = await sandbox.call('POST', `/api/${tenant}/admin/apiKeys`, { key: sandbox.adminKey(tenant), body: { name, permissions, enabled } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  for (const [, , scope] of ROUTES) keys[scope] ??= await createKey('demo', `only-${scope.replace(/[^A-Za-z0-9]/g, '-')}`, [scope]);
  keys.star = await createKey('demo', 'star', ['*']);
  keys.disabled = await createKey('demo', 'disabled', ['*'], false);
  keys.deleted = await createKey('demo', 'deleted', ['*']);
  keys.otherTenant = await createKey('acme', 'acme-star', ['*']);
  keys.wrongCase = await createKey('demo', 'wrong-case', ALL_SCOPES.map((scope) => scope.toUpperCase()));
  expect((await sandbox.call('DELETE', '/api/demo/admin/apiKeys/deleted', { key: sandbox.adminKey('demo') })).status).toBe(204);
});
afterAll(() => sandbox.dispose());

describe('auth on every endpoint', () => {
  it.each(ROUTES)('%s %s needs %s', async (method, path, scope) => {
    const url = `/api/demo${path}`;
    const status = async (key?: string) => (await sandbox.call(method, url, key ? { key } : {})).status;
    expect(await status(), 'no key').toBe(401);
    expect(await status('x'.repeat(64)), 'unknown key').toBe(401);
    expect(await status(keys.disabled), 'disabled key').toBe(401);
    expect(await status(keys.deleted), 'deleted key').toBe(401);
    expect(await status(keys.otherTenant), "another tenant's key").toBe(401);
    expect(await status(keys.star), '* grants all').toBe(200);
    expect(await status(keys[scope]), 'exactly its scope').toBe(200);
    expect(await status(keys.wrongCase), 'scopes compare case-sensitively').toBe(403);
    const other = Object.entries(keys).find(([name]) => ALL_SCOPES.includes(name) && name !== scope)![1];
    expect(await status(other), 'a valid key without the scope').toBe(403);
  });

  it('answers an unknown tenant with 404', async () => {
    const response = await sandbox.call('GET', '/api/nobody/admin/config', { key: keys.star });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/Tenant 'nobody' not found/);
  });

  it('a deleted key stops working at once', async () => {
    const token = await createKey('demo', 'short-lived', ['tenant.core:read']);
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status).toBe(200);
    expect((await sandbox.call('DELETE', '/api/demo/admin/apiKeys/short-lived', { key: sandbox.adminKey('demo') })).status).toBe(204);
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status).toBe(401);
  });

  it('can answer 401/403 empty with WWW-Authenticate, as ASP.NET does by default', async () => {
    expect((await sandbox.control('PUT', '/_sandbox/config', { authChallenge: 'empty' })).status).toBe(200);
    const unauthorized = await sandbox.call('GET', '/api/demo/admin/config');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toMatch(/X-API-KEY/);
    expect(await unauthorized.text()).toBe('');
    const forbidden = await sandbox.call('GET', '/api/demo/secrets', { key: keys['Pass.Read'] });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toBe('');
    await sandbox.control('DELETE', '/_sandbox/config');
    const problem = await sandbox.call('GET', '/api/demo/admin/config');
    expect(problem.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await problem.json()).toMatchObject({ status: 401, detail: 'Caller not authenticated.' });
  });
});

describe('probe bodies', () => {
  it('serves the whole scope catalogue, in both naming conventions', async () => {
    const catalogue = (await (await sandbox.call('GET', '/api/demo/admin/permissions', { key: keys.star })).json()) as { code: string; scopes: { code: string }[] }[];
    const codes = catalogue.flatMap((area) => area.scopes.map((scope) => scope.code));
    expect(codes).toEqual(expect.arrayContaining(['tenant.apiKey:read', 'tenant.access.role:write', 'Pass.Read', 'PassScan.Scan', 'TenantConfiguration.Write']));
    expect(new Set(codes).size).toBe(ALL_SCOPES.length);
  });

  it('pages passes and reports the total in x-pagination-total', async () => {
    const first = await sandbox.call('GET', '/api/demo/passes?pageIndex=0&pageSize=5', { key: keys.star });
    const total = Number(first.headers.get('x-pagination-total'));
    const items = (await first.json()) as { id: string }[];
    expect(total).toBeGreaterThan(5);
    expect(items).toHaveLength(5);
    const lastPage = Math.floor((total - 1) / 5);
    const last = (await (await sandbox.call('GET', `/api/demo/passes?pageIndex=${lastPage}&pageSize=5`, { key: keys.star })).json()) as unknown[];
    expect(last.length).toBe(total - lastPage * 5);
    expect((await sandbox.call('GET', '/api/demo/passes?pageIndex=-1&pageSize=5', { key: keys.star })).status).toBe(400);
  });

  it('answers HEAD like GET without a body, and other methods with 405', async () => {
    const head = await sandbox.call('HEAD', '/api/demo/admin/config', { key: keys.star });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await sandbox.call('POST', '/api/demo/admin/config', { key: keys.star, body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});
