// The first run with no vendor account: the app starts its built-in sandbox from the main process,
// adds the sandbox tenant with its admin key, and walks the person through create → check → rotate →
// finish, ending on the old key's 401; then the sandbox is removed in one action.
import { expect, test } from '@playwright/test';
import { containsSecret, filesContaining } from '../support/files.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look, overflowing } from './support/look.ts';

let harness: Harness;

test.beforeAll(async () => {
  harness = await startHarness();
});
test.afterAll(async () => {
  await harness.close();
});

test('a newcomer tries the sandbox: create, check, rotate, finish, and the old key answers 401', async ({ page }) => {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { name: 'No tenants yet' })).toBeVisible();
  await look(page, 'first-run');

  await page.getByRole('button', { name: 'Try it with the sandbox' }).click();
  const tour = page.getByRole('region', { name: 'Try it with the sandbox' });
  await expect(tour).toBeVisible();
  await look(page, 'tour-start');
  await tour.getByRole('button', { name: 'Start the sandbox' }).click();

  // The emulator runs on loopback, and the vault has its tenant and admin key.
  await expect(page.getByRole('navigation', { name: 'Tenants' }).getByText('sandbox', { exact: true })).toBeVisible();
  const status = harness.services.sandbox.status();
  expect(status).toMatchObject({ running: true, tenant: 'sandbox' });
  expect(new URL(status.url!).hostname).toBe('127.0.0.1');
  expect(harness.services.keys.find({ tenant: 'sandbox', name: 'sandbox-admin' })).toMatchObject({ admin: true });

  // Create: the grid opens with the tour's key and one permission ticked.
  await tour.getByRole('button', { name: 'Create tour-key…' }).click();
  const create = page.getByRole('dialog', { name: 'Create a key on sandbox' });
  await expect(create.getByLabel('Name')).toHaveValue('tour-key');
  await expect(create.getByLabel(/^View Pass \(/)).toBeChecked();
  await create.getByRole('button', { name: 'Create key' }).click();
  await expect(create).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: 'tour-key' })).toContainText('sandbox/tour-key');
  await look(page, 'tour-server-keys');

  // Check.
  await tour.getByRole('button', { name: 'Check tour-key' }).click();
  await expect(page.locator('section.card[data-verdict="valid"]')).toBeVisible();
  const oldToken = await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'sandbox', name: 'tour-key' })!);

  // Rotate, then finish.
  await tour.getByRole('button', { name: 'Rotate tour-key…' }).click();
  await expect(page.getByRole('heading', { name: 'sandbox/tour-key' })).toBeVisible();
  await page.getByRole('button', { name: 'Start rotation' }).click();
  await expect(page.getByText('Both keys work now.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Both keys checked' }).locator('section[data-verdict="valid"]')).toHaveCount(2);
  await page.getByRole('button', { name: 'Finish rotation' }).click();
  await expect(page.getByRole('region', { name: 'Both keys checked' }).locator('section[data-verdict="unauthorized"]')).toContainText('401');
  await expect(tour.getByRole('status')).toContainText('the old one answers 401');
  await expect(tour.locator('li.done')).toHaveCount(5);
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'tour-done');
  const newToken = await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'sandbox', name: 'tour-key' })!);
  const adminToken = await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'sandbox', name: 'sandbox-admin' })!);

  // No token reached the page or a file; the sandbox's admin key is in the keychain only.
  for (const token of [oldToken, newToken, adminToken]) {
    expect(harness.received.some((payload) => containsSecret(payload, token))).toBe(false);
    expect(filesContaining([harness.dataDir], token)).toEqual([]);
  }

  // The sandbox goes in one action: its tenant, its keys (keychain too) and the emulator.
  await page.getByRole('button', { name: 'Close the tour' }).click();
  await page.keyboard.press('Alt+1');
  await page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /sandbox/ }).click();
  await page.getByRole('button', { name: 'Remove tenant…' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove tenant sandbox?' });
  await expect(remove).toContainText('The sandbox itself');
  await remove.getByLabel(/Type sandbox to confirm/).fill('sandbox');
  await remove.getByRole('button', { name: 'Remove tenant and keys' }).click();
  await expect(page.getByRole('heading', { name: 'No tenants yet' })).toBeVisible();
  expect(harness.services.sandbox.status()).toEqual({ running: false, url: null, tenant: null });
  expect(await harness.services.secrets.listAccounts()).toEqual([]);
});
