// Every verdict through the check service: the sandbox, purpose-built servers, the real keychain.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import type { CheckService, CheckTarget } from '../../../src-main/core/checks/check-service.ts';
import { WALLET_CREW_PROBES } from '../../../src-main/core/vendors/wallet-crew/probes.ts';
import { markdownReport } from '../../../src-main/core/checks/report.ts';
import type { CheckResult } from '../../../src-main/shared/check.ts';
import { remedySentence } from '../../../src-main/shared/remedies.ts';
import { canaryToken, filesContaining, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { createTestVault, historyOf, insertSnapshot } from '../../support/vault.ts';
import { MemorySecretStore } from '../../../src-main/core/secrets/memory-secret-store.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';
import { json, selfSignedCertificate, startServer, startTlsServer, type TestServer } from '../../support/servers.ts';

const config = WALLET_CREW_PROBES.find((probe) => probe.id === 'config')!;
const dataDir = scratchDir('checks');
const service = uniqueService('checks');
const servers: TestServer[] = [];
const results: CheckResult[] = [];
let sandbox: TestSandbox;
let vault: Services;
let checks: CheckService;
let token: string;

async function createServerKey(tenant: string, name: string, permissions: string[]): Promise<string> {
  const response = await sandbox.call('POST', `/api/${tenant}/admin/apiKeys`, { key: sandbox.adminKey(tenant), body: { name, permissions } });
  return ((await response.json()) as { token: string }).token;
}

function target(baseUrl: string, tenantId = 'demo'): CheckTarget {
  return { baseUrl, tenantId, vendor: 'wallet-crew', auth: { kind: 'header', name: 'X-API-KEY' } };
}

async function adHoc(baseUrl: string, secret = token, tenantId = 'demo'): Promise<CheckResult> {
  const result = await checks.checkSecret(target(baseUrl, tenantId), secret, config);
  results.push(result);
  return result;
}

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo', 'acme'] });
  vault = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service }, http: { deadlineMs: 2500, headersTimeoutMs: 2000, bodyTimeoutMs: 2000 }, matrixIntervalMs: 10 });
  checks = vault.checks;
  token = await createServerKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']);
  vault.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  vault.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'custom', baseUrl: sandbox.url });
  await vault.keys.add({ tenant: 'demo', name: 'crm', secret: token, scopes: ['tenant.core:read', 'Pass.Read', 'Secret.Read'] });
});
afterAll(async () => {
  await sandbox.dispose();
  for (const s of servers) await s.close();
  await vault.close();
  await clearService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('verdicts', () => {
  it('valid, with the scope it proves', async () => {
    const result = await adHoc(sandbox.url);
    expect(result).toMatchObject({ verdict: 'valid', status: 200, bodyKind: 'json', key: { fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) } });
    expect(result.summary).toMatch(/holds `tenant.core:read`/);
  });

  it('unauthorized, naming the tenant where the vault holds this very key', async () => {
    const result = await adHoc(sandbox.url, token, 'acme');
    expect(result).toMatchObject({ verdict: 'unauthorized', status: 401, bodyKind: 'problem+json', problem: { status: 401, detail: 'Caller not authenticated.' } });
    expect(result.nextSteps[0]).toEqual({ code: 'key-held-elsewhere', holder: { tenant: 'demo', name: 'crm' }, tenantId: 'demo', environment: 'custom' });
    expect(remedySentence(result.nextSteps[0]!)).toMatch(/holds this very key as demo\/crm — tenant demo/);
    expect(result.summary).toMatch(/missing, invalid, revoked or disabled/);
  });

  it('unauthorized when sent another way than its entry of this very tenant sends it: the advice says how its entry sends it', async () => {
    const result = await checks.checkSecret({ baseUrl: sandbox.url, tenantId: 'demo', vendor: 'generic', auth: { kind: 'header', name: 'X-Other' } }, token, config);
    results.push(result);
    expect(result).toMatchObject({ verdict: 'unauthorized', status: 401 });
    expect(result.nextSteps[0]).toEqual({ code: 'key-held-elsewhere', holder: { tenant: 'demo', name: 'crm' }, tenantId: 'demo', environment: 'custom', sentAs: 'the X-API-KEY header', sentHere: 'the X-Other header' });
    expect(remedySentence(result.nextSteps[0]!)).toBe('This vault holds this very key as demo/crm, for this same tenant (demo, custom), sent in the X-API-KEY header; this check sent it in the X-Other header. Check it the way its entry sends it.');
    expect(result.summary).toBe('The server rejected the key (401) as this check sent it, in the X-Other header: its entry demo/crm, for this tenant, sends it in the X-API-KEY header.');
    // Its fingerprint matched a stored key (so it was copied whole), and its tenant is the right one: neither is suggested.
    expect(result.nextSteps.map((step) => step.code)).toEqual(['key-held-elsewhere', 'check-key-enabled', 'not-a-scope-problem']);
    // Sent as a bearer token: the same, in its words; against another tenant, the key belongs elsewhere.
    const bearer = await checks.checkSecret({ baseUrl: sandbox.url, tenantId: 'demo', vendor: 'generic', auth: { kind: 'bearer' } }, token, config);
    results.push(bearer);
    expect(bearer.nextSteps[0]).toMatchObject({ code: 'key-held-elsewhere', sentAs: 'the X-API-KEY header', sentHere: 'a bearer token (Authorization: Bearer)' });
    const acme = await checks.checkSecret({ baseUrl: sandbox.url, tenantId: 'acme', vendor: 'generic', auth: { kind: 'header', name: 'X-Other' } }, token, config);
    results.push(acme);
    expect(acme.nextSteps[0]).toEqual({ code: 'key-held-elsewhere', holder: { tenant: 'demo', name: 'crm' }, tenantId: 'demo', environment: 'custom' });
    // Its own tenant id at another base URL (a path given twice): the advice names both URLs, not another tenant.
    const doubled = await checks.checkSecret(target(`${sandbox.url}/api`), token, config);
    results.push(doubled);
    expect(doubled.verdict).toBe('not_found');
    expect(doubled.nextSteps[0]).toEqual({ code: 'key-held-elsewhere', holder: { tenant: 'demo', name: 'crm' }, tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url, baseUrlHere: `${sandbox.url}/api` });
    expect(remedySentence(doubled.nextSteps[0]!)).toBe(`This vault holds this very key as demo/crm, for this same tenant id (demo) at ${sandbox.url}; this check went to ${sandbox.url}/api. Check the base URL given (a path such as /api given twice is a common slip), or check the entry itself.`);
    // Another host is another environment (production and staging share tenant ids): the key belongs to its entry's.
    const elsewhere = await server((_request, response) => json(response, 401, {}));
    const otherHost = await checks.checkSecret(target(elsewhere.url), token, config);
    results.push(otherHost);
    expect(otherHost.nextSteps[0]).toEqual({ code: 'key-held-elsewhere', holder: { tenant: 'demo', name: 'crm' }, tenantId: 'demo', environment: 'custom' });
    expect(otherHost.nextSteps.map((step) => step.code)).toContain('check-tenant');
  });

  it('forbidden, comparing the needed scope with the declared ones', async () => {
    const result = await checks.checkStored({ tenant: 'demo', name: 'crm' }, { probeId: 'secrets' });
    results.push(result);
    expect(result).toMatchObject({ verdict: 'forbidden', status: 403, probe: { id: 'secrets', scope: 'Secret.Read' } });
    expect(result.summary).toMatch(/authenticates/);
    expect(result.nextSteps[0]).toEqual({ code: 'update-declared-scopes', key: { tenant: 'demo', name: 'crm' }, scope: 'Secret.Read' });
    expect(remedySentence(result.nextSteps[0]!)).toMatch(/lists `Secret.Read` among demo\/crm's scopes, but the server does not grant it/);
  });

  it('not_found for a wrong tenant id', async () => {
    const result = await adHoc(sandbox.url, token, 'no-such-tenant');
    expect(result.verdict).toBe('not_found');
    // The vault holds this key for tenant demo: the tenant id given is the likely mistake.
    expect(result.nextSteps.map((step) => step.code)).toEqual(['key-held-elsewhere', 'check-tenant']);
    expect(remedySentence(result.nextSteps[1]!)).toMatch(/tenant id "no-such-tenant"/);
  });

  it('throttled on 429, and on 503 with Retry-After, but server_error on a bare 503', async () => {
    await sandbox.control('PUT', '/_sandbox/config', { throttle: { tenants: { demo: { capacity: 1, refillPerSecond: 0.2 } } } });
    await adHoc(sandbox.url);
    const throttled = await adHoc(sandbox.url);
    expect(throttled).toMatchObject({ verdict: 'throttled', status: 429, retryAfterSeconds: expect.any(Number) });
    expect(throttled.summary).toMatch(/retry in \d+ s/);
    await sandbox.control('PUT', '/_sandbox/config', { throttle: { tenants: { demo: { capacity: 1, refillPerSecond: 0.2, status: 503 } } } });
    await adHoc(sandbox.url);
    expect(await adHoc(sandbox.url)).toMatchObject({ verdict: 'throttled', status: 503 });
    await sandbox.control('PUT', '/_sandbox/config', { throttle: { tenants: { demo: { capacity: 1, refillPerSecond: 0.2, status: 503, retryAfter: false } } } });
    await adHoc(sandbox.url);
    expect(await adHoc(sandbox.url)).toMatchObject({ verdict: 'server_error', status: 503 });
    await sandbox.control('DELETE', '/_sandbox/config');
  });

  it('server_error on an injected 500, without blaming the key', async () => {
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', failureRate: 1 }] });
    const result = await adHoc(sandbox.url);
    expect(result).toMatchObject({ verdict: 'server_error', status: 500 });
    expect(result.summary).toMatch(/says nothing about the key/);
    await sandbox.control('DELETE', '/_sandbox/config');
  });

  it('timeout when the server hangs, network_error on a reset', async () => {
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', hang: true }] });
    expect(await adHoc(sandbox.url)).toMatchObject({ verdict: 'timeout', status: null, bodyKind: null });
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', reset: true }] });
    const reset = await adHoc(sandbox.url);
    expect(reset).toMatchObject({ verdict: 'network_error', status: null });
    expect(reset.summary).toMatch(/reset/);
    await sandbox.control('DELETE', '/_sandbox/config');
    expect((await adHoc('http://127.0.0.1:1')).summary).toMatch(/Nothing accepted the connection/);
    // A name that cannot resolve (.invalid never does) is a network problem, never the key's.
    const unresolved = await adHoc('https://tkv-check.invalid');
    expect(unresolved).toMatchObject({ verdict: 'network_error', status: null, failureCode: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/) });
    expect(unresolved.summary).toMatch(/The host name tkv-check\.invalid did not resolve; the key was not judged/);
  });

  it('redirected, without sending the key to the target', async () => {
    const elsewhere = await server((_, response) => json(response, 200, {}));
    const redirecting = await server((_, response) => {
      response.writeHead(301, { location: `${elsewhere.url}/login` });
      response.end();
    });
    const result = await adHoc(redirecting.url);
    expect(result).toMatchObject({ verdict: 'redirected', status: 301, location: `${elsewhere.url}/login` });
    expect(elsewhere.requests).toEqual([]);
  });

  it('unexpected_status for anything else', async () => {
    const teapot = await server((_, response) => json(response, 418, { title: "I'm a teapot" }));
    expect(await adHoc(teapot.url)).toMatchObject({ verdict: 'unexpected_status', status: 418 });
  });

  it('tls_error with advice about an intercepting proxy', async () => {
    const secure = await startTlsServer(selfSignedCertificate(), (_, response) => json(response, 200, {}));
    servers.push(secure);
    const result = await adHoc(secure.url);
    expect(result).toMatchObject({ verdict: 'tls_error', status: null, failureCode: expect.stringMatching(/SELF_SIGNED|CERT/) });
    expect(result.nextSteps.map((step) => step.code)).toContain('trust-proxy-ca');
    expect(secure.requests).toEqual([]);
  });

  it('an HTML 401 or 403 is a proxy speaking, not the API', async () => {
    const proxy = await server((_, response) => {
      response.writeHead(403, { 'content-type': 'text/html' });
      response.end('<!DOCTYPE html><html><body>Access denied by corporate gateway</body></html>');
    });
    const result = await adHoc(proxy.url);
    expect(result).toMatchObject({ verdict: 'intercepted', status: 403, bodyKind: 'html', nextSteps: [{ code: 'check-proxy' }] });
    expect(result.summary).toMatch(/proxy, firewall or single sign-on gateway answered, not the API/);
  });
});

describe('stored keys', () => {
  it('records each check and the last verdict, never the token', async () => {
    const result = await checks.checkStored({ tenant: 'demo', name: 'crm' });
    expect(result.probe.id).toBe('config');
    const key = vault.keys.show({ tenant: 'demo', name: 'crm' });
    expect(key).toMatchObject({ lastJudgement: 'valid', lastJudgedAt: expect.any(String), lastAttempt: 'valid' });
    const history = historyOf(vault, key.id);
    expect(history.at(-1)).toMatchObject({ probe: 'config', verdict: 'valid', status: 200, url: `${sandbox.url}/api/demo/admin/config` });
    expect(vault.audit.entries(key.id).map((entry) => entry.action)).toContain('validated');
  });

  it('builds a scope matrix with the drift from the declared scopes', async () => {
    const matrix = await checks.scopeMatrix({ tenant: 'demo', name: 'crm' });
    const state = Object.fromEntries(matrix.scopes.map((s) => [s.scope, s.state]));
    // Medium-risk probes test their scope (bodies dropped); high-risk ones never run in a matrix.
    expect(state).toMatchObject({ 'tenant.core:read': 'granted', 'Secret.Read': 'denied', 'tenant.access:read': 'denied', 'tenant.apiKey:read': 'denied', 'Pass.Read': 'granted', 'Webhook.Read': 'untestable' });
    expect(matrix.missing).toEqual(['Secret.Read']);
    expect(matrix.undeclared).toEqual([]);
    expect(matrix.stoppedBy).toBeNull();
  });

  it('checks every key with per-tenant limits, backing off on Retry-After', async () => {
    for (let i = 0; i < 6; i += 1) {
      const secret = await createServerKey('acme', `bulk-${i}`, ['*']);
      await vault.keys.add({ tenant: 'acme', name: `bulk-${i}`, secret, scopes: ['*'] });
    }
    await sandbox.control('PUT', '/_sandbox/config', { throttle: { tenants: { acme: { capacity: 3, refillPerSecond: 4 } } } });
    const progress: number[] = [];
    const summary = await checks.checkAll({ concurrency: 4, perTenant: 2, onProgress: ({ done }) => progress.push(done) });
    await sandbox.control('DELETE', '/_sandbox/config');
    expect(summary.total).toBe(7);
    expect(summary.checked).toBe(7);
    expect(summary.byVerdict).toEqual({ valid: 7 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('holds each tenant to its limit, takes tenants in turn, and records one run', async () => {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const arrivals: string[] = [];
    // Keys it issued answer 200; any other (the negative control's) 401, as an API does.
    const issued = new Set<string>();
    const controls: string[] = [];
    const slow = await server((request, response) => {
      const tenant = request.url!.split('/')[2]!;
      const known = issued.has(String(request.headers['x-api-key']));
      if (known) arrivals.push(tenant);
      else controls.push(tenant);
      inFlight.set(tenant, (inFlight.get(tenant) ?? 0) + 1);
      peak.set(tenant, Math.max(peak.get(tenant) ?? 0, inFlight.get(tenant)!));
      setTimeout(() => {
        inFlight.set(tenant, inFlight.get(tenant)! - 1);
        json(response, known ? 200 : 401, {});
      }, 20);
    });
    const own = createTestVault(new MemorySecretStore());
    try {
      for (const tenant of ['t1', 't2', 't3']) {
        own.services.tenants.add({ alias: tenant, tenantId: tenant, environment: 'custom', baseUrl: slow.url });
        for (let i = 0; i < 4; i += 1) {
          const secret = canaryToken();
          issued.add(secret);
          await own.services.keys.add({ tenant, name: `k${i}`, secret, scopes: [] });
        }
      }
      const bulk = own.services.checks;
      const summary = await bulk.checkAll({ concurrency: 6, perTenant: 2 });
      expect(summary.byVerdict).toEqual({ valid: 12 });
      // The negative control counts against the tenant's limit too: still never more than 2 at once.
      expect([...peak.values()]).toEqual([2, 2, 2]);
      // One control per tenant (and probe) for the whole run.
      expect(controls.toSorted()).toEqual(['t1', 't2', 't3']);
      // One at a time, the tenants take turns instead of one tenant's keys going first.
      arrivals.length = 0;
      controls.length = 0;
      await bulk.checkAll({ concurrency: 1 });
      expect(arrivals).toEqual(Array.from({ length: 4 }, () => ['t1', 't2', 't3']).flat());
      // A new run sends its own controls: a run never trusts another's.
      expect(controls).toEqual(['t1', 't2', 't3']);
      const runs = own.services.keys.list({}).map((key) => historyOf(own.services, key.id).map((v) => v.runId));
      expect(new Set(runs.map((ids) => ids.join()))).toEqual(new Set([runs[0]!.join()]));
      expect(runs[0]).toHaveLength(2);
    } finally {
      await own.dispose();
    }
  });

  it('ends when one tenant has more keys than the others: a worker waiting for a busy tenant is woken when it frees', async () => {
    const issued = new Set<string>();
    const slow = await server((request, response) => void setTimeout(() => json(response, issued.has(String(request.headers['x-api-key'])) ? 200 : 401, {}), 15));
    const own = createTestVault(new MemorySecretStore());
    try {
      for (const [tenant, count] of [['big', 5], ['small-1', 1], ['small-2', 1], ['small-3', 1]] as const) {
        own.services.tenants.add({ alias: tenant, tenantId: tenant, environment: 'custom', baseUrl: slow.url });
        for (let i = 0; i < count; i += 1) {
          const secret = canaryToken();
          issued.add(secret);
          await own.services.keys.add({ tenant, name: `k${i}`, secret, scopes: [] });
        }
      }
      // One at a time per tenant, four workers: the small tenants' workers finish first and wait on the big one.
      const run = own.services.checks.checkAll({ concurrency: 4, perTenant: 1 });
      const outcome = await Promise.race([run, new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 5_000))]);
      expect(outcome === 'stuck' ? 'stuck' : outcome.byVerdict).toEqual({ valid: 8 });
    } finally {
      await own.dispose();
    }
  });

  it('aims each key’s probe at its own tenant, and a probe that names the key at that key, with one control per tenant and probe', async () => {
    const seen: string[] = [];
    const controls: string[] = [];
    const issued = new Set<string>();
    const recorder = await server((request, response) => {
      const key = String(request.headers['x-api-key']);
      if (!issued.has(key)) {
        // The negative control: its tenant, and its probe (the config, or a key's own definition).
        controls.push(`${request.url!.split('/')[2]} ${request.url!.includes('/apiKeys/') ? 'api-key-self' : 'config'}`);
        return json(response, 401, {});
      }
      seen.push(`${key} ${request.url!}`);
      json(response, 200, {});
    });
    const own = createTestVault(new MemorySecretStore());
    try {
      const expected: string[] = [];
      for (const tenant of ['t1', 't2']) {
        own.services.tenants.add({ alias: tenant, tenantId: `${tenant}-id`, environment: 'custom', baseUrl: `${recorder.url}/` });
        for (const [name, scopes, path] of [
          ['plain-a', [], '/admin/config'],
          ['plain-b', ['tenant.core:read'], '/admin/config'],
          ['self-a', ['tenant.apiKey:read'], '/admin/apiKeys/self-a'],
          ['self.b', ['tenant.apiKey:read'], '/admin/apiKeys/self.b'],
        ] as const) {
          const secret = canaryToken();
          issued.add(secret);
          await own.services.keys.add({ tenant, name, secret, scopes: [...scopes] });
          expected.push(`${secret} /api/${tenant}-id${path}`);
        }
      }
      const summary = await own.services.checks.checkAll({ concurrency: 3 });
      expect(summary.byVerdict).toEqual({ valid: 8 });
      expect(seen.toSorted()).toEqual(expected.toSorted());
      // A probe that names the key is one request line whatever key it names: one control for it, not one per key.
      expect(controls.toSorted()).toEqual(['t1-id api-key-self', 't1-id config', 't2-id api-key-self', 't2-id config']);
    } finally {
      await own.dispose();
    }
  });

  it('stops cleanly when asked, keeping what finished', async () => {
    const controller = new AbortController();
    const summary = await checks.checkAll({ concurrency: 1, signal: controller.signal, onProgress: ({ done }) => done === 2 && controller.abort() });
    expect(summary.checked).toBe(2);
    expect(summary.interrupted).toBe(true);
    // The two checks that finished are committed, under one run, for any other process to read.
    const other = new Database(path.join(dataDir, 'inventory.sqlite'), { readonly: true });
    try {
      const latest = other.prepare(`SELECT r.kind, count(v.id) AS checks FROM check_runs r JOIN validations v ON v.run_id = r.id GROUP BY r.id ORDER BY r.id DESC LIMIT 1`).get();
      expect(latest).toEqual({ kind: 'bulk', checks: 2 });
    } finally {
      other.close();
    }
  });
});

describe('vendors', () => {
  it('exchanges an Airwallex-style key at login; a refused login is unauthorized', async () => {
    const client = (await (await sandbox.control('POST', '/_sandbox/airwallex/clients', { permissions: ['accounts:read'] })).json()) as { clientId: string; apiKey: string };
    const probe = checks.probe('airwallex', 'account');
    const airwallex = (clientId: string): CheckTarget => ({ baseUrl: sandbox.url, tenantId: '-', vendor: 'airwallex', auth: { kind: 'airwallex', clientId } });
    expect(await checks.checkSecret(airwallex(client.clientId), client.apiKey, probe)).toMatchObject({ verdict: 'valid', request: { url: `${sandbox.url}/api/v1/account` } });
    const refused = await checks.checkSecret(airwallex('c_wrong'), client.apiKey, probe);
    expect(refused).toMatchObject({ verdict: 'unauthorized', request: { method: 'POST', url: `${sandbox.url}/api/v1/authentication/login` } });
    expect(refused.nextSteps.map((step) => step.code)).toContain('check-login-credentials');
  });

  it('sends a generic key in any header, or as a bearer token', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const generic = await server((request, response) => {
      const sent = { custom: request.headers['x-custom-key'] as string | undefined, auth: request.headers.authorization };
      // Only the keys it issued get in: the negative control's is refused.
      if (sent.custom !== 'k1' && sent.auth !== 'Bearer k2') return json(response, 401, {});
      seen.push(sent);
      json(response, 200, {});
    });
    const probe = { id: 'path', vendor: 'generic' as const, method: 'GET' as const, path: '/v1/me', scope: null, risk: 'low' as const, description: '' };
    const custom = await checks.checkSecret({ baseUrl: generic.url, tenantId: 't', vendor: 'generic', auth: { kind: 'header', name: 'X-Custom-Key' } }, 'k1', probe);
    const bearer = await checks.checkSecret({ baseUrl: generic.url, tenantId: 't', vendor: 'generic', auth: { kind: 'bearer' } }, 'k2', probe);
    // Each sent its own way, the negative control (a key of the same shape, sent the same way) refused.
    expect([custom, bearer].map((result) => [result.verdict, result.control?.state])).toEqual([
      ['valid', 'refused'],
      ['valid', 'refused'],
    ]);
    expect(seen).toEqual([
      { custom: 'k1', auth: undefined },
      { custom: undefined, auth: 'Bearer k2' },
    ]);
  });
});

describe('the key stays secret', () => {
  it('appears in no result, report, stored row or file', async () => {
    const canary = canaryToken();
    const echo = await server((request, response) => json(response, 401, { title: 'Unauthorized', detail: `bad key ${request.headers['x-api-key']}`, token: request.headers['x-api-key'] }));
    const result = await adHoc(echo.url, canary);
    const report = markdownReport(result, 'echo');
    expect(JSON.stringify(result.evidence)).not.toContain(canary);
    expect(report).not.toContain(canary);
    expect(report).toMatch(/\[redacted/);
    const bouncing = await server((request, response) => {
      response.writeHead(302, { location: `https://elsewhere.example/login?key=${String(request.headers['x-api-key'])}` });
      response.end();
    });
    const redirected = await adHoc(bouncing.url, canary);
    expect(JSON.stringify(redirected)).not.toContain(canary);
    for (const earlier of results) expect(markdownReport(earlier, 'x')).not.toContain(token);
    vault.db.raw.pragma('wal_checkpoint(PASSIVE)');
    expect(filesContaining([dataDir], token)).toEqual([]);
    expect(filesContaining([dataDir], canary)).toEqual([]);
  });
});

describe('verdicts that match the key’s scopes', () => {
  async function stored(name: string, serverPermissions: string[], declared: string[]) {
    const secret = await createServerKey('demo', name, serverPermissions);
    await vault.keys.add({ tenant: 'demo', name, secret, scopes: declared });
    return { tenant: 'demo', name };
  }

  it('checks a key with only Pass.Read with the passes probe, the vendor’s own example: valid', async () => {
    const ref = await stored('passes-only', ['Pass.Read'], ['Pass.Read']);
    const result = await checks.checkStored(ref);
    expect(result).toMatchObject({ verdict: 'valid', status: 200, probe: { id: 'passes', scope: 'Pass.Read', risk: 'medium' } });
    // A medium-risk probe's body is read and dropped: never shown.
    expect(result.evidence.bodyExcerpt).toBeNull();
    expect(result.problem).toBeNull();
  });

  it('calls a 403 on the fallback probe authenticated: none of the key’s scopes could be tested', async () => {
    const ref = await stored('insights-only', ['Insights.Read'], ['Insights.Read']);
    const result = await checks.checkStored(ref);
    expect(result).toMatchObject({ verdict: 'authenticated', status: 403, probe: { id: 'config' } });
    expect(result.summary).toMatch(/authenticates.*None of its declared scopes could be tested/);
    expect(result.nextSteps.map((step) => step.code)).toEqual(['add-probe', 'run-scope-matrix']);
    expect(vault.keys.show(ref)).toMatchObject({ lastJudgement: 'authenticated' });
  });

  it('says so when only a high-risk probe tests a declared scope, and offers it, never running it unasked', async () => {
    const ref = await stored('webhooks-only', ['Webhook.Read'], ['Webhook.Read']);
    const result = await checks.checkStored(ref);
    expect(result).toMatchObject({ verdict: 'authenticated', status: 403, probe: { id: 'config' } });
    expect(result.summary).toBe(
      'The key authenticates: config answered 403, which a refused key never gets. Its declared scopes are tested only by high-risk probes, which run only when asked for (webhooks tests `Webhook.Read`, and reads subscriptions including their signing secret); so this says nothing about them yet.',
    );
    expect(result.nextSteps[0]).toEqual({ code: 'check-with-probe', key: ref, probe: 'webhooks', scope: 'Webhook.Read', reads: 'subscriptions including their signing secret' });
    expect(remedySentence(result.nextSteps[0]!)).toBe('If you accept what it reads (subscriptions including their signing secret), check demo/webhooks-only with the high-risk webhooks probe, which needs `Webhook.Read`.');
    // Asked for, it runs and judges the scope.
    expect(await checks.checkStored(ref, { probeId: 'webhooks' })).toMatchObject({ verdict: 'valid', probe: { id: 'webhooks', risk: 'high' } });
  });

  it('keeps forbidden for a 403 on a declared scope, as the server disagreeing with the vault', async () => {
    const ref = await stored('drifted', ['Pass.Read'], ['tenant.core:read']);
    const result = await checks.checkStored(ref);
    expect(result).toMatchObject({ verdict: 'forbidden', probe: { id: 'config' } });
    expect(result.summary).toMatch(/the server and the vault disagree/);
    expect(result.nextSteps[0]).toEqual({ code: 'update-declared-scopes', key: ref, scope: 'tenant.core:read' });
  });

  it('keeps the last judgement when the network fails, and shows the attempt beside it', async () => {
    const ref = await stored('flaky-net', ['tenant.core:read'], ['tenant.core:read']);
    expect((await checks.checkStored(ref)).verdict).toBe('valid');
    await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', reset: true }] });
    try {
      expect((await checks.checkStored(ref)).verdict).toBe('network_error');
    } finally {
      await sandbox.control('DELETE', '/_sandbox/config');
    }
    const key = vault.keys.show(ref);
    expect(key).toMatchObject({ lastJudgement: 'valid', lastAttempt: 'network_error' });
    expect(key.lastAttemptAt! > key.lastJudgedAt!).toBe(true);
    // A scope matrix records its probes in the history, and leaves the key's verdict alone.
    const before = vault.checks.history(ref).length;
    await checks.scopeMatrix(ref);
    expect(vault.checks.history(ref).length).toBeGreaterThan(before + 2);
    expect(vault.keys.show(ref)).toMatchObject({ lastJudgement: 'valid', lastAttempt: 'network_error' });
  });

  it('advises with what the vault knows: disabled on the server, expired, gone from the server, or not linked to it', async () => {
    const ref = await stored('switched-off', ['tenant.core:read'], ['tenant.core:read']);
    await sandbox.call('PUT', '/api/demo/admin/apiKeys/switched-off', { key: sandbox.adminKey('demo'), body: { enabled: false, permissions: ['tenant.core:read'] } });
    // The listing also shows a key no entry uses: the likely server name of an entry not linked.
    insertSnapshot(vault, 'demo', '2026-11-30T09:00:00.000Z', [
      { name: 'switched-off', enabled: false, permissions: ['tenant.core:read'] },
      { name: 'partner-feed', enabled: true, permissions: ['tenant.core:read'] },
    ]);
    // A key the server never issued (so 401), recorded as expired long ago.
    await vault.keys.add({ tenant: 'demo', name: 'past-due', secret: canaryToken(), scopes: ['tenant.core:read'], expiresOn: '2020-01-31', remoteName: 'past-due' });
    // Another, whose name on the server the vault was never told: the listing cannot say it was deleted.
    await vault.keys.add({ tenant: 'demo', name: 'unlinked', secret: canaryToken(), scopes: ['tenant.core:read'] });
    try {
      const disabled = await checks.checkStored(ref);
      expect(disabled.verdict).toBe('unauthorized');
      expect(disabled.nextSteps[0]).toEqual({ code: 'disabled-on-server', remoteName: 'switched-off', snapshotAt: '2026-11-30T09:00:00.000Z' });
      const expired = await checks.checkStored({ tenant: 'demo', name: 'past-due' });
      expect(expired.verdict).toBe('unauthorized');
      expect(expired.nextSteps).toContainEqual({ code: 'key-expired', expiresOn: '2020-01-31' });
      expect(expired.nextSteps).toContainEqual({ code: 'missing-on-server', remoteName: 'past-due', snapshotAt: '2026-11-30T09:00:00.000Z' });
      const unlinked = await checks.checkStored({ tenant: 'demo', name: 'unlinked' });
      expect(unlinked.nextSteps).toContainEqual({ code: 'link-server-name', key: { tenant: 'demo', name: 'unlinked' }, candidates: ['partner-feed'] });
      expect(unlinked.nextSteps.map((step) => step.code)).not.toContain('missing-on-server');
    } finally {
      vault.db.raw.prepare('DELETE FROM remote_snapshots').run();
    }
  });
});
