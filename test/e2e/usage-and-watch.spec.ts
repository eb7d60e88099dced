// A key's use and the app's watch, in the real renderer against the sandbox, with the real keychain
// and SQLite: the key's detail shows what the vendor's logs say (last request, a chart per hour,
// the callers) and this vault's exec runs, and says so when nothing can be known; the tenant's
// usage query can be changed there; the Watch screen lists what a background round found, with a
// count on the navigation until the person has looked, and snoozes a key's notifications.
import { expect, test, type Page } from '@playwright/test';
import { containsSecret, filesContaining } from '../support/files.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look, overflowing } from './support/look.ts';

let harness: Harness;
let sandbox: TestSandbox;
const tokens: string[] = [];

async function serverKey(name: string, permissions: string[], enabled = true): Promise<string> {
  const token = await sandbox.createKey('demo', { name, permissions, enabled });
  tokens.push(token);
  return token;
}

async function open(page: Page): Promise<void> {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
}

test.beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo'] });
  harness = await startHarness();
  harness.services.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  await harness.services.keys.add({ tenant: 'demo', name: 'sandbox-admin', secret: sandbox.adminKey('demo'), scopes: ['*'], admin: true, remoteName: 'sandbox-admin' });
  tokens.push(sandbox.adminKey('demo'));
  const crm = await serverKey('crm-sync', ['tenant.core:read', 'Pass.Read']);
  await harness.services.keys.add({ tenant: 'demo', name: 'crm-sync', secret: crm, scopes: ['tenant.core:read', 'Pass.Read'], remoteName: 'crm-sync', owner: 'CRM team' });
  // The CRM's past week in the vendor's logs, then three requests of its own just now.
  // Each burst within one hour of the clock (a minute apart from the hour's start), so that the chart's busiest hour is known.
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const rows = [];
  for (const [hoursAgo, count, agent] of [[150, 3, 'crm-sync/2.0'], [120, 8, 'crm-sync/2.0'], [74, 5, 'crm-sync/2.0'], [50, 12, 'crm-sync/2.1'], [26, 4, 'crm-sync/2.1'], [5, 9, 'crm-sync/2.1']] as const) {
    for (let i = 0; i < count; i += 1) rows.push({ timestamp: new Date(hour - hoursAgo * 3_600_000 + i * 60_000).toISOString(), keyName: 'crm-sync', method: 'GET', path: '/api/demo/passes', remoteAddress: '10.20.0.7', userAgent: agent });
  }
  expect((await sandbox.control('POST', '/_sandbox/logs', { tenantId: 'demo', rows })).status).toBe(201);
  for (let i = 0; i < 3; i += 1) await sandbox.call('GET', '/api/demo/passes', { key: crm, headers: { 'User-Agent': 'crm-sync/2.1' } });
  await harness.services.keys.forInjection([{ tenant: 'demo', name: 'crm-sync' }], { force: false, program: 'deploy.sh' });
  // A key disabled on the server: the round finds it refused.
  const revoked = await serverKey('old-batch', ['tenant.core:read'], false);
  await harness.services.keys.add({ tenant: 'demo', name: 'old-batch', secret: revoked, scopes: ['tenant.core:read'], remoteName: 'old-batch' });
  // A tenant whose logs no credential can read.
  harness.services.tenants.add({ alias: 'elsewhere', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  const lonely = await serverKey('lonely', ['Pass.Read']);
  await harness.services.keys.add({ tenant: 'elsewhere', name: 'lonely', secret: lonely, scopes: ['Pass.Read'], remoteName: 'lonely' });
});

test.afterAll(async () => {
  for (const token of tokens) {
    expect(filesContaining([harness.dataDir], token), 'a token in the data directory').toEqual([]);
    expect(harness.received.some((payload) => containsSecret(payload, token)), 'a token in what the page received').toBe(false);
  }
  for (const account of await harness.services.secrets.listAccounts()) await harness.services.secrets.delete(account);
  await harness.close();
  await sandbox.dispose();
});

