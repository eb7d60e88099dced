// The real renderer in Chromium, on the real IPC router, keychain and SQLite (see harness.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { CHANNELS } from '../../src-main/shared/contract.ts';
import { channelPath } from '../../src-main/shared/api-factory.ts';
import { canaryToken, filesContaining } from '../support/files.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look } from './support/look.ts';

const artifacts = fileURLToPath(new URL('../../test-results/', import.meta.url));
const screenshot = path.join(artifacts, 'screenshots', 'vault-with-key.png');

let harness: Harness;
test.beforeAll(async () => {
  harness = await startHarness();
});
test.afterAll(async () => {
  await harness.close();
});

test('adds a tenant and a key through the UI; the key shows masked and is stored in the keychain only', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await harness.attach(page);
  await page.goto(harness.url);

  await expect(page.getByRole('heading', { name: 'No tenants yet' })).toBeVisible();
  await look(page, 'first-start-empty');
  await page.getByRole('button', { name: 'Add your first tenant' }).click();
  const tenantDialog = page.getByRole('dialog', { name: 'Add tenant' });
  await expect(tenantDialog.getByLabel('Alias')).toBeFocused();
  await look(page, 'add-tenant-dialog');
  await tenantDialog.getByLabel('Alias').fill('acme-prod');
  await tenantDialog.getByLabel('Tenant id').fill('acme');
  await tenantDialog.getByRole('button', { name: 'Add tenant' }).click();
  await expect(tenantDialog).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /acme-prod/ })).toBeVisible();

  const token = canaryToken();
  await page.getByRole('button', { name: 'Add key' }).click();
  const keyDialog = page.getByRole('dialog', { name: 'Add key' });
  const secretField = keyDialog.getByLabel('API key');
  await expect(secretField).toHaveAttribute('type', 'password');
  await keyDialog.getByLabel('Name').fill('crm-sync');
  await secretField.fill(token);
  await keyDialog.getByLabel('Scopes').fill('Pass.Read, tenant.core:read');
  await keyDialog.getByLabel('Expires').fill('2027-06-30');
  await keyDialog.getByLabel('Owner').fill('CRM team');
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await look(page, 'add-key-dialog');
  await keyDialog.getByRole('button', { name: 'Store key' }).click();
  await expect(keyDialog).toBeHidden();

  const row = page.locator('tr[data-key="acme-prod/crm-sync"]');
  await expect(row).toBeVisible();
  // The new key opens in the detail panel; closed, the table has room for its secret column.
  await page.getByRole('button', { name: 'Close the detail of acme-prod/crm-sync' }).click();
  await expect(row.getByLabel('Secret hidden')).toHaveText('••••••••');
  const stored = harness.services.keys.show({ tenant: 'acme-prod', name: 'crm-sync' });
  await expect(row.locator('code')).toHaveText(stored.fingerprint);
  expect(stored.scopes).toEqual(['Pass.Read', 'tenant.core:read']);
  expect(await harness.services.secrets.get(stored.id)).toBe(token);

  await page.screenshot({ path: screenshot, fullPage: true });
  await look(page, 'keys-one-key');

  // The token is in the keychain and nowhere the page or the run can reach.
  expect(await page.content()).not.toContain(token);
  expect(await page.evaluate(() => document.body.innerText)).not.toContain(token);
  harness.services.db.raw.pragma('wal_checkpoint(PASSIVE)');
  expect(filesContaining([harness.dataDir, artifacts], token)).toEqual([]);
  expect(problems, 'console errors or CSP violations').toEqual([]);
});

test('shows the rule that input broke, and stores nothing', async ({ page }) => {
  await harness.attach(page);
  await page.goto(harness.url);
  await page.getByRole('button', { name: 'Add key' }).click();
  const keyDialog = page.getByRole('dialog', { name: 'Add key' });
  await keyDialog.getByLabel('Name').fill('has space');
  await keyDialog.getByLabel('API key').fill('some-token');
  await keyDialog.getByRole('button', { name: 'Store key' }).click();
  await expect(keyDialog.getByRole('alert')).toContainText("may only contain letters, digits, '.', '_' and '-'");
  // The error is tied to its field, and focus moved there, so a keyboard or screen-reader user lands on it.
  const name = keyDialog.getByLabel('Name');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();
  const described = await name.getAttribute('aria-describedby');
  await expect(keyDialog.locator(`[id="${described}"]`)).toHaveText("Key name may only contain letters, digits, '.', '_' and '-'; rename it.");
  await look(page, 'add-key-dialog-error');
  await keyDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(keyDialog).toBeHidden();
  expect(harness.services.keys.list().map((key) => key.name)).toEqual(['crm-sync']);
});

test('the page sees only window.api, built from the contract, and no Node or Electron', async ({ page }) => {
  await harness.attach(page);
  await page.goto(harness.url);
  const surface = await page.evaluate(() => ({
    api: Object.entries(window.api as unknown as Record<string, unknown>).flatMap(([domain, group]) =>
      typeof group === 'function' ? [domain] : Object.keys(group as object).map((verb) => `${domain}.${verb}`),
    ),
    frozen: Object.isFrozen(window.api),
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
  }));
  expect(surface.api.sort()).toEqual([...CHANNELS.map((channel) => channelPath(channel).join('.')), 'on'].sort());
  expect(surface).toMatchObject({ frozen: true, require: 'undefined', process: 'undefined' });
});

test('the CSP blocks inline script and any network call from the renderer', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await harness.attach(page);
  await page.goto(harness.url);
  const result = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.head.append(script);
    const fetched = await fetch('https://example.com/').then(
      () => 'fetched',
      () => 'blocked',
    );
    return { inline: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, fetched };
  });
  expect(result).toEqual({ inline: false, fetched: 'blocked' });
  expect(violations.length).toBeGreaterThanOrEqual(2);
});

test('reloads when the main process announces a change', async ({ page }) => {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.locator('tr[data-key="acme-prod/crm-sync"]')).toBeVisible();
  // Another front door (the CLI, here the vault directly) changes the vault; then the event arrives.
  harness.services.tenants.add({ alias: 'beta', tenantId: 'beta', environment: 'staging' });
  await page.evaluate(() => window.__tkvDispatch('vault:changed', { reason: 'test' }));
  await expect(page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /beta/ })).toBeVisible();
});
