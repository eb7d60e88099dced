// The Review and Audit screens on an inventory built through core with flags of every kind: flags and
// chart bars filter the key table, exports are saved (the HTML one loads in Chromium with its CSP and
// no network), a sign-off then a change shows what changed, and the audit chain's verdict is shown,
// broken once an entry is edited behind the app's back.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { INVENTORY_FILE } from '../../src-main/core/paths.ts';
import { VaultError } from '../../src-main/core/errors.ts';
import { remedySentence, type Remedy } from '../../src-main/shared/remedies.ts';
import { canaryToken, containsSecret, filesContaining } from '../support/files.ts';
import { insertSnapshot } from '../support/vault.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look, overflowing } from './support/look.ts';

let harness: Harness;
const secrets: string[] = [];
const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

async function add(tenant: string, name: string, extra: { scopes?: string[]; expiresOn?: string; owner?: string | null } = {}) {
  const secret = canaryToken();
  secrets.push(secret);
  const key = await harness.services.keys.add({ tenant, name, secret, scopes: extra.scopes ?? ['Pass.Read'], ...(extra.owner === null ? {} : { owner: extra.owner ?? 'Integrations team' }), ...(extra.expiresOn ? { expiresOn: extra.expiresOn } : {}) });
  return key;
}

test.beforeAll(async () => {
  harness = await startHarness();
  const vault = harness.services;
  vault.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
  vault.tenants.add({ alias: 'beta-with-a-rather-long-alias-for-the-layout', tenantId: 'beta', environment: 'production' });
  await add('acme', 'expired-one', { expiresOn: day(-2) });
  await add('acme', 'expired-two', { expiresOn: day(-30) });
  await add('acme', 'soon', { expiresOn: day(10) });
  await add('acme', 'later', { expiresOn: day(120) });
  await add('acme', 'wild', { scopes: ['*'] });
  const revoked = await add('acme', 'revoked', { owner: null });
  const run = vault.checks.beginRun('check');
  vault.checks.recordChecks(run, [{ keyId: revoked.id, tenant: 'acme', keyName: 'revoked', fingerprint: revoked.fingerprint, at: run.startedAt, probe: 'config', verdict: 'unauthorized', status: 401, durationMs: 4, url: 'http://127.0.0.1/api/acme/admin/config' }]);
  for (let index = 0; index < 12; index += 1) await add('beta-with-a-rather-long-alias-for-the-layout', `service-${String(index).padStart(2, '0')}`, { scopes: index % 3 === 0 ? ['Pass.Read', 'Secret.Read'] : ['Pass.Read'], expiresOn: day(7 * index + 3) });
  // Checked, but the server timed out: not judged yet, which the review tells from never checked.
  const timedOut = vault.keys.find({ tenant: 'beta-with-a-rather-long-alias-for-the-layout', name: 'service-05' })!;
  const timeoutRun = vault.checks.beginRun('check');
  vault.checks.recordChecks(timeoutRun, [{ keyId: timedOut.id, tenant: timedOut.tenant, keyName: timedOut.name, fingerprint: timedOut.fingerprint, at: timeoutRun.startedAt, probe: 'config', verdict: 'timeout', status: null, durationMs: 10_000, url: 'http://127.0.0.1/api/beta/admin/config' }]);
  insertSnapshot(vault, 'acme', new Date(Date.now() - 2 * DAY).toISOString(), vault.keys.list({ tenant: 'acme' }).map((key) => ({ name: key.remoteName, enabled: true, permissions: key.name === 'soon' ? ['Pass.Read', 'Pass.Write'] : key.scopes })));
});

test.afterAll(async () => {
  for (const secret of secrets) {
    expect(harness.received.some((payload) => containsSecret(payload, secret))).toBe(false);
    expect(filesContaining([harness.dataDir, harness.exportsDir], secret)).toEqual([]);
  }
  await harness.close();
});

async function openReviewScreen(page: Page): Promise<void> {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
  await page.keyboard.press('Alt+5');
  await expect(page.getByRole('heading', { name: 'Review', level: 1 })).toBeVisible();
}

async function openReview(page: Page): Promise<void> {
  await openReviewScreen(page);
  await expect(page.getByRole('region', { name: 'Summary' })).toBeVisible();
}

