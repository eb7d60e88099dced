// The key table and one key's detail, on a 1,000-key inventory: search, filters, sorts, the keyboard,
// edit, reveal and its timer, copy and the clipboard's clearing, removal, and tkv's changes shown live.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { INVENTORY_FILE } from '../../src-main/core/paths.ts';
import type { KeyQuery, KeyRef, KeySort } from '../../src-main/shared/contract.ts';
import { runTkv } from '../support/cli.ts';
import { canaryToken, containsSecret, filesContaining } from '../support/files.ts';
import { seedInventory } from '../support/seed-inventory.ts';
import { heapSnapshot } from './support/heap.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { cutInKeyTable, look, overflowing, SCREENSHOTS } from './support/look.ts';

const SEEDED = 1000;
/** How long a copied secret stays on the clipboard here (30 s in the app). */
const CLEAR_MS = 1500;
let harness: Harness;
const tokens = new Map<string, string>();

test.beforeAll(async () => {
  harness = await startHarness({ clipboardClearMs: CLEAR_MS });
  seedInventory(path.join(harness.dataDir, INVENTORY_FILE), { keys: SEEDED });
});
test.afterAll(async () => {
  await harness.close();
});

/** A key with a real keychain entry (the seeded ones have none), for reveal, copy and removal. */
async function realKey(name: string, tenant = 'seed-02'): Promise<KeyRef & { token: string }> {
  const ref = { tenant, name };
  if (!harness.services.keys.find(ref)) {
    const token = canaryToken();
    await harness.services.keys.add({ ...ref, secret: token, scopes: ['Pass.Read'], owner: 'Vault tests', notes: 'kept for the e2e suite' });
    tokens.set(`${tenant}/${name}`, token);
  }
  return { ...ref, token: tokens.get(`${tenant}/${name}`)! };
}

const count = (query: KeyQuery) => harness.services.keys.count(query);
const firstOf = (query: KeyQuery, sort: KeySort) => harness.services.keys.page(query, sort, 0, 1).rows[0]!;
const counted = (total: number, filtered: boolean) => `${total.toLocaleString('en-US')} ${total === 1 ? 'key' : 'keys'}${filtered ? (total === 1 ? ' matches' : ' match') : ''}`;
/** The table's count line, saying `total` keys (match, when `filtered`). */
const countLine = (page: Page, total: number, filtered: boolean) => page.getByText(counted(total, filtered), { exact: true });

async function open(page: Page): Promise<void> {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(countLine(page, count({}), false)).toBeVisible();
}

/** Finds a key with the search box and opens its detail. */
async function select(page: Page, ref: KeyRef): Promise<void> {
  await page.getByLabel('Search keys').fill(ref.name);
  // The search applies after a pause in typing, and replaces the rows: a click on a row drawn before
  // may land while the table is redrawn, and select nothing. Its count and its row say it applied.
  await expect(countLine(page, count({ search: ref.name }), true)).toBeVisible();
  await expect(page.locator(`tr[data-key="${ref.tenant}/${ref.name}"]`)).toBeVisible();
  await page.getByRole('button', { name: `Show ${ref.tenant}/${ref.name}`, exact: true }).click();
  await expect(page.getByRole('heading', { name: `${ref.tenant}/${ref.name}`, level: 2 })).toBeVisible();
}

