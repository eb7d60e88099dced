// A key's use, against the sandbox's Insights with the real keychain and SQLite: the Logs table
// records every request, the endpoint keeps the vendor's scope, limit and error shape, and the vault
// reads its evidence per source, leaves its own checks out, says plainly when it has none, and
// remembers what the logs showed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';
import { canaryToken, filesContaining } from '../../support/files.ts';

let fixture: AdminFixture;

async function serverKey(name: string, permissions: string[], tenant = 'demo'): Promise<string> {
  const response = await fixture.sandbox.call('POST', `/api/${tenant}/admin/apiKeys`, { key: fixture.sandbox.adminKey(tenant), body: { name, permissions } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

const insights = (key: string, query: unknown, tenant = 'demo') => fixture.sandbox.call('POST', `/api/${tenant}/insights/query`, { key, body: { query } });

beforeAll(async () => {
  fixture = await startAdminFixture('usage', ['demo', 'acme', 'busy']);
});
afterAll(async () => {
  await fixture.dispose();
});

describe("the sandbox's Insights", () => {
  it('records every request in the tenant’s Logs: time, the key’s name, method, path, status, address, user agent', async () => {
    const token = await serverKey('logged', ['Pass.Read']);
    expect((await fixture.sandbox.call('GET', '/api/demo/passes', { key: token, headers: { 'User-Agent': 'crm-sync/3.0' } })).status).toBe(200);
    expect((await fixture.sandbox.call('GET', '/api/demo/admin/config', { key: token, headers: { 'User-Agent': 'crm-sync/3.0' } })).status).toBe(403);
    expect((await fixture.sandbox.call('GET', '/api/demo/passes', { key: 'not-a-key-of-this-tenant-0123456789' })).status).toBe(401);
    const answer = await insights(fixture.sandbox.adminKey('demo'), "Logs | where keyName == 'logged' or (status == 401 and path == '/api/demo/passes') | project keyName, method, path, status, remoteAddress, userAgent | order by status asc");
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { tables: { columns: { name: string }[]; rows: unknown[][] }[] };
    expect(body.tables[0]!.rows).toEqual([
      ['logged', 'GET', '/api/demo/passes', 200, '127.0.0.1', 'crm-sync/3.0'],
      // A request no key opened is logged without a name.
      ['', 'GET', '/api/demo/passes', 401, '127.0.0.1', expect.any(String)],
      ['logged', 'GET', '/api/demo/admin/config', 403, '127.0.0.1', 'crm-sync/3.0'],
    ]);
  });

  it('needs Insights.Read, answers a query outside its subset with the vendor’s 400, and allows 60 calls a minute per tenant', async () => {
    const reader = await serverKey('reader', ['Insights.Read'], 'busy');
    const other = await serverKey('other', ['Pass.Read'], 'busy');
    expect((await insights(other, 'Logs | take 1', 'busy')).status).toBe(403);
    const refused = await insights(reader, 'Logs | extend x = 1', 'busy');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringContaining("Query could not be parsed at 'extend'") });
    expect((await insights(reader, '', 'busy')).status).toBe(400);
    // Two calls so far on this tenant (the 403 never reached the endpoint); 58 more are let in, the next is refused.
    for (let call = 0; call < 58; call += 1) expect((await insights(reader, 'Logs | take 1', 'busy')).status).toBe(200);
    const throttled = await insights(reader, 'Logs | take 1', 'busy');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another tenant's limit is its own.
    expect((await insights(fixture.sandbox.adminKey('acme'), 'Logs | take 1', 'acme')).status).toBe(200);
  });
});

describe("a key's usage", () => {
  it('reads the logs with the admin credential: last request, hours, callers; the vault’s own checks left out; remembered', async () => {
    const token = await serverKey('crm', ['tenant.core:read', 'Pass.Read']);
    const ref = { tenant: 'demo', name: 'crm' };
    await fixture.vault.keys.add({ ...ref, secret: token, scopes: ['tenant.core:read', 'Pass.Read'], remoteName: 'crm' });
    expect((await fixture.vault.checks.checkStored(ref)).verdict).toBe('valid');
    await fixture.sandbox.control('POST', '/_sandbox/logs', { tenantId: 'demo', rows: [{ hoursAgo: 30, keyName: 'crm', remoteAddress: '10.20.0.7', userAgent: 'crm-sync/2.0' }] });
    for (let i = 0; i < 3; i += 1) await fixture.sandbox.call('GET', '/api/demo/passes', { key: token, headers: { 'User-Agent': 'crm-sync/2.1' } });

    const usage = await fixture.vault.usage.usage(ref);
    expect(usage.window.since).toBe('45d');
    // The check's request carries the vault's user agent: not use. (Its negative control's key, never issued, logs no name.)
    expect(usage.insights).toMatchObject({ state: 'found', credential: 'admin key demo/sandbox-admin', requests: 4, ownChecks: 1, ownChecksKnown: true });
    if (usage.insights.state !== 'found') throw new Error('no evidence');
    expect(usage.insights.callers).toEqual([
      { address: '127.0.0.1', userAgent: 'crm-sync/2.1', requests: 3, lastSeen: usage.insights.lastSeen },
      { address: '10.20.0.7', userAgent: 'crm-sync/2.0', requests: 1, lastSeen: expect.any(String) },
    ]);
    expect(usage.insights.hours).toHaveLength(45 * 24 + 1);
    expect(usage.insights.hours.reduce((sum, hour) => sum + hour.requests, 0)).toBe(4);
    expect(Date.parse(usage.insights.lastSeen!)).toBeGreaterThan(Date.now() - 60_000);
    expect(usage.remembered).toEqual({ lastSeen: usage.insights.lastSeen, coveredFrom: usage.window.from, askedAt: usage.window.to });
    // A later, shorter ask joins the span already read.
    const again = await fixture.vault.usage.usage(ref, { since: '1h' });
    expect(again.remembered).toEqual({ lastSeen: usage.insights.lastSeen, coveredFrom: usage.window.from, askedAt: again.window.to });
  });

  it('uses a stored key that holds Insights.Read when there is no admin credential, and says plainly when no credential can read the logs', async () => {
    fixture.vault.tenants.add({ alias: 'acme-usage', tenantId: 'acme', environment: 'custom', baseUrl: fixture.sandbox.url });
    const plain = await serverKey('plain', ['Pass.Read'], 'acme');
    await fixture.vault.keys.add({ tenant: 'acme-usage', name: 'plain', secret: plain, scopes: ['Pass.Read'], remoteName: 'plain' });
    const none = await fixture.vault.usage.usage({ tenant: 'acme-usage', name: 'plain' });
    expect(none.insights).toEqual({
      state: 'no-credential',
      reason: "No credential of acme-usage can read its logs: none is marked admin, and no stored key declares Insights.Read. Store one (an admin key, or a key with Insights.Read) to see this key's use.",
    });
    expect(none.remembered).toBeNull();
    // A key that only says it holds Insights.Read is refused, and the next one is asked.
    const liar = await serverKey('liar', ['Pass.Read'], 'acme');
    await fixture.vault.keys.add({ tenant: 'acme-usage', name: 'liar', secret: liar, scopes: ['Insights.Read'], remoteName: 'liar' });
    const reader = await serverKey('insights-reader', ['Insights.Read'], 'acme');
    await fixture.vault.keys.add({ tenant: 'acme-usage', name: 'reader', secret: reader, scopes: ['Insights.Read'], remoteName: 'insights-reader' });
    const found = await fixture.vault.usage.usage({ tenant: 'acme-usage', name: 'plain' });
    expect(found.insights).toMatchObject({ state: 'found', credential: 'key acme-usage/reader (it holds Insights.Read)', lastSeen: null, requests: 0 });
  });

  it('counts tkv exec runs as the vault’s own evidence: program and time, never the value', async () => {
    const ref = { tenant: 'demo', name: 'crm' };
    await fixture.vault.keys.forInjection([ref], { force: false, program: 'deploy.sh' });
    const usage = await fixture.vault.usage.usage(ref, { since: '24h' });
    expect(usage.vault.runs).toEqual([{ at: expect.any(String), program: 'deploy.sh', actor: 'cli' }]);
    expect(usage.vault.lastSeen).toBe(usage.vault.runs[0]!.at);
    expect(fixture.vault.usage.knownUse().get(fixture.vault.keys.show(ref).id)?.lastExec).toBe(usage.vault.lastSeen);
  });

  it('says what a refused or unreadable query is, and changes nothing it remembered', async () => {
    const ref = { tenant: 'demo', name: 'crm' };
    const { remembered } = await fixture.vault.usage.usage(ref, { since: '1h' });
    fixture.vault.usage.configure('demo', { template: 'Logs | where keyName == {keyName} | extend x = 1' });
    const refused = await fixture.vault.usage.usage(ref, { since: '1h' });
    expect(refused.insights).toMatchObject({ state: 'bad-query', reason: expect.stringMatching(/^The Insights API refused the tenant's usage query \(400\)\. The server said: "Syntax error: .*extend.*"\. Correct the tenant's usage query\.$/) });
    expect(refused.remembered).toEqual(remembered);
    fixture.vault.usage.configure('demo', { template: 'Logs | where keyName == {keyName} | summarize Requests = count()' });
    const unreadable = await fixture.vault.usage.usage(ref, { since: '1h' });
    expect(unreadable.insights).toMatchObject({ state: 'unreadable', reason: expect.stringContaining('without the columns Hour, LastSeen (it gave Requests)') });
    expect(() => fixture.vault.usage.configure('demo', { template: 'Logs | take 10' })).toThrow('must name the key with {keyName}');
    expect(() => fixture.vault.usage.configure('demo', { columns: { key: "keyName'; drop" } })).toThrow('is not a column name');
    await expect(fixture.vault.usage.usage(ref, { since: '90d' })).rejects.toThrow('the vendor keeps 45 days of logs');
    fixture.vault.usage.configure('demo', { reset: true });
    expect(fixture.vault.usage.settings('demo')).toMatchObject({ templateIsDefault: true, columns: { key: 'keyName', time: 'timestamp', address: 'remoteAddress', userAgent: 'userAgent' } });
  });

  it('passes what the logs hold through the redactor: a stored secret in a user agent never comes back, nor reaches the disk', async () => {
    const canary = canaryToken();
    await fixture.vault.keys.add({ tenant: 'demo', name: 'canary', secret: canary, scopes: ['Pass.Read'] });
    await fixture.sandbox.control('POST', '/_sandbox/logs', { tenantId: 'demo', rows: [{ hoursAgo: 1, keyName: 'crm', remoteAddress: canary, userAgent: `agent ${canary}` }] });
    const usage = await fixture.vault.usage.usage({ tenant: 'demo', name: 'crm' }, { since: '24h' });
    expect(JSON.stringify(usage)).not.toContain(canary);
    expect(JSON.stringify(usage)).toContain('[redacted]');
    expect(filesContaining([fixture.dataDir], canary)).toEqual([]);
  });
});

describe("a rotation's overlap", () => {
  it('shows the old key in use until its last request ages, then quiet for so many hours', async () => {
    const token = await serverKey('feed', ['tenant.core:read']);
    const ref = { tenant: 'demo', name: 'feed' };
    await fixture.vault.keys.add({ ...ref, secret: token, scopes: ['tenant.core:read'], remoteName: 'feed' });
    const rotation = { key: ref, oldRemoteName: 'feed', newRemoteName: 'feed-new', startedAt: new Date().toISOString() };
    await fixture.sandbox.call('GET', '/api/demo/admin/config', { key: token, headers: { 'User-Agent': 'feed-export/1.4' } });
    const busy = await fixture.vault.usage.overlap(rotation);
    expect(busy.window.since).toBe('168h');
    expect(busy.oldKey).toEqual({ state: 'in-use', lastSeen: expect.any(String), caller: '127.0.0.1 "feed-export/1.4"' });
    expect(busy.new).toMatchObject({ state: 'found', lastSeen: null, requests: 0 });

    const quiet = { ...rotation, oldRemoteName: 'feed-before' };
    await fixture.sandbox.control('POST', '/_sandbox/logs', { tenantId: 'demo', rows: [{ hoursAgo: 20, keyName: 'feed-before', remoteAddress: '10.0.0.9' }] });
    expect((await fixture.vault.usage.overlap(quiet)).oldKey).toMatchObject({ state: 'quiet', quietHours: 20 });
    expect((await fixture.vault.usage.overlap({ ...rotation, oldRemoteName: 'never-used' })).oldKey).toMatchObject({ state: 'quiet', quietHours: 168, lastSeen: null });
  });
});

describe('the review', () => {
  it('flags a key no request was seen for beyond the threshold, over logs read without a gap; exports every key’s last use; no evidence is never no use', async () => {
    const DAY = 86_400_000;
    const iso = (days: number) => new Date(Date.now() + days * DAY).toISOString();
    // Keys stored 120 days ago (the vault's clock then), and what the logs showed of them when last read, yesterday.
    const past = fixture.openVault(fixture.secrets, { clock: { now: () => new Date(Date.now() - 120 * DAY) } });
    try {
      for (const name of ['dormant', 'gapped']) await past.keys.add({ tenant: 'demo', name, secret: await serverKey(name, ['Pass.Read']), scopes: ['Pass.Read'], remoteName: name });
    } finally {
      await past.close();
    }
    const put = (name: string, row: { lastSeen: string | null; coveredFrom: string; askedAt: string }) =>
      fixture.vault.db.raw.prepare('INSERT INTO key_usage (key_id, last_seen, covered_from, asked_at) VALUES (?, ?, ?, ?)').run(fixture.vault.keys.show({ tenant: 'demo', name }).id, row.lastSeen, row.coveredFrom, row.askedAt);
    // Read without a gap from 110 days ago: its last request 100 days ago.
    put('dormant', { lastSeen: iso(-100), coveredFrom: iso(-110), askedAt: iso(-1) });
    // Last read 40 days ago after a gap: its request of 100 days ago says nothing of the 60 days unread.
    put('gapped', { lastSeen: iso(-100), coveredFrom: iso(-40), askedAt: iso(-1) });

    const report = await fixture.vault.review.report({ tenant: 'demo' });
    const flagsOf = (name: string) => report.keys.find((key) => key.name === name)!.flags;
    expect(flagsOf('dormant').find((flag) => flag.code === 'unused')).toEqual({
      code: 'unused',
      severity: 'warning',
      reason: `No request seen for 99 days: the last was ${iso(-100).slice(0, 10)} (the vendor’s logs, read ${iso(-1).slice(0, 10)}); the threshold is 90 days.`,
      remedies: [{ code: 'show-usage', key: { tenant: 'demo', name: 'dormant' } }],
    });
    expect(flagsOf('gapped').map((flag) => flag.code)).not.toContain('unused');
    expect(report.keys.find((key) => key.name === 'dormant')).toMatchObject({ lastUsedAt: expect.stringMatching(new RegExp(`^${iso(-100).slice(0, 10)}`)), lastUsedSource: 'logs' });
    // A key whose use was never asked is not flagged: unknown is not unused.
    expect(flagsOf('canary').map((flag) => flag.code)).not.toContain('unused');
    const { reviewExport } = await import('../../../src-main/core/review/export.ts');
    const csv = reviewExport(report, 'csv').split('\n');
    const column = csv[0]!.split(',').indexOf('last used');
    expect(column).toBeGreaterThan(0);
    const dormantRow = report.keys.find((key) => key.name === 'dormant')!;
    expect(csv.find((line) => line.startsWith('demo,dormant,'))!.split(',')[column]).toBe(`${dormantRow.lastUsedAt!.slice(0, 16).replace('T', ' ')} UTC (vendor logs)`);
    expect(csv.find((line) => line.startsWith('demo,canary,'))!.split(',')[column]).toBe('unknown (no evidence)');
    expect(reviewExport(report, 'md')).toContain('last used: unknown (no evidence)');
    // The threshold is the reviewer's: raised above the quiet span, the flag goes.
    fixture.vault.review.setSettings({ unusedDays: 120 });
    expect((await fixture.vault.review.report({ tenant: 'demo' })).keys.find((key) => key.name === 'dormant')!.flags.map((flag) => flag.code)).not.toContain('unused');
    expect(() => fixture.vault.review.setSettings({ unusedDays: 0 })).toThrow('The unused threshold must be a whole number of days from 1 to 3650.');
    fixture.vault.review.setSettings({ unusedDays: 90 });
  });

  it('remembers the span of logs read without a gap: a later ask that joins it keeps its start, one after a gap starts anew', async () => {
    const { remember } = await import('../../../src-main/core/usage/usage-store.ts');
    const first = remember(null, { from: '2026-10-01T00:00:00.000Z', to: '2026-11-15T00:00:00.000Z', lastSeen: '2026-10-03T00:00:00.000Z' });
    expect(first).toEqual({ lastSeen: '2026-10-03T00:00:00.000Z', coveredFrom: '2026-10-01T00:00:00.000Z', askedAt: '2026-11-15T00:00:00.000Z' });
    const joined = remember(first, { from: '2026-11-14T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z', lastSeen: null });
    expect(joined).toEqual({ lastSeen: '2026-10-03T00:00:00.000Z', coveredFrom: '2026-10-01T00:00:00.000Z', askedAt: '2026-11-16T00:00:00.000Z' });
    const gap = remember(joined, { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z', lastSeen: null });
    expect(gap).toEqual({ lastSeen: '2026-10-03T00:00:00.000Z', coveredFrom: '2026-12-01T00:00:00.000Z', askedAt: '2026-12-02T00:00:00.000Z' });
  });

  it('does not remember what the logs showed when they cannot tell the vault’s own checks apart (no user-agent column)', async () => {
    const token = await serverKey('uncounted', ['Pass.Read']);
    await fixture.vault.keys.add({ tenant: 'demo', name: 'uncounted', secret: token, scopes: ['Pass.Read'], remoteName: 'uncounted' });
    await fixture.vault.checks.checkStored({ tenant: 'demo', name: 'uncounted' });
    fixture.vault.usage.configure('demo', { columns: { userAgent: null } });
    try {
      const usage = await fixture.vault.usage.usage({ tenant: 'demo', name: 'uncounted' }, { since: '1h' });
      expect(usage.insights).toMatchObject({ state: 'found', ownChecksKnown: false, requests: 1 });
      expect(usage.remembered).toBeNull();
    } finally {
      fixture.vault.usage.configure('demo', { reset: true });
    }
  });
});