test('the review answers what is at risk and who owns it; a flag and a chart bar filter the key table', async ({ page }) => {
  await openReview(page);
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary).toContainText('18 keys');
  await expect(page.getByText('From the vault alone, no network')).toBeVisible();
  await expect(page.getByRole('heading', { name: /At risk, most severe first/ })).toBeVisible();
  // The flags, in words: each button says its severity, its name and how many keys; each key at risk
  // lists its flags' sentences (and what to do) as the review computed them, nothing else.
  const report = await harness.services.review.report();
  const buttons = page.getByRole('list').filter({ has: page.locator('button.flag') }).getByRole('button');
  await expect(buttons).toHaveText(report.summary.perFlag.map((flag) => new RegExp(`^${flag.severity}\\s*${flag.code.replaceAll('-', ' ')}\\s*${flag.keys} ${flag.keys === 1 ? 'key' : 'keys'}$`, 'i')));
  await expect(page.getByRole('button', { name: /^critical\s*expired\s*2 keys$/i })).toBeVisible();
  const plain = (text: string) => text.replaceAll('`', '');
  for (const ref of ['acme/wild', 'acme/revoked', 'acme/expired-one']) {
    const reviewed = report.keys.find((key) => `${key.tenant}/${key.name}` === ref)!;
    const item = page.locator('ol.flagged > li').filter({ has: page.getByRole('button', { name: ref, exact: true }) });
    const expected = reviewed.flags.filter((flag) => flag.severity !== 'info').map((flag) => plain(flag.reason) + (flag.remedies[0] ? ` — ${plain(remedySentence(flag.remedies[0]))}` : ''));
    expect(expected.length, ref).toBeGreaterThan(0);
    await expect(item.locator('.reasons > li'), ref).toHaveText(expected);
    for (const text of expected) expect(text).not.toMatch(/\[object Object\]|\bundefined\b/);
  }
  await expect(page.locator('ol.flagged > li').filter({ hasText: 'acme/wild' }).locator('.reasons')).toContainText('Holds *');
  await expect(page.locator('ol.flagged > li').filter({ hasText: 'acme/revoked' })).toContainText('owner: nobody recorded');
  await expect(page.locator('ol.flagged > li').filter({ hasText: 'acme/revoked' })).toContainText('last judgement: unauthorized');
  await expect(page.locator('ol.flagged > li').filter({ hasText: 'acme/soon' })).toContainText('last judgement: never checked');

  // The verdict bars wear their verdict's colour, icon and word, as the chips do; the expiry timeline has a scale.
  const verdicts = page.getByRole('figure', { name: 'Keys by last judgement' });
  const unauthorizedBar = verdicts.getByRole('button', { name: 'unauthorized: 1, show in the key table' });
  await expect(unauthorizedBar.locator('.label')).toHaveText('unauthorized');
  await expect(unauthorizedBar.locator('.label svg')).toHaveAttribute('data-icon', 'cross');
  // The two states without a judgement are two bars, in the words, icons and looks of the key table's chips.
  const neverBar = verdicts.getByRole('button', { name: 'never checked: 16, show in the key table' });
  const notJudgedBar = verdicts.getByRole('button', { name: 'not judged yet: 1, show in the key table' });
  await expect(neverBar.locator('.label')).toHaveText('never checked');
  await expect(neverBar.locator('.label svg')).toHaveAttribute('data-icon', 'circle');
  await expect(notJudgedBar.locator('.label')).toHaveText('not judged yet');
  await expect(notJudgedBar.locator('.label svg')).toHaveAttribute('data-icon', 'dashed');
  await expect(neverBar.locator('.fill')).toHaveClass(/tone-none/);
  await expect(notJudgedBar.locator('.fill')).toHaveClass(/tone-none/);
  const fillImage = (bar: typeof neverBar) => bar.locator('.fill').evaluate((element) => getComputedStyle(element).backgroundImage);
  expect(await fillImage(notJudgedBar)).toContain('repeating-linear-gradient');
  expect(await fillImage(neverBar)).toBe('none');
  await expect(verdicts.getByRole('button', { name: /^no judgement/ })).toHaveCount(0);
  const barColour = await unauthorizedBar.locator('.fill').evaluate((element) => getComputedStyle(element).backgroundColor);
  const labelColour = await unauthorizedBar.locator('.label').evaluate((element) => getComputedStyle(element).color);
  expect(barColour).toBe(labelColour);
  expect(barColour).not.toBe(await neverBar.locator('.label').evaluate((element) => getComputedStyle(element).color));
  const expiry = page.getByRole('figure', { name: /^Expiry/ });
  // Counts up the side (2 keys expired at most in a week here: 0, 1, 2), months along the bottom.
  await expect(expiry.locator('.y-axis span')).toHaveText(['0', '1', '2']);
  await expect(expiry.locator('.x-axis .tick').first()).toHaveText('expired');
  const months = await expiry.locator('.x-axis .tick:not(.expired)').allInnerTexts();
  expect(months.length).toBeGreaterThanOrEqual(11);
  expect(months.filter((text) => text !== '').every((text) => /^\d{4}-\d{2}$/.test(text))).toBe(true);
  expect(months.filter((text) => text !== '').length).toBeGreaterThanOrEqual(5);
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'review', { fullPage: true });
  await page.getByRole('figure', { name: 'Keys by last judgement' }).scrollIntoViewIfNeeded();
  await look(page, 'review-charts');

  await page.getByRole('button', { name: /expired 2 keys/ }).click();
  await expect(page.getByRole('heading', { name: 'All tenants', level: 1 })).toBeVisible();
  await expect(page.getByText('From the review: Flagged: expired')).toBeVisible();
  await expect(page.getByText('2 keys match')).toBeVisible();
  await page.getByRole('button', { name: 'Show every key' }).click();
  await expect(page.getByText(/^18 keys$/)).toBeVisible();

  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: 'unauthorized: 1, show in the key table' }).click();
  await expect(page.getByText('From the review: Last judgement: unauthorized')).toBeVisible();
  await expect(page.getByText('1 key matches')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'revoked' })).toBeVisible();

  // Each bar without a judgement shows its own keys, saying which state they are in.
  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: 'not judged yet: 1, show in the key table' }).click();
  await expect(page.getByText('From the review: Last judgement: none (not judged yet)')).toBeVisible();
  await expect(page.getByText('1 key matches')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'service-05' })).toBeVisible();
  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: 'never checked: 16, show in the key table' }).click();
  await expect(page.getByText('From the review: Last judgement: none (never checked)')).toBeVisible();
  await expect(page.getByText('16 keys match')).toBeVisible();

  // An age bar: every key was made today.
  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: '< 30 days: 18, show in the key table' }).click();
  await expect(page.getByText('From the review: Age < 30 days')).toBeVisible();
  await expect(page.getByText('18 keys match')).toBeVisible();

  // The expiry timeline: the first column is what already expired.
  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: 'Already expired: 2' }).click();
  await expect(page.getByText('2 keys match')).toBeVisible();
  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: /^Week of .*: 1$/ }).first().click();
  await expect(page.getByText(/From the review: Expiring /)).toBeVisible();
  await expect(page.getByText('1 key matches')).toBeVisible();
});