test('searches, filters and sorts 1,000 keys in the main process, drawing only the rows on screen', async ({ page }) => {
  await open(page);
  const rows = page.locator('tbody tr[data-index]');
  // Far fewer rows drawn than keys held.
  expect(await rows.count()).toBeLessThan(60);
  await look(page, 'keys-inventory');
  expect(await overflowing(page)).toEqual([]);

  // Search as you type: name, owner, notes, scope, fingerprint; words in any order.
  const search = page.getByLabel('Search keys');
  await search.fill('nightly');
  await expect(countLine(page, count({ search: 'nightly' }), true)).toBeVisible();
  await search.fill('payments store 12');
  await expect(countLine(page, count({ search: 'payments store 12' }), true)).toBeVisible();
  const fingerprint = firstOf({}, { column: 'name', direction: 'asc' }).fingerprint;
  await search.fill(fingerprint.slice(3, 11));
  await expect(countLine(page, 1, true)).toBeVisible();
  await search.fill('');

  // Filters combine, and the count follows the main process's.
  await page.getByLabel('Environment').selectOption('staging');
  await page.getByLabel('Expiry').selectOption('expired');
  await expect(countLine(page, count({ environment: 'staging', expiry: 'expired' }), true)).toBeVisible();
  await expect(rows.first().locator('td.col-expires [aria-label="Expired"]')).toBeVisible();
  await page.getByLabel('Expiry').selectOption('within-30');
  await page.getByLabel('Last judgement').selectOption('forbidden');
  await expect(countLine(page, count({ environment: 'staging', expiry: 'within-30', judgement: 'forbidden' }), true)).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Admin', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(countLine(page, count({ admin: true }), true)).toBeVisible();
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('button', { name: '* scope' }).click();
  await expect(countLine(page, count({ wildcard: true }), true)).toBeVisible();
  await page.getByRole('button', { name: '* scope' }).click();
  await page.getByLabel('Last judgement').selectOption({ label: 'never checked' });
  await expect(countLine(page, count({ neverChecked: true }), true)).toBeVisible();
  await look(page, 'keys-filtered');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(countLine(page, count({}), false)).toBeVisible();

  // A tenant chosen in the navigation filters too.
  await page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /seed-03/ }).click();
  await expect(countLine(page, count({ tenant: 'seed-03' }), false)).toBeVisible();
  await page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /All tenants/ }).click();

  // Any column sorts, both ways, as the main process orders it: every chosen column shown, scrolling sideways.
  await page.getByRole('button', { name: 'Show them, scrolling sideways' }).click();
  await expect(page.getByRole('button', { name: 'Fit the columns to the window' })).toBeVisible();
  const header = (name: string) => page.getByRole('columnheader', { name });
  await expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
  await header('Name').getByRole('button').click();
  await expect(header('Name')).toHaveAttribute('aria-sort', 'descending');
  await expect(rows.first()).toHaveAttribute('data-key', `${firstOf({}, { column: 'name', direction: 'desc' }).tenant}/${firstOf({}, { column: 'name', direction: 'desc' }).name}`);
  for (const [label, column] of [
    ['Expires', 'expires'],
    ['Owner', 'owner'],
    ['Last checked', 'checked'],
    ['Last judgement', 'judgement'],
  ] as const) {
    await header(label).getByRole('button').click();
    await expect(header(label)).toHaveAttribute('aria-sort', 'ascending');
    await expect(header('Name')).toHaveAttribute('aria-sort', 'none');
    const first = firstOf({}, { column, direction: 'asc' });
    await expect(rows.first(), label).toHaveAttribute('data-key', `${first.tenant}/${first.name}`);
  }
  // Age: youngest first.
  await header('Age').getByRole('button').click();
  await expect(header('Age')).toHaveAttribute('aria-sort', 'ascending');
  const youngest = firstOf({}, { column: 'created', direction: 'desc' });
  await expect(rows.first()).toHaveAttribute('data-key', `${youngest.tenant}/${youngest.name}`);
  await look(page, 'keys-sorted');
});

