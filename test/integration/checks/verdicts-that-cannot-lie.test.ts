// The negative control and the server's word, against the sandbox with the real keychain and
// SQLite: an endpoint that lets any key in never yields `valid`, and a 401 or 403 says which it is.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src-main/shared/check.ts';
import { controlWords, serverWords } from '../../../src-main/shared/check-words.ts';
import { remedySentence } from '../../../src-main/shared/remedies.ts';
import { remedyLines } from '../../../src-main/cli/remedies.ts';
import { markdownReport } from '../../../src-main/core/checks/report.ts';
import { ControlCache } from '../../../src-main/core/checks/negative-control.ts';
import { prepare } from '../../../src-main/core/checks/check-service.ts';
import { WALLET_CREW_PROBES } from '../../../src-main/core/vendors/wallet-crew/probes.ts';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';
import { runTkv } from '../../support/cli.ts';
import { canaryToken, filesContaining } from '../../support/files.ts';
import { json, startServer, type TestServer } from '../../support/servers.ts';

let fixture: AdminFixture;
const servers: TestServer[] = [];
const ACCEPT_ANY = { faults: [{ route: '* /api/demo/admin/config', acceptAnyKey: true }] };

const serverKey = (name: string, permissions: string[]) => fixture.createServerKey(name, permissions);
const admin = (method: string, path: string, body?: unknown) => fixture.adminApi(method, path, body);

beforeAll(async () => {
  fixture = await startAdminFixture('cannot-lie', ['demo', 'acme']);
  fixture.vault.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'custom', baseUrl: fixture.sandbox.url });
});
afterEach(async () => {
  await fixture.sandbox.control('DELETE', '/_sandbox/config');
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await fixture.dispose();
});