test('a review that cannot be read is read once, says why and what to do, and again on Retry', async ({ page }) => {
  const { review } = harness.services;
  const report = review.report;
  let calls = 0;
  const restore: Remedy = { code: 'restore-inventory', backup: path.join(harness.dataDir, 'backups', 'inventory-20261206.sqlite'), takenAt: '2026-12-06T10:00:00.000Z' };
  // The review service fails as it would on a lost inventory: core's message and remedy, as the IPC carries them.
  review.report = (() => {
    calls += 1;
    return Promise.reject(new VaultError('STORAGE_ERROR', 'The inventory lost its keys: 18 secrets of this vault are in the keychain.', { remedies: [restore] }));
  }) as typeof review.report;
  try {
    await openReviewScreen(page);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The inventory lost its keys: 18 secrets of this vault are in the keychain.');
    // The remedy the app cannot carry out is said, with where it is done: never nothing.
    await expect(alert).toContainText(remedySentence(restore));
    await expect(alert).toContainText('The app offers the newest backup itself when it opens on a lost or damaged inventory: quit it and open it again. From a shell, tkv doctor --restore does the same.');
    // Read once, not again and again while it fails.
    await page.waitForTimeout(1500);
    expect(calls).toBe(1);
    await look(page, 'review-load-failed');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => calls).toBe(2);
    await expect(alert.getByRole('button', { name: 'Retry' })).toBeEnabled();
    await page.waitForTimeout(500);
    expect(calls).toBe(2);
  } finally {
    review.report = report;
  }
  // The vault answers again: Retry shows the review, and the error goes.
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText('18 keys');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the thresholds are settings kept in the inventory: a wider expiring window flags more keys', async ({ page }) => {
  await openReview(page);
  await expect(page.getByRole('button', { name: /expiring 5 keys/ })).toBeVisible();
  await page.getByText('Thresholds', { exact: true }).click();
  await page.getByLabel('Expiring soon, within (days)').fill('90, 7');
  await page.getByRole('button', { name: 'Save thresholds' }).click();
  // Every service-NN key (3 to 80 days) and acme/soon are inside 90 days now; acme/later (120) is not.
  await expect(page.getByRole('button', { name: /expiring 13 keys/ })).toBeVisible();
  expect(harness.services.review.settings().expiringDays).toEqual([90, 7]);
  // What the vault refuses is said, and nothing is saved.
  await page.getByLabel('Expiring soon, within (days)').fill('1, 2, 3, 4, 5, 6');
  await page.getByRole('button', { name: 'Save thresholds' }).click();
  await expect(page.getByRole('alert')).toContainText('Give from 1 to 5 expiring-soon windows');
  expect(harness.services.review.settings().expiringDays).toEqual([90, 7]);
  await page.getByLabel('Expiring soon, within (days)').fill('30, 7, 1');
  await page.getByRole('button', { name: 'Save thresholds' }).click();
  await expect(page.getByRole('button', { name: /expiring 5 keys/ })).toBeVisible();
});