test('the key table keeps its columns whole, with the detail open or not, at the default and the smallest window', async ({ page }) => {
  // Four screens looked at in two themes each, axe included.
  test.setTimeout(180_000);
  await open(page);
  const header = (name: string) => page.getByRole('columnheader', { name });
  // Keys that expire soon, or expired, and hold two long scopes: what was cut before.
  await page.getByLabel('Expiry').selectOption('within-30');
  await expect(countLine(page, count({ expiry: 'within-30' }), true)).toBeVisible();
  for (const [name, size] of [
    ['1200x760', { width: 1200, height: 760 }],
    ['720x480', { width: 720, height: 480 }],
  ] as const) {
    await page.setViewportSize(size);
    for (const panel of [false, true]) {
      const first = page.locator('tbody tr[data-key]').first();
      if (panel) {
        await first.getByRole('button', { name: /^Show / }).click();
        await expect(page.getByTestId('key-panel')).toBeVisible();
      }
      const where = `${name}${panel ? ' with the detail' : ''}`;
      await expect.poll(() => cutInKeyTable(page), where).toEqual([]);
      expect(await overflowing(page), where).toEqual([]);
      // What a review reads first stays: the judgement always, the expiry wherever the table is beside the panel or alone at 1200.
      await expect(header('Last judgement'), where).toBeVisible();
      if (name === '1200x760') await expect(header('Expires'), where).toBeVisible();
      // Its dates are whole ISO dates.
      for (const cell of await page.locator('tbody tr[data-key] td.col-expires').all()) expect((await cell.textContent())!.replace(/\s+/g, ' ').trim()).toMatch(/^(never|⚠ \d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}(, in \d+ days|, today|, tomorrow)?)$/);
      // What yields is said, and can be shown.
      const yielded = page.getByText(/columns? hidden to fit:/);
      await expect(yielded, where).toBeVisible();
      await look(page, `keys-columns-${where.replaceAll(' ', '-')}`);
      if (panel) {
        await page.getByRole('button', { name: /^Close the detail of / }).click();
        await expect(page.getByTestId('key-panel')).toBeHidden();
      }
    }
  }
  // Every chosen column, on request: the table scrolls sideways inside its frame, the page does not.
  await page.setViewportSize({ width: 1200, height: 760 });
  await page.getByRole('button', { name: 'Show them, scrolling sideways' }).click();
  await expect(header('Notes')).toBeAttached();
  expect(await page.getByTestId('key-table').evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  expect(await overflowing(page)).toEqual([]);
  await page.getByRole('button', { name: 'Fit the columns to the window' }).click();
  await expect(header('Notes')).toHaveCount(0);
});

test('the keyboard moves through the table; the selection and the scroll survive a refresh', async ({ page }) => {
  await open(page);
  const byName: KeySort = { column: 'name', direction: 'asc' };
  const at = (index: number) => {
    const key = harness.services.keys.page({}, byName, index, 1).rows[0]!;
    return `${key.tenant}/${key.name}`;
  };
  // "/" goes to the search box, ArrowDown into the table.
  await page.keyboard.press('/');
  await expect(page.getByLabel('Search keys')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('button', { name: `Show ${at(0)}`, exact: true })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator(`tr[data-key="${at(2)}"]`)).toHaveAttribute('aria-current', 'true');
  await expect(page.getByRole('heading', { name: at(2), level: 2 })).toBeVisible();
  // End reaches the last key, fetched on the way; Home comes back.
  const total = count({});
  await page.keyboard.press('End');
  await expect(page.getByRole('button', { name: `Show ${at(total - 1)}`, exact: true })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.getByRole('button', { name: `Show ${at(0)}`, exact: true })).toBeFocused();
  // Page Down, twice: a screen at a time.
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  const focused = await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-index'));
  const index = Number(focused);
  expect(index).toBeGreaterThan(10);
  // Enter opens the detail (focus moves to it), Escape closes it and gives focus back to the row.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: at(index), level: 2 })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('key-panel')).toBeHidden();
  await expect(page.getByRole('button', { name: `Show ${at(index)}`, exact: true })).toBeFocused();
  await page.keyboard.press('Enter');

  // Another connection changes the inventory (here the vault's own service stands for it): the page
  // reads the rows on screen again, in place.
  const table = page.getByTestId('key-table');
  const scrolled = await table.evaluate((element) => element.scrollTop);
  expect(scrolled).toBeGreaterThan(0);
  const [tenant, name] = at(index).split('/') as [string, string];
  harness.services.keys.edit({ tenant, name }, { notes: 'edited while the app was open', expiresOn: '2031-05-06' });
  harness.emit('vault:changed', { reason: 'test' });
  await expect(page.locator(`tr[data-key="${at(index)}"] td.col-expires`)).toHaveText('2031-05-06');
  expect(await table.evaluate((element) => element.scrollTop)).toBe(scrolled);
  await expect(page.locator(`tr[data-key="${at(index)}"]`)).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('key-panel')).toContainText('edited while the app was open');
});