describe('the negative control', () => {
  it('an endpoint that lets any key in gives inconclusive, never valid, and keeps the last judgement', async () => {
    const token = await serverKey('crm', ['tenant.core:read']);
    const ref = { tenant: 'demo', name: 'crm' };
    await fixture.vault.keys.add({ ...ref, secret: token, scopes: ['tenant.core:read'], remoteName: 'crm' });
    const honest = await fixture.vault.checks.checkStored(ref);
    expect(honest).toMatchObject({ verdict: 'valid', control: { state: 'refused', status: 401, reused: false } });
    expect(controlWords(honest.control!)).toBe('a key that was never issued got 401: the endpoint tells keys apart.');

    await fixture.sandbox.control('PUT', '/_sandbox/config', ACCEPT_ANY);
    // The service's own controls stand for 10 minutes: a fresh service asks again, as a new session would.
    const session = fixture.openVault(fixture.secrets);
    try {
      const lied = await session.checks.checkStored(ref);
      expect(lied).toMatchObject({ verdict: 'inconclusive', status: 200, control: { state: 'accepted', status: 200 } });
      expect(lied.summary).toBe('This endpoint accepted a key that cannot exist (the negative control got 200): its 200 proves nothing about your key, which was not judged.');
      expect(lied.nextSteps).toEqual([{ code: 'endpoint-accepts-any-key', baseUrl: fixture.sandbox.url, controlStatus: 200 }]);
      expect(remedySentence(lied.nextSteps[0]!)).toMatch(/a proxy or gateway answering in the API's place, a mock server, a base URL that is not the API, or an endpoint that does not authenticate/);
      // Not a judgement: the key's last one stays valid, the attempt says inconclusive.
      expect(session.keys.show(ref)).toMatchObject({ lastJudgement: 'valid', lastAttempt: 'inconclusive' });
      // Any string at all, pasted: inconclusive, not valid.
      const pasted = await session.checks.checkPasted({ baseUrl: fixture.sandbox.url, tenantId: 'demo', secret: 'not-a-key-at-all-0123456789', probe: 'config' });
      expect(pasted.result.verdict).toBe('inconclusive');
      expect(pasted.result.control).toMatchObject({ state: 'accepted', reused: true });
      // A bulk run: every key of the tenant inconclusive, none valid.
      const bulk = await session.checks.checkAll({ tenant: 'demo' });
      expect(bulk.byVerdict.valid ?? 0).toBe(0);
      expect(bulk.byVerdict.inconclusive).toBeGreaterThan(0);
      const report = markdownReport(lied, 'demo/crm', new Date('2026-12-07T10:00:00Z'));
      expect(report).toContain('- **Verdict:** `inconclusive` — This endpoint accepted a key that cannot exist');
      expect(report).toContain('- **Negative control:** a key that was never issued got 200: the endpoint accepts any key, so its answers prove nothing.');
    } finally {
      await session.close();
    }
  });

  it('no front door prints valid: tkv check says inconclusive, exits 13, and --json and --report carry the control', async () => {
    await fixture.sandbox.control('PUT', '/_sandbox/config', ACCEPT_ANY);
    const env = { ...process.env, TKV_DATA_DIR: fixture.dataDir, TKV_KEYCHAIN_SERVICE: fixture.service };
    const human = await runTkv(['check', 'demo/crm'], { env });
    expect(human.code).toBe(13);
    expect(human.stdout).toMatch(/^INCONCLUSIVE {2}200 {2}GET /);
    expect(human.stdout).toContain('negative control: a key that was never issued got 200: the endpoint accepts any key, so its answers prove nothing.');
    expect(human.stdout).not.toMatch(/\bVALID\b/);
    const asJson = await runTkv(['check', 'demo/crm', '--json'], { env });
    expect(asJson.code).toBe(13);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ verdict: 'inconclusive', control: { state: 'accepted', status: 200 } });
    const report = await runTkv(['check', 'demo/crm', '--report', 'md'], { env });
    expect(report.stdout).toContain('**Negative control:** a key that was never issued got 200');
    const all = await runTkv(['check', '--all', '--tenant', 'demo'], { env });
    expect(all.code).toBe(13);
    expect(all.stdout).toMatch(/inconclusive/);
    expect(all.stdout).not.toMatch(/^valid/m);
    // The scope matrix, every route letting any key in: no clean "none" under an exit 0.
    await fixture.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: '* /api/*', acceptAnyKey: true }] });
    const matrix = await runTkv(['check', 'demo/crm', '--scopes-matrix'], { env });
    expect(matrix.code).toBe(13);
    expect(matrix.stdout).toMatch(/^Proved nothing \(inconclusive, their answers say nothing about the key\): .*tenant\.core:read/m);
    expect(matrix.stdout).toContain('negative control: a key that was never issued got 200: the endpoint accepts any key, so its answers prove nothing');
    const asMarkdown = await runTkv(['check', 'demo/crm', '--scopes-matrix', '--report', 'md'], { env });
    expect(asMarkdown.stdout).toMatch(/^- Proved nothing \(inconclusive\): .*`tenant\.core:read`/m);
  });

  it('a control that gets no usable answer, three tries in all, makes the key\'s 200 inconclusive: never a valid nothing confirmed', async () => {
    const issued = canaryToken();
    const sentKeys: string[] = [];
    const server = await startServer((request, response) => {
      const key = String(request.headers['x-api-key']);
      sentKeys.push(key);
      json(response, key === issued ? 200 : 503, {});
    });
    servers.push(server);
    const result = await fixture.vault.checks.checkSecret({ baseUrl: server.url, tenantId: 'demo', vendor: 'wallet-crew', auth: { kind: 'header', name: 'X-API-KEY' } }, issued, null);
    expect(result).toMatchObject({ verdict: 'inconclusive', status: 200, control: { state: 'failed', status: 503, tries: 3 } });
    expect(result.summary).toBe("The key got 200, but the negative control could not be run (503, 3 tries): nothing confirms that this endpoint refuses a key that cannot exist, so its 200 is not taken as the key's judgement.");
    expect(result.nextSteps.map((step) => step.code)).toEqual(['retry-later']);
    // The control's key: fresh, of the vendor's shape, never a stored secret, and kept nowhere.
    const control = sentKeys.find((key) => key !== issued)!;
    expect(control).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const again = await fixture.vault.checks.checkSecret({ baseUrl: server.url, tenantId: 'demo', vendor: 'wallet-crew', auth: { kind: 'header', name: 'X-API-KEY' } }, issued, null);
    // A failed control is not kept: the next check sends a new one (three tries), each with another key.
    expect(again.control).toMatchObject({ state: 'failed', reused: false, tries: 3 });
    const controls = sentKeys.filter((key) => key !== issued);
    expect(controls).toHaveLength(6);
    expect(new Set(controls).size).toBe(6);
    for (const key of controls) expect(filesContaining([fixture.dataDir], key)).toEqual([]);
  });

  it('a key never issued, refused before, is not made valid by an any-key endpoint whose control is rate-limited', async () => {
    // The gateway case: it lets any key in, and rate-limits; the control is the request it refuses with 429.
    const bogus = canaryToken();
    let controlsSent = 0;
    let waitedForRetryAfter = true;
    let lastControlAt = 0;
    let refuseAll = true;
    const server = await startServer((request, response) => {
      const key = String(request.headers['x-api-key']);
      if (refuseAll) return json(response, 401, {});
      if (key === bogus) return json(response, 200, {});
      if (lastControlAt && Date.now() - lastControlAt < 900) waitedForRetryAfter = false;
      lastControlAt = Date.now();
      controlsSent += 1;
      json(response, 429, {}, { 'retry-after': '1' });
    });
    servers.push(server);
    fixture.vault.tenants.add({ alias: 'gateway', tenantId: 'demo', environment: 'custom', baseUrl: server.url });
    await fixture.vault.keys.add({ tenant: 'gateway', name: 'bogus', secret: bogus, scopes: ['tenant.core:read'] });
    const env = { ...process.env, TKV_DATA_DIR: fixture.dataDir, TKV_KEYCHAIN_SERVICE: fixture.service };
    expect((await runTkv(['check', 'gateway/bogus'], { env })).code).toBe(10);
    refuseAll = false;
    const human = await runTkv(['check', 'gateway/bogus'], { env });
    expect(human.code).toBe(13);
    expect(human.stdout).toMatch(/^INCONCLUSIVE {2}200 {2}GET /);
    expect(human.stdout).not.toMatch(/\bVALID\b/);
    expect(human.stdout).toContain("The key got 200, but the negative control could not be run (429, 3 tries): nothing confirms that this endpoint refuses a key that cannot exist, so its 200 is not taken as the key's judgement.");
    expect(human.stdout).toContain('negative control: could not be run (429, 3 tries): nothing confirms that the endpoint refuses a key that cannot exist, so a success or a 403 proves nothing.');
    // Three tries, each after the server's Retry-After.
    expect(controlsSent).toBe(3);
    expect(waitedForRetryAfter).toBe(true);
    // The 401 stays the key's judgement: the watch still has it for a person.
    expect(fixture.vault.keys.show({ tenant: 'gateway', name: 'bogus' })).toMatchObject({ lastJudgement: 'unauthorized', lastAttempt: 'inconclusive' });
    await fixture.vault.tenants.remove('gateway', { withKeys: true });
  });

  it('is kept for its time, shared by checks in flight, and sent again once stale', async () => {
    let now = 0;
    let sent = 0;
    const cache = new ControlCache(10 * 60_000, 0, () => now);
    const call = prepare({ baseUrl: 'http://127.0.0.1:9', tenantId: 'demo', vendor: 'wallet-crew', auth: { kind: 'header', name: 'X-API-KEY' } }, WALLET_CREW_PROBES[0]!);
    const send = async () => {
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { state: 'refused' as const, status: 401, failure: null, at: '2026-12-07T10:00:00.000Z', reused: false };
    };
    const [first, second] = await Promise.all([cache.get(call, send), cache.get(call, send)]);
    expect([first.reused, second.reused, sent]).toEqual([false, true, 1]);
    now = 9 * 60_000;
    expect((await cache.get(call, send)).reused).toBe(true);
    now = 10 * 60_000 + 1;
    expect((await cache.get(call, send)).reused).toBe(false);
    expect(sent).toBe(2);
    // A bulk run's cache keeps answers for the run, and a control that could not be run for a minute only.
    const run = new ControlCache(Infinity, 60_000, () => now);
    const failed = async () => ({ state: 'failed' as const, status: 503, failure: null, at: '2026-12-07T10:00:00.000Z', reused: false, tries: 3 });
    expect((await run.get(call, failed)).state).toBe('failed');
    now += 59_000;
    expect(run.answered(call)).toMatchObject({ state: 'failed', reused: true });
    now += 2_000;
    expect(run.answered(call)).toBeNull();
    expect((await run.get(call, send)).state).toBe('refused');
    now += 10 * 24 * 3_600_000;
    expect(run.answered(call)).toMatchObject({ state: 'refused', reused: true });
  });

  it('sorts what a key that cannot exist got: a 404 or a redirect refuses it, a long Retry-After is not waited out', async () => {
    const issued = canaryToken();
    let answer: { status: number; headers?: Record<string, string> } = { status: 404 };
    let controls = 0;
    const server = await startServer((request, response) => {
      if (String(request.headers['x-api-key']) === issued) return json(response, 200, {});
      controls += 1;
      json(response, answer.status, {}, answer.headers ?? {});
    });
    servers.push(server);
    const target = { baseUrl: server.url, tenantId: 'demo', vendor: 'wallet-crew' as const, auth: { kind: 'header' as const, name: 'X-API-KEY' } };
    // The same request with the key got 200, without it 404: the endpoint tells keys apart, once.
    expect(await fixture.vault.checks.checkSecret(target, issued, null)).toMatchObject({ verdict: 'valid', control: { state: 'refused', status: 404 } });
    expect(controls).toBe(1);
    const fresh = fixture.openVault(fixture.secrets);
    try {
      // Asked to come back in a minute: not waited out, and not sent again; the 200 stays unconfirmed.
      answer = { status: 429, headers: { 'retry-after': '60' } };
      const started = performance.now();
      const busy = await fresh.checks.checkSecret(target, issued, null);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(busy).toMatchObject({ verdict: 'inconclusive', control: { state: 'failed', status: 429, tries: 1 } });
      expect(controls).toBe(2);
    } finally {
      await fresh.close();
    }
  });

  it('a bulk run stopped while a control or a throttled key waits out its Retry-After ends at once, sending nothing more, and records no unconfirmed key', async () => {
    const issued = canaryToken();
    const throttled = canaryToken();
    const sent = { issued: 0, throttled: 0, controls: 0 };
    // 8 s: short enough to be waited out (the cap is 10 s), long enough that waiting shows.
    const server = await startServer((request, response) => {
      const key = String(request.headers['x-api-key']);
      if (key === issued) return (sent.issued += 1), json(response, 200, {});
      if (key === throttled) return (sent.throttled += 1), json(response, 429, {}, { 'retry-after': '8' });
      sent.controls += 1;
      json(response, 429, {}, { 'retry-after': '8' });
    });
    servers.push(server);
    const own = fixture.openVault(fixture.secrets);
    try {
      own.tenants.add({ alias: 'busy', tenantId: 'demo', environment: 'custom', baseUrl: server.url });
      await own.keys.add({ tenant: 'busy', name: 'issued', secret: issued, scopes: ['tenant.core:read'] });
      await own.keys.add({ tenant: 'busy', name: 'throttled', secret: throttled, scopes: ['tenant.core:read'] });
      const stop = new AbortController();
      const started = performance.now();
      setTimeout(() => stop.abort(), 500);
      const summary = await own.checks.checkAll({ tenant: 'busy', concurrency: 2, perTenant: 2, signal: stop.signal });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(sent).toEqual({ issued: 1, throttled: 1, controls: 1 });
      // The throttled key keeps the answer it got: still throttled, sent once, recorded.
      expect(summary.problems.map(({ ref, result }) => [ref.name, result.verdict])).toEqual([['throttled', 'throttled']]);
      expect(own.keys.show({ tenant: 'busy', name: 'throttled' })).toMatchObject({ lastJudgement: null, lastAttempt: 'throttled' });
      // The key whose control was waiting is given up: its 200 confirmed nothing, and a stop is no
      // verdict. Neither recorded nor counted, nor a failure: the run says it was interrupted.
      expect(summary).toMatchObject({ total: 2, checked: 1, interrupted: true, failures: [] });
      expect(own.keys.show({ tenant: 'busy', name: 'issued' })).toMatchObject({ lastJudgement: null, lastAttempt: null });
    } finally {
      await own.tenants.remove('busy', { withKeys: true });
      await own.close();
    }
  });
});