test('exports every format without a secret; the HTML page loads in Chromium with its CSP and no network', async ({ page, browser }) => {
  await openReview(page);
  for (const format of ['csv', 'json', 'md', 'html']) {
    await page.getByLabel('Export format').selectOption(format);
    await page.getByRole('button', { name: 'Export' }).click();
    await expect.poll(() => harness.saved.some((file) => file.endsWith(`.${format}`))).toBe(true);
  }
  const accounts = harness.services.keys.list().map((key) => key.secretAccount);
  for (const file of harness.saved) {
    const text = fs.readFileSync(file, 'utf8');
    for (const account of accounts) expect(text, path.basename(file)).not.toContain(account);
  }
  const html = harness.saved.find((file) => file.endsWith('.html'))!;
  const context = await browser.newContext();
  const printable = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  printable.on('request', (request) => requests.push(request.url()));
  printable.on('console', (message) => problems.push(message.text()));
  await printable.goto(`file://${html}`);
  await expect(printable.getByRole('heading', { name: 'Key inventory review', level: 1 })).toBeVisible();
  await expect(printable.getByRole('img', { name: 'Keys by last judgement' })).toBeVisible();
  expect(requests).toEqual([`file://${html}`]);
  expect(problems.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  await printable.screenshot({ path: path.join('test-results', 'screenshots', 'review-export-html.png'), fullPage: true });
  await context.close();
  const audited = harness.services.audit.page({ action: 'exported' }, 0, 10).entries.map((entry) => entry.detail?.format);
  expect(audited.sort()).toEqual(['csv', 'html', 'json', 'md']);
});

test('a sign-off, then a change: the review shows what changed since', async ({ page }) => {
  await openReview(page);
  await expect(page.getByText('Never signed off')).toBeVisible();
  await page.getByRole('button', { name: 'Sign off…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign off the review' });
  await dialog.getByRole('button', { name: 'Sign off' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Give the reviewer’s name');
  const reviewer = dialog.locator('input[name="reviewer"]');
  await expect(reviewer).toHaveAttribute('aria-invalid', 'true');
  await expect(reviewer).toBeFocused();
  await look(page, 'review-sign-off-dialog-error');
  await reviewer.fill('Rita Reviewer');
  // The hint goes as soon as the name is there, before any second try.
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(dialog.getByText('Give the reviewer’s name')).toHaveCount(0);
  await expect(reviewer).not.toHaveAttribute('aria-invalid', 'true');
  await dialog.getByLabel('Note (optional)').fill('Quarterly review');
  await look(page, 'review-sign-off-dialog');
  await dialog.getByRole('button', { name: 'Sign off' }).click();
  await expect(dialog).toBeHidden();
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary.getByText(/Signed off by Rita Reviewer/)).toBeVisible();
  await expect(summary.getByText('nothing changed since')).toBeVisible();

  // Changed behind the screen's back (as tkv would): a key added, a key's scopes narrowed.
  await add('acme', 'newcomer');
  harness.services.keys.edit({ tenant: 'acme', name: 'wild' }, { scopes: ['Pass.Read'] });
  harness.emit('vault:changed', { reason: 'changed elsewhere' });
  const changes = page.getByRole('region', { name: 'Changed since the last sign-off' });
  await expect(changes).toContainText('Added: acme/newcomer');
  await expect(changes).toContainText('Cleared: acme/wild (wildcard)');
  await look(page, 'review-changed', { fullPage: true });
});

test('the audit log: filtered, paged, exported, and its chain verified — and found broken after an edit', async ({ page }) => {
  if (!harness.services.review.lastSignOff()) await harness.services.review.sign({ reviewer: 'Rita Reviewer', note: 'Quarterly review' });
  // More than a page of entries: 60 checks of one key, as a week of scheduled checks leaves.
  const key = harness.services.keys.find({ tenant: 'acme', name: 'later' })!;
  for (let index = 0; index < 60; index += 1) harness.services.audit.record('validated', { tenant: 'acme', keyName: 'later', keyId: key.id, fingerprint: key.fingerprint, detail: { probe: 'config', verdict: 'valid', status: 200 } });
  await harness.attach(page);
  await page.goto(harness.url);
  await page.keyboard.press('Alt+6');
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByText(/\d+ entries, newest first/)).toBeVisible();
  // Times to the second, as an audit log needs; the full time in the title.
  const newest = harness.services.audit.page({}, 0, 1).entries[0]!;
  const when = page.locator('tbody tr').first().locator('td.when time');
  await expect(when).toHaveAttribute('datetime', newest.at);
  await expect(when).toHaveAttribute('title', newest.at);
  await expect(when).toHaveText(/\b\d{1,2}:\d{2}:\d{2}\b/);
  // Since: a date as the app writes them; another form is named at the field and filters nothing.
  const since = page.getByRole('textbox', { name: 'Since' });
  await expect(since).toHaveAttribute('placeholder', 'YYYY-MM-DD, e.g. 2027-03-31');
  await since.fill('12/01/2026');
  await since.press('Enter');
  await expect(since).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#audit-since-error')).toHaveText('Since is not a date in the form YYYY-MM-DD.');
  await since.fill('2020-01-01');
  await since.press('Enter');
  await expect(since).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#audit-since-error')).toHaveCount(0);
  await since.fill('');
  await since.press('Enter');
  await page.getByLabel('Action').selectOption('signed');
  await expect(page.getByText('1 entry, newest first')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Rita Reviewer' })).toBeVisible();
  await page.getByLabel('Action').selectOption('');
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The chain holds' })).toBeVisible();
  await look(page, 'audit-log', { fullPage: true });
  await page.getByRole('button', { name: 'Older' }).click();
  await expect(page.getByText(/^51–/)).toBeVisible();
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect.poll(() => harness.saved.some((file) => /audit-log-.*\.csv$/.test(file))).toBe(true);

  const db = new Database(path.join(harness.dataDir, INVENTORY_FILE));
  const signed = db.prepare(`SELECT id, detail FROM audit_log WHERE action = 'signed'`).get() as { id: number; detail: string };
  db.prepare('UPDATE audit_log SET detail = ? WHERE id = ?').run(signed.detail.replace('Quarterly', 'Monthly'), signed.id);
  db.close();
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: `The chain is broken at entry ${signed.id}` })).toContainText('edited after it was written');
  await look(page, 'audit-log-broken');
});