test('edits a key: scopes checked against the catalogue, a past expiry warned about, the audit trail updated', async ({ page }) => {
  const key = await realKey('edit-me');
  await open(page);
  await select(page, key);
  await page.keyboard.press('e');
  const dialog = page.getByRole('dialog', { name: `Edit ${key.tenant}/${key.name}` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Scopes').fill('Pass.Raed, Secret.Read');
  await expect(dialog.getByRole('list', { name: 'Unknown scopes' })).toContainText('Pass.Raed is not a scope The Wallet Crew is known to have');
  await dialog.getByRole('button', { name: 'Use Pass.Read' }).click();
  await expect(dialog.getByLabel('Scopes')).toHaveValue('Pass.Read, Secret.Read');
  await dialog.getByText('Choose from the scope catalogue').click();
  await dialog.getByRole('checkbox', { name: 'Webhook.Read' }).check();
  await expect(dialog.getByLabel('Scopes')).toHaveValue('Pass.Read, Secret.Read, Webhook.Read');
  // Every scope of the catalogue on one line of its own: the list wraps between scopes, never inside one.
  const broken = await dialog.locator('.catalogue label').evaluateAll((labels) => labels.filter((label) => label.getClientRects().length !== 1 || (label.querySelector('code')?.getClientRects().length ?? 1) !== 1).map((label) => label.textContent.trim()));
  expect(broken).toEqual([]);
  expect(await dialog.locator('.catalogue label').count()).toBeGreaterThan(10);
  // The expiry is typed as the app writes dates, YYYY-MM-DD, whatever the locale; a wrong one is named at its field.
  const expires = dialog.locator('input[name="expiresOn"]');
  await expect(dialog.getByLabel('Expires', { exact: true })).toBeVisible();
  await expect(expires).toHaveAttribute('type', 'text');
  await expect(expires).toHaveAttribute('placeholder', /^YYYY-MM-DD, e\.g\. \d{4}-\d{2}-\d{2}$/);
  await expires.fill('31/01/2020');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(expires).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('#edit-key-expiresOn-error')).toHaveText('Expiry date is not a date in the form YYYY-MM-DD.');
  await expires.fill('2020-01-31');
  // Put right, the field's message and the form's summary go at once.
  await expect(expires).not.toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('.form-error')).toHaveCount(0);
  await expect(expires).toHaveValue('2020-01-31');
  await expect(dialog.getByRole('status')).toHaveText('This date has passed: the key will show as expired.');
  await dialog.getByLabel('Owner').fill('Loyalty squad');
  await dialog.getByLabel('Notes').fill('rotated by hand\nsee ticket OPS-12');
  await dialog.getByLabel("Server's name of the key").fill('edit-me-v2');
  await dialog.getByLabel(/Admin credential/).check();
  // The dialog's body scrolls; its action row stays in view at the window's default size.
  expect(page.viewportSize()).toEqual({ width: 1200, height: 760 });
  await expect(dialog.getByRole('button', { name: 'Save changes' })).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport({ ratio: 1 });
  expect(await dialog.evaluate((element) => element.scrollHeight > element.clientHeight)).toBe(true);
  await dialog.evaluate((element) => element.scrollTo(0, 0));
  await expect(dialog.getByRole('button', { name: 'Save changes' })).toBeInViewport({ ratio: 1 });
  await look(page, 'edit-key-dialog');
  await dialog.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await look(page, 'edit-key-dialog-end');
  // A broken rule is named at its field, and nothing is sent.
  await dialog.getByLabel('Owner').fill('bell\u0007');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.getByLabel('Owner')).toHaveAttribute('aria-invalid', 'true');
  expect(harness.services.keys.show(key).owner).toBe('Vault tests');
  await dialog.getByLabel('Owner').fill('Loyalty squad');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();

  expect(harness.services.keys.show(key)).toMatchObject({
    scopes: ['Pass.Read', 'Secret.Read', 'Webhook.Read'],
    expiresOn: '2020-01-31',
    expired: true,
    owner: 'Loyalty squad',
    notes: 'rotated by hand\nsee ticket OPS-12',
    remoteName: 'edit-me-v2',
    admin: true,
  });
  const panel = page.getByTestId('key-panel');
  await expect(panel).toContainText('Loyalty squad');
  await expect(panel).toContainText('edit-me-v2');
  await expect(panel.getByRole('region', { name: 'Audit' })).toContainText('edited');
  await expect(panel.getByRole('region', { name: 'Audit' })).toContainText('fields: scopes, expires_on, owner, notes, remote_name, is_admin');
  await expect(page.locator(`tr[data-key="${key.tenant}/${key.name}"]`)).toHaveClass(/expired/);
  await look(page, 'key-detail');
});