describe("the server's word on a 401 or 403", () => {
  const check = async (name: string): Promise<CheckResult> => fixture.vault.checks.checkStored({ tenant: 'demo', name });

  it('a disabled key: its own explanation, and enabling it is the next step', async () => {
    const token = await serverKey('feed-disabled', ['tenant.core:read']);
    await fixture.vault.keys.add({ tenant: 'demo', name: 'feed-disabled', secret: token, scopes: ['tenant.core:read'], remoteName: 'feed-disabled' });
    await admin('PUT', '/feed-disabled', { enabled: false, permissions: ['tenant.core:read'] });
    const result = await check('feed-disabled');
    expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'disabled', remoteName: 'feed-disabled', credential: 'admin key demo/sandbox-admin' } });
    expect(result.summary).toBe('The server rejected the key (401): its admin API lists "feed-disabled" as disabled.');
    expect(result.nextSteps[0]).toEqual({ code: 'enable-on-server', key: { tenant: 'demo', name: 'feed-disabled' }, remoteName: 'feed-disabled' });
    expect(serverWords(result.server!)).toBe('"feed-disabled" is disabled, with `tenant.core:read` (asked with the admin key demo/sandbox-admin).');
    // Pasted against its own tenant, the same key gets the same diagnosis, not "use it there".
    const pasted = await fixture.vault.checks.checkPasted({ baseUrl: fixture.sandbox.url, tenantId: 'demo', secret: token });
    expect(pasted.result).toMatchObject({ verdict: 'unauthorized', server: { state: 'disabled', remoteName: 'feed-disabled' } });
    expect(pasted.result.nextSteps[0]).toEqual({ code: 'enable-on-server', key: { tenant: 'demo', name: 'feed-disabled' }, remoteName: 'feed-disabled' });
    expect(pasted.result.nextSteps.map((step) => step.code)).not.toContain('key-held-elsewhere');
    // Against another tenant it is a stranger's key there: that advice stands, and the server is not asked.
    const elsewhere = await fixture.vault.checks.checkPasted({ baseUrl: fixture.sandbox.url, tenantId: 'acme', secret: token });
    expect(elsewhere.result.server).toBeNull();
    expect(elsewhere.result.nextSteps.map((step) => step.code)).toContain('key-held-elsewhere');
    // Enabled again, the same secret works.
    await admin('PUT', '/feed-disabled', { enabled: true, permissions: ['tenant.core:read'] });
    expect((await check('feed-disabled')).verdict).toBe('valid');
  });

  it('a deleted key: its own explanation', async () => {
    const token = await serverKey('feed-deleted', ['tenant.core:read']);
    await fixture.vault.keys.add({ tenant: 'demo', name: 'feed-deleted', secret: token, scopes: ['tenant.core:read'], remoteName: 'feed-deleted' });
    await admin('DELETE', '/feed-deleted');
    const result = await check('feed-deleted');
    expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'deleted', remoteName: 'feed-deleted' } });
    expect(result.summary).toBe('The server rejected the key (401), and its admin API has no key "feed-deleted": it was deleted on the server.');
    expect(result.nextSteps[0]).toEqual({ code: 'deleted-on-server', key: { tenant: 'demo', name: 'feed-deleted' }, remoteName: 'feed-deleted', scopes: ['tenant.core:read'] });
    // The commands to type, one a line: a new entry (the old one still holds its name), with the scopes it had.
    expect(remedyLines(result.nextSteps[0]!)).toBe(
      '  - The server has no key "feed-deleted" any more: it was deleted there, and its token will never work again. Create a new key in its place, under a new entry (its token goes straight into the vault), move what used demo/feed-deleted to it, then remove the old entry (its history goes with it).\n      tkv remote create demo/feed-deleted-new --scopes tenant.core:read\n      tkv key remove demo/feed-deleted',
    );
    expect(result.nextSteps.map((step) => step.code)).not.toContain('check-key-enabled');
  });

  it('a regenerated key: present and enabled, so the secret is not its token, naming the vault’s own last rotation', async () => {
    await serverKey('feed-regenerated', ['tenant.core:read']);
    const stale = canaryToken();
    const entry = await fixture.vault.keys.add({ tenant: 'demo', name: 'feed-regenerated', secret: stale, scopes: ['tenant.core:read'], remoteName: 'feed-regenerated' });
    const first = await check('feed-regenerated');
    expect(first).toMatchObject({ verdict: 'unauthorized', server: { state: 'enabled', remoteName: 'feed-regenerated', lastRotation: null } });
    expect(first.summary).toBe('The server rejected the key (401), yet its admin API lists "feed-regenerated" as present and enabled: the secret the vault holds is not that key\'s token — it was regenerated or rotated elsewhere.');
    expect(first.nextSteps[0]).toEqual({ code: 'replace-secret', key: { tenant: 'demo', name: 'feed-regenerated' }, remoteName: 'feed-regenerated', lastRotation: null });
    // The vault rotated this entry once (its earlier key kept as a credential): the advice names that rotation.
    fixture.vault.keys.keepCredential({ account: `${entry.secretAccount}-old`, key_id: entry.id, remote_name: 'feed-regenerated-old', fingerprint: '0123456789ab', state: 'deleted', replaced_at: '2026-11-30T09:00:00.000Z', retired_at: '2026-11-30T09:00:00.000Z' });
    const second = await check('feed-regenerated');
    expect(second.nextSteps[0]).toMatchObject({ code: 'replace-secret', lastRotation: { at: '2026-11-30T09:00:00.000Z', previousName: 'feed-regenerated-old' } });
    expect(remedySentence(second.nextSteps[0]!)).toBe(
      'The server lists "feed-regenerated" as enabled, yet refuses the secret the vault holds: the key\'s token was regenerated or rotated elsewhere. Replace demo/feed-regenerated\'s secret with the current token, from whoever changed it. The vault\'s own last rotation of this entry was on 2026-11-30 (from "feed-regenerated-old"); the token changed after it, outside the vault.',
    );
  });

  it('a 403 names what the key holds and what the probe needed, and where the vault disagrees', async () => {
    const token = await serverKey('passes-only', ['Pass.Read']);
    await fixture.vault.keys.add({ tenant: 'demo', name: 'passes-only', secret: token, scopes: ['tenant.core:read'], remoteName: 'passes-only' });
    const result = await check('passes-only');
    expect(result).toMatchObject({ verdict: 'forbidden', server: { state: 'enabled', permissions: ['Pass.Read'], declaredOnly: ['tenant.core:read'], serverOnly: ['Pass.Read'] } });
    expect(result.summary).toBe('The key authenticates, but the server denies it `tenant.core:read` (403): its admin API lists "passes-only" with `Pass.Read`; this probe needs `tenant.core:read`.');
    expect(result.nextSteps.slice(0, 2)).toEqual([
      { code: 'edit-server-permissions', key: { tenant: 'demo', name: 'passes-only' }, remoteName: 'passes-only', holds: ['Pass.Read'], needs: 'tenant.core:read' },
      { code: 'declared-scopes-differ', key: { tenant: 'demo', name: 'passes-only' }, declaredOnly: ['tenant.core:read'], serverOnly: ['Pass.Read'], serverScopes: ['Pass.Read'] },
    ]);
    expect(remedySentence(result.nextSteps[1]!)).toBe("Or, if the server's permissions are the intended ones: the vault's entry demo/passes-only declares `tenant.core:read`, which the server does not list, and does not declare `Pass.Read`, which the server lists; bring its declared scopes in line with the server's instead.");
  });

  it('without an admin credential, says what one would have told; a lone admin key is never asked about itself', async () => {
    const response = await fixture.sandbox.call('POST', '/api/acme/admin/apiKeys', { key: fixture.sandbox.adminKey('acme'), body: { name: 'acme-feed', permissions: ['tenant.core:read'] } });
    const { token } = (await response.json()) as { token: string };
    await fixture.vault.keys.add({ tenant: 'acme', name: 'acme-feed', secret: token, scopes: ['tenant.core:read'], remoteName: 'acme-feed' });
    await fixture.sandbox.call('PUT', '/api/acme/admin/apiKeys/acme-feed', { key: fixture.sandbox.adminKey('acme'), body: { enabled: false, permissions: ['tenant.core:read'] } });
    const result = await fixture.vault.checks.checkStored({ tenant: 'acme', name: 'acme-feed' });
    expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'no-credential', tenant: 'acme' } });
    expect(result.nextSteps.at(-1)).toEqual({ code: 'server-word-needs-admin', tenant: 'acme', status: 401 });
    expect(remedySentence(result.nextSteps.at(-1)!)).toBe('With an admin credential for acme (a key marked admin, or an OAuth bearer token), the vault would have asked the server whether this key was deleted, disabled, or given a new token elsewhere.');

    // acme's only admin credential, refused: it is not used to diagnose itself.
    await fixture.vault.keys.add({ tenant: 'acme', name: 'acme-admin', secret: canaryToken(), scopes: ['*'], admin: true });
    const self = await fixture.vault.checks.checkStored({ tenant: 'acme', name: 'acme-admin' });
    expect(self).toMatchObject({ verdict: 'unauthorized', server: { state: 'self', tenant: 'acme' } });
    expect(self.nextSteps.at(-1)).toEqual({ code: 'server-word-self', tenant: 'acme' });
  });

  it('a key whose server name is not known is not called deleted: linking it is the advice', async () => {
    await fixture.vault.keys.add({ tenant: 'demo', name: 'nameless', secret: canaryToken(), scopes: ['tenant.core:read'] });
    const result = await check('nameless');
    expect(result.server).toMatchObject({ state: 'unlinked' });
    // It was asked, under the entry's own name: the line says what that told, not "not asked".
    expect(serverWords(result.server!)).toBe("the server has no key of this entry's name, and the vault does not know the key's own name there: link it to tell.");
    expect(result.nextSteps.map((step) => step.code)).toContain('link-server-name');
    expect(result.summary).toMatch(/^The server rejected the key \(401\): it is missing, invalid, revoked or disabled/);
  });

  it('asks once per key per run, with one admin client per tenant', async () => {
    const lookups: string[] = [];
    let clients = 0;
    const real = fixture.vault.admin.adminAccess.bind(fixture.vault.admin);
    // Counts what goes out: the real admin client, its GETs recorded on their way to the sandbox.
    fixture.vault.admin.adminAccess = async (alias, notWith) => {
      const access = await real(alias, notWith);
      if (access.kind === 'client') {
        clients += 1;
        const get = access.client.get.bind(access.client);
        access.client.get = (name) => {
          lookups.push(`${alias}/${name}`);
          return get(name);
        };
      }
      return access;
    };
    try {
      const summary = await fixture.vault.checks.checkAll({ tenant: 'demo', concurrency: 4 });
      const refused = summary.problems.filter(({ result }) => result.verdict === 'unauthorized' || result.verdict === 'forbidden');
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(lookups.toSorted()).toEqual(refused.map(({ ref }) => `demo/${fixture.vault.keys.show(ref).remoteName}`).toSorted());
      expect(new Set(lookups).size).toBe(lookups.length);
      expect(clients).toBe(1);
    } finally {
      fixture.vault.admin.adminAccess = real;
    }
  });

  it('a lookup the server refuses: its reason said once, and that admin key\'s own check as the next step', async () => {
    const ref = { tenant: 'acme', name: 'nobody' };
    await fixture.vault.keys.add({ tenant: 'acme', name: 'stale-admin', secret: canaryToken(), scopes: ['*'], admin: true });
    await fixture.vault.keys.add({ ...ref, secret: canaryToken(), scopes: ['tenant.core:read'], remoteName: 'nobody' });
    try {
      const result = await fixture.vault.checks.checkStored(ref);
      const adminKey = { code: 'admin-key-refused', key: { tenant: 'acme', name: 'stale-admin' } };
      expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'failed', remedies: [adminKey] } });
      expect(result.nextSteps).toContainEqual(adminKey);
      const env = { ...process.env, TKV_DATA_DIR: fixture.dataDir, TKV_KEYCHAIN_SERVICE: fixture.service };
      const human = await runTkv(['check', 'acme/nobody'], { env });
      expect(human.stdout).toMatch(/^server's word: the lookup failed: The admin credential \(admin key acme\/stale-admin\) was refused \(401\)/m);
      expect(human.stdout.match(/was refused \(401\)/g)).toHaveLength(1);
      expect(human.stdout).toContain("  - The server refused acme's admin key, acme/stale-admin: check it (its own verdict says why), then give it a working token, or mark another key as the admin credential.\n      tkv check acme/stale-admin\n");
    } finally {
      await fixture.vault.keys.remove(ref);
      await fixture.vault.keys.remove({ tenant: 'acme', name: 'stale-admin' });
    }
  });

  it('an Airwallex key refused at login says what its API cannot tell', async () => {
    const created = await fixture.sandbox.control('POST', '/_sandbox/airwallex/clients', { permissions: ['balances.read'] });
    const { clientId } = (await created.json()) as { clientId: string };
    fixture.vault.tenants.add({ alias: 'awx', tenantId: 'awx', environment: 'custom', baseUrl: fixture.sandbox.url, provider: 'airwallex', clientId });
    await fixture.vault.keys.add({ tenant: 'awx', name: 'payments', secret: canaryToken(), scopes: [] });
    const result = await fixture.vault.checks.checkStored({ tenant: 'awx', name: 'payments' });
    expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'no-admin-api', vendor: 'Airwallex' } });
    expect(remedySentence(result.nextSteps.at(-1)!)).toMatch(/^Airwallex's API cannot say whether a key was revoked or regenerated\. Airwallex has no admin API for keys/);
    // A login that lets any key in: the control catches it there too.
    await fixture.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'POST /api/v1/authentication/login', acceptAnyKey: true }] });
    const lied = await fixture.vault.checks.checkStored({ tenant: 'awx', name: 'payments' });
    expect(lied.verdict).toBe('inconclusive');
  });
});

it('no secret of this suite reached a file', () => {
  const admin = fixture.sandbox.adminKey('demo');
  expect(filesContaining([fixture.dataDir], admin)).toEqual([]);
  expect(fs.existsSync(fixture.dataDir)).toBe(true);
});