test("a key's detail shows its use: the last request, requests per hour, the callers, the exec runs", async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Show demo/crm-sync' }).click();
  const panel = page.getByTestId('key-panel');
  await panel.getByRole('button', { name: 'Show its use' }).click();
  await expect(panel.getByText(/^Last request/)).toBeVisible();
  await expect(panel.getByText(/from 127\.0\.0\.1 “crm-sync\/2\.1”; 44 in the last 7 days\./)).toBeVisible();
  const chart = panel.getByRole('img', { name: /^demo\/crm-sync: requests per hour, last 7 days \(UTC\): 44 requests; the busiest hour .* with 12\.$/ });
  await expect(chart).toBeVisible();
  const callers = panel.getByRole('table', { name: 'Callers of demo/crm-sync' });
  await expect(callers.getByRole('row')).toHaveCount(4);
  await expect(callers.getByRole('row').nth(1)).toContainText('127.0.0.1crm-sync/2.13');
  await expect(callers.getByRole('row').nth(2)).toContainText('10.20.0.7crm-sync/2.125');
  await expect(callers.getByRole('row').nth(3)).toContainText('10.20.0.7crm-sync/2.016');
  await expect(panel.getByText(/^1 run; the last .* for “deploy\.sh”\.$/)).toBeVisible();
  await expect(panel.getByText('Asked with the admin key demo/sandbox-admin.')).toBeVisible();
  // The panel scrolls by itself (the page does not): its use at the top, as a person scrolling to it sees it.
  await panel.getByRole('heading', { name: 'The vendor’s logs' }).evaluate((heading) => {
    const scroller = heading.closest('aside')!;
    scroller.scrollTop += heading.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  });
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'key-usage');

  // The window, from the keyboard: the last 24 hours hold the morning's and today's requests only.
  await panel.getByLabel('Window').selectOption('24h');
  await expect(panel.getByText(/; 12 in the last 24 hours\./)).toBeVisible();

  // The tenant's usage query, changed here: a query the logs refuse is said as such, never as zero use.
  await panel.getByText('Usage query of demo').click();
  const query = panel.getByLabel(/^Query \(KQL/);
  await expect(query).toHaveValue(/^Logs \| where timestamp > ago\(\{since\}\) and keyName == \{keyName\}/);
  await look(page, 'usage-query');
  await query.fill('Logs | where keyName == {keyName} | extend x = 1');
  await panel.getByRole('button', { name: 'Save query' }).click();
  await expect(panel.getByRole('note')).toContainText("Not known. The Insights API refused the tenant's usage query (400).");
  await expect(panel.getByRole('note')).toContainText('it does not mean the key is unused');
  await expect(panel.getByText(/^Earlier asks: the last request seen was/)).toBeVisible();
  await panel.getByRole('button', { name: 'Back to the defaults' }).click();
  await expect(panel.getByText(/^Last request/)).toBeVisible();
});

test('a key whose logs no credential can read says so: no evidence, not zero use', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Show elsewhere/lonely' }).click();
  const panel = page.getByTestId('key-panel');
  await panel.getByRole('button', { name: 'Show its use' }).click();
  await expect(panel.getByRole('note')).toHaveText(
    "Not known. No credential of elsewhere can read its logs: none is marked admin, and no stored key declares Insights.Read. Store one (an admin key, or a key with Insights.Read) to see this key's use. This is no evidence either way: it does not mean the key is unused.",
  );
  await expect(panel.getByText('No tkv exec run handed it to a program in the last 7 days.')).toBeVisible();
  await look(page, 'key-usage-unknown');
});

test('the Watch screen: a round finds a refused key, the navigation counts it until the person looks, and its notifications can be snoozed', async ({ page }) => {
  await open(page);
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await page.keyboard.press('Alt+7');
  await expect(page.getByRole('heading', { name: 'Watch', level: 1 })).toBeVisible();
  await expect(page.getByText(/^Nothing needs you/)).toBeVisible();
  await look(page, 'watch-empty');

  // A round (the app runs one an hour; here, now): every key never judged is checked.
  await page.getByRole('button', { name: 'Run a round now' }).click();
  const item = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'demo/old-batch' }) });
  await expect(item).toContainText('Refused');
  // The server's word on that refusal, from its admin API (the tenant's admin key is on file).
  await expect(item).toContainText(/refused by the server \(401\) when last judged, .* UTC: its admin API lists "old-batch" as disabled/);
  await expect(item.getByText('new', { exact: true })).toBeVisible();
  await expect(page.getByText(/^Last round .*: 4 keys checked\./)).toBeVisible();
  await expect(nav.getByRole('button', { name: /^Watch/ })).toHaveAccessibleName('Watch 1 new');
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'watch');

  // Snoozed from the keyboard: listed, not told.
  await item.getByLabel('How long to snooze demo/old-batch').selectOption('7');
  await item.getByRole('button', { name: 'Snooze notifications for demo/old-batch' }).focus();
  await page.keyboard.press('Enter');
  await expect(item).toContainText('notifications snoozed until');
  await expect(item.getByRole('button', { name: 'Notify again' })).toBeVisible();

  // Leaving the screen: the person has looked, nothing is new.
  await page.keyboard.press('Alt+1');
  await expect(nav.getByRole('button', { name: /^Watch/ })).toHaveAccessibleName('Watch');
  // The key recovers: the next look lists it as cleared.
  await sandbox.call('PUT', '/api/demo/admin/apiKeys/old-batch', { key: sandbox.adminKey('demo'), body: { enabled: true, permissions: ['tenant.core:read'] } });
  await harness.services.checks.checkStored({ tenant: 'demo', name: 'old-batch' });
  await page.keyboard.press('Alt+7');
  await expect(page.getByRole('heading', { name: 'No longer needs you' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: /^demo\/old-batch — no longer so since .*: refused by the server \(401\) when last judged, .* UTC: its admin API lists "old-batch" as disabled\.$/ })).toBeVisible();
  await look(page, 'watch-cleared');
});