test('reveals a secret on demand, hides it after 30 s, and keeps nothing of it in the page', async ({ page }) => {
  const key = await realKey('reveal-me');
  await page.clock.install();
  await open(page);
  await select(page, key);
  const secret = page.getByTestId('secret');
  await expect(secret.getByLabel('Secret hidden')).toBeVisible();
  await secret.getByRole('button', { name: 'Reveal' }).click();
  await expect(secret.getByLabel('Secret', { exact: true })).toHaveText(key.token);
  // The page's time stops here and moves only when told: 10 s, then the rest.
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 100);
  await expect(secret.getByRole('timer')).toHaveText(/hides in (29|30) s/);
  await page.clock.runFor(10_000);
  await expect(secret.getByRole('timer')).toHaveText(/hides in (19|20) s/);
  // (axe waits on timers of its own: time flows again while it looks.)
  await page.clock.resume();
  await look(page, 'key-revealed');
  await page.clock.runFor(30_000);
  await expect(secret.getByLabel('Secret hidden')).toBeVisible();
  await expect(secret.getByLabel('Secret', { exact: true })).toHaveCount(0);
  expect(await page.content()).not.toContain(key.token);
  // The reveal is in the audit trail; "Hide" and a change of key hide it too.
  await expect(page.getByTestId('key-panel').getByRole('region', { name: 'Audit' })).toContainText('revealed');
  await page.keyboard.press('r');
  await expect(secret.getByLabel('Secret', { exact: true })).toHaveText(key.token);
  await secret.getByRole('button', { name: 'Hide' }).click();
  await expect(secret.getByLabel('Secret hidden')).toBeVisible();
  await secret.getByRole('button', { name: 'Reveal' }).click();
  await expect(secret.getByLabel('Secret', { exact: true })).toHaveText(key.token);
  const other = firstOf({}, { column: 'name', direction: 'asc' });
  await select(page, other);
  await expect(secret.getByLabel('Secret hidden')).toBeVisible();
  // Once hidden, not in the DOM nor anywhere in the JavaScript heap.
  expect(await page.content()).not.toContain(key.token);
  expect(containsSecret(await heapSnapshot(page), key.token)).toBe(false);
});

