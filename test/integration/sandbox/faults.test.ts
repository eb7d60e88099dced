// Fault injection, throttling, the control API and the Airwallex-style login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeMatches } from '../../../src-main/core/sandbox/sandbox-config.ts';
import { parseFaultFlag, parseThrottleFlag } from '../../../src-main/core/sandbox/sandbox-flags.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

let sandbox: TestSandbox;
let admin: string;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  admin = sandbox.adminKey('demo');
});
afterAll(() => sandbox.dispose());

async function configure(config: unknown): Promise<void> {
  const response = await sandbox.control('PUT', '/_sandbox/config', config);
  expect(response.status, await response.clone().text()).toBe(200);
}

describe('control API', () => {
  it('requires the control token', async () => {
    expect((await sandbox.call('GET', '/_sandbox/config')).status).toBe(401);
    expect((await sandbox.call('GET', '/_sandbox/config', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await sandbox.control('GET', '/_sandbox/config')).status).toBe(200);
  });

  it('refuses an invalid configuration and keeps the old one', async () => {
    const bad = await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'nonsense' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/route must look like/);
    expect(await (await sandbox.control('GET', '/_sandbox/config')).json()).toMatchObject({ faults: [] });
  });

  it('adds tenants with their own admin key', async () => {
    const created = await sandbox.control('POST', '/_sandbox/tenants', { tenantId: 'newco' });
    expect(created.status).toBe(201);
    const info = (await created.json()) as { adminKey: string };
    expect((await sandbox.call('GET', '/api/newco/admin/apiKeys', { key: info.adminKey })).status).toBe(200);
    expect((await sandbox.control('POST', '/_sandbox/tenants', { tenantId: 'newco' })).status).toBe(409);
  });
});

describe('faults per route', () => {
  it('adds latency to matching routes only', async () => {
    await configure({ faults: [{ route: 'GET /api/*/admin/config', latencyMs: 400 }] });
    const started = performance.now();
    expect((await sandbox.call('GET', '/api/demo/admin/config', { key: admin })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    // Only a lower bound is timed (a busy machine can only add to it); which routes match is checked directly.
    expect(routeMatches('GET /api/*/admin/config', 'GET', '/api/demo/stores')).toBe(false);
    expect(routeMatches('GET /api/*/admin/config', 'POST', '/api/demo/admin/config')).toBe(false);
    expect(routeMatches('* /api/*/admin/config', 'POST', '/api/acme/admin/config')).toBe(true);
  });

  it('answers 500 at the configured failure rate', async () => {
    await configure({ faults: [{ route: '* /api/demo/stores', failureRate: 1 }] });
    const failed = await sandbox.call('GET', '/api/demo/stores', { key: admin });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ status: 500, detail: 'Injected failure.' });
    await configure({ faults: [{ route: '* /api/demo/stores', failureRate: 0 }] });
    expect((await sandbox.call('GET', '/api/demo/stores', { key: admin })).status).toBe(200);
  });

  it('resets the connection', async () => {
    await configure({ faults: [{ route: 'GET /api/demo/secrets', reset: true }] });
    const error = await sandbox.call('GET', '/api/demo/secrets', { key: admin }).then(
      () => null,
      (caught: Error) => caught,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error & { cause?: { code?: string } }).cause?.code)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });

  it('hangs without answering until the client gives up', async () => {
    await configure({ faults: [{ route: 'GET /api/demo/webhooks', hang: true }] });
    const started = performance.now();
    const error = await sandbox.call('GET', '/api/demo/webhooks', { key: admin, signal: AbortSignal.timeout(500) }).then(
      () => null,
      (caught: Error) => caught,
    );
    expect(error?.name).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(480);
    await sandbox.control('DELETE', '/_sandbox/config');
  });

  it('parses the --fault flag form', () => {
    expect(parseFaultFlag('latency=200,fail=0.25@GET /api/*/admin/config')).toEqual({ route: 'GET /api/*/admin/config', latencyMs: 200, failureRate: 0.25 });
    expect(parseFaultFlag('reset,hang@* /api/demo/*')).toEqual({ route: '* /api/demo/*', reset: true, hang: true });
    expect(() => parseFaultFlag('slow@GET /x')).toThrow(/not one of/);
  });
});

describe('throttling', () => {
  it('rejects over a tenant bucket with 429 and Retry-After', async () => {
    await configure({ throttle: { tenants: { demo: { capacity: 2, refillPerSecond: 0.5 } } } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await sandbox.call('GET', '/api/demo/admin/config', { key: admin }));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(statuses[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await sandbox.call('GET', '/api/acme/admin/config', { key: sandbox.adminKey('acme') })).status).toBe(200);
  });

  it('can reject with 503 and no Retry-After, per key', async () => {
    const created = (await (await sandbox.call('POST', '/api/acme/admin/apiKeys', { key: sandbox.adminKey('acme'), body: { name: 'busy', permissions: ['*'] } })).json()) as { token: string };
    await configure({ throttle: { keys: { 'acme/busy': { capacity: 1, refillPerSecond: 0.1, status: 503, retryAfter: false } } } });
    expect((await sandbox.call('GET', '/api/acme/stores', { key: created.token })).status).toBe(200);
    const refused = await sandbox.call('GET', '/api/acme/stores', { key: created.token });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect((await sandbox.call('GET', '/api/acme/stores', { key: sandbox.adminKey('acme') })).status).toBe(200);
    await sandbox.control('DELETE', '/_sandbox/config');
  });

  it('parses the --throttle flag form', () => {
    expect(parseThrottleFlag('demo=5/s,burst=10,status=503,no-retry-after')).toEqual({ target: 'demo', bucket: { capacity: 10, refillPerSecond: 5, status: 503, retryAfter: false } });
    expect(() => parseThrottleFlag('demo=fast')).toThrow(/TARGET=RATE/);
  });
});

describe('Airwallex-style login', () => {
  it('exchanges API key and client id for a bearer token that works by scope', async () => {
    const client = (await (await sandbox.control('POST', '/_sandbox/airwallex/clients', { permissions: ['balances:read'], accounts: ['acct_main', 'acct_eu'] })).json()) as { clientId: string; apiKey: string };
    const login = await sandbox.call('POST', '/api/v1/authentication/login', { headers: { 'x-api-key': client.apiKey, 'x-client-id': client.clientId, 'x-login-as': 'acct_eu' } });
    expect(login.status).toBe(201);
    const { token, expires_at } = (await login.json()) as { token: string; expires_at: string };
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    const bearer = { Authorization: `Bearer ${token}` };
    expect((await sandbox.call('GET', '/api/v1/balances/current', { headers: bearer })).status).toBe(200);
    expect((await sandbox.call('GET', '/api/v1/pa/payment_intents', { headers: bearer })).status).toBe(403);
    expect((await sandbox.call('GET', '/api/v1/balances/current')).status).toBe(401);
    const wrongKey = await sandbox.call('POST', '/api/v1/authentication/login', { headers: { 'x-api-key': 'nope', 'x-client-id': client.clientId } });
    expect(wrongKey.status).toBe(401);
    const wrongClient = await sandbox.call('POST', '/api/v1/authentication/login', { headers: { 'x-api-key': client.apiKey, 'x-client-id': 'c_unknown' } });
    expect(wrongClient.status).toBe(401);
    const wrongAccount = await sandbox.call('POST', '/api/v1/authentication/login', { headers: { 'x-api-key': client.apiKey, 'x-client-id': client.clientId, 'x-login-as': 'acct_other' } });
    expect(wrongAccount.status).toBe(401);
  });
});