test('copies a secret in the main process; the clipboard is cleared only if it still holds it', async ({ page }) => {
  const key = await realKey('copy-me');
  await open(page);
  await select(page, key);
  const receivedBefore = harness.received.length;
  await page.getByRole('button', { name: 'Copy secret' }).click();
  await expect(page.getByTestId('key-panel').getByRole('status')).toContainText('Copied.');
  expect(await harness.clipboard.readText()).toBe(key.token);
  // Cleared after the delay, since it still holds the secret.
  await expect.poll(() => harness.clipboard.readText(), { timeout: CLEAR_MS * 4 }).toBe('');
  // Copied again (with Y), then the person copies something else: that is never wiped.
  await page.getByTestId('key-panel').getByRole('heading', { level: 2 }).focus();
  await page.keyboard.press('y');
  await expect.poll(() => harness.clipboard.readText()).toBe(key.token);
  await harness.clipboard.writeText('a note the person copied since');
  await page.waitForTimeout(CLEAR_MS * 2);
  expect(await harness.clipboard.readText()).toBe('a note the person copied since');
  // The secret never went to the page: not in any IPC answer since, nor in the DOM.
  for (const answer of harness.received.slice(receivedBefore)) expect(containsSecret(answer, key.token)).toBe(false);
  expect(await page.content()).not.toContain(key.token);
  await expect(page.getByTestId('key-panel').getByRole('region', { name: 'Audit' })).toContainText('copied');
});

test('a clear the system refused (Wayland, window in the background) is said, and done once the window has the focus', async ({ page }) => {
  const key = await realKey('copy-in-background');
  await open(page);
  await select(page, key);
  await page.getByRole('button', { name: 'Copy secret' }).click();
  await expect(page.getByTestId('key-panel').getByRole('status')).toContainText('Copied.');
  expect(await harness.clipboard.readSystem()).toBe(key.token);
  // The person switched to another window: the timer's write is dropped, though the app's own
  // readText (Chromium's cache) would say the clipboard is empty.
  harness.clipboard.focused = false;
  const notice = page.locator('.clipboard-notice');
  await expect(notice).toHaveText(/The clipboard still holds the secret: the system refused to clear it while this window was in the background\./, { timeout: CLEAR_MS * 4 });
  expect(await harness.clipboard.readText()).toBe('');
  expect(await harness.clipboard.readSystem()).toBe(key.token);
  await look(page, 'clipboard-not-cleared');
  // Back in the window: the clear is tried again, confirmed, and the warning gives way.
  await harness.focusWindow();
  await expect(notice).toHaveText(/The clipboard no longer holds the secret\./);
  expect(await harness.clipboard.readSystem()).toBe('');
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toBeHidden();
});

test('removes a key, and a tenant with its keys, after a confirmation that names what goes', async ({ page }) => {
  const key = await realKey('remove-me');
  const doomed = await realKey('kept-in-keychain', 'seed-19');
  const account = harness.services.keys.show(key).secretAccount;
  await open(page);
  await select(page, key);
  await page.getByRole('button', { name: 'Remove…' }).click();
  let dialog = page.getByRole('dialog', { name: `Remove ${key.tenant}/${key.name}?` });
  await expect(dialog).toContainText(`account ${account}`);
  await expect(dialog).toContainText(harness.service);
  await look(page, 'remove-key-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(harness.services.keys.find(key)).not.toBeNull();
  // From the keyboard this time: Delete on the focused row opens the confirmation. Closing gave the focus back
  // to the button that opened the dialog; the row takes it from there, with the key still shown.
  await expect(page.getByRole('button', { name: 'Remove…' })).toBeFocused();
  const row = page.getByRole('button', { name: `Show ${key.tenant}/${key.name}`, exact: true });
  await row.focus();
  await expect(row).toBeFocused();
  await expect(page.getByRole('heading', { name: `${key.tenant}/${key.name}`, level: 2 })).toBeVisible();
  await page.keyboard.press('Delete');
  dialog = page.getByRole('dialog', { name: `Remove ${key.tenant}/${key.name}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Remove key' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('key-panel')).toBeHidden();
  expect(harness.services.keys.find(key)).toBeNull();
  expect(await harness.services.secrets.get(account)).toBeNull();
  await page.getByLabel('Search keys').fill('');

  // A tenant: its alias typed to confirm.
  const doomedAccount = harness.services.keys.show(doomed).secretAccount;
  const held = count({ tenant: 'seed-19' });
  await page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /seed-19/ }).click();
  await page.getByRole('button', { name: 'Remove tenant…' }).click();
  dialog = page.getByRole('dialog', { name: 'Remove tenant seed-19?' });
  await expect(dialog).toContainText(`${held} keys and their keychain entries`);
  await look(page, 'remove-tenant-dialog');
  await dialog.getByLabel(/to confirm/).fill('seed-1');
  await dialog.getByRole('button', { name: 'Remove tenant and keys' }).click();
  await expect(dialog.getByLabel(/to confirm/)).toHaveAttribute('aria-invalid', 'true');
  expect(harness.services.tenants.list().some((tenant) => tenant.alias === 'seed-19')).toBe(true);
  await dialog.getByLabel(/to confirm/).fill('seed-19');
  await dialog.getByRole('button', { name: 'Remove tenant and keys' }).click();
  await expect(dialog).toBeHidden();
  expect(harness.services.tenants.list().some((tenant) => tenant.alias === 'seed-19')).toBe(false);
  expect(await harness.services.secrets.get(doomedAccount)).toBeNull();
  await expect(page.getByRole('heading', { name: 'All tenants', level: 1 })).toBeVisible();
  await expect(countLine(page, count({}), false)).toBeVisible();
});

test('a change made with the real tkv shows in the open app within a second, the selection kept', async ({ page }) => {
  await open(page);
  const byName: KeySort = { column: 'name', direction: 'asc' };
  const target = harness.services.keys.page({ tenant: 'seed-05' }, byName, 0, 1).rows[0]!;
  await select(page, target);
  const env = { ...process.env, TKV_DATA_DIR: harness.dataDir, TKV_KEYCHAIN_SERVICE: harness.service };
  const edit = await runTkv(['key', 'edit', `seed-05/${target.name}`, '--owner', 'Changed in a terminal', '--expires', '2031-05-06'], { env });
  expect(edit.stderr).toBe('');
  expect(edit.code).toBe(0);
  const panel = page.getByTestId('key-panel');
  await expect(panel).toContainText('Changed in a terminal', { timeout: 1000 });
  await expect(page.locator(`tr[data-key="seed-05/${target.name}"] td.col-expires`)).toHaveText('2031-05-06', { timeout: 1000 });
  await expect(page.getByRole('heading', { name: `seed-05/${target.name}`, level: 2 })).toBeVisible();
  // A tenant added in the terminal appears in the navigation too.
  const added = await runTkv(['tenant', 'add', 'from-terminal', '--tenant-id', 'ft', '--env', 'staging'], { env });
  expect(added.code, added.stderr).toBe(0);
  await expect(page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /from-terminal/ })).toBeVisible({ timeout: 1000 });
});

test('at the window’s minimum size the detail slides over the table, and nothing spills sideways', async ({ page }) => {
  const key = await realKey('small-window');
  await open(page);
  await page.setViewportSize({ width: 720, height: 480 });
  await select(page, key);
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'key-detail-720x480');
  await page.getByRole('button', { name: `Close the detail of ${key.tenant}/${key.name}` }).click();
  await expect(page.getByTestId('key-panel')).toBeHidden();
  await look(page, 'keys-inventory-720x480');
});

test('no secret of this suite is in any file written, IPC answer or screenshot', async () => {
  expect(tokens.size).toBeGreaterThanOrEqual(4);
  harness.services.db.raw.pragma('wal_checkpoint(PASSIVE)');
  // The reveal test received its token over IPC once, by design; every other answer must be clean.
  const received = harness.received.filter((answer) => !answer.includes('"secret"'));
  for (const token of tokens.values()) {
    for (const answer of received) expect(containsSecret(answer, token)).toBe(false);
    expect(filesContaining([harness.dataDir, SCREENSHOTS], token)).toEqual([]);
  }
});
