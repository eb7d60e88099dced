// Server keys and rotation in the app, against the sandbox with the real keychain and SQLite: the
// listing with drift made behind the app's back, create through the permission grid, the show-once
// rescue when the keychain fails after create, edit/disable/duplicate/delete, and a full rotation
// with both keys checked during the overlap and the old one answering 401 after finish.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { KeytarSecretStore } from '../../src-main/core/secrets/keytar-secret-store.ts';
import { PROBE_ACCOUNT_PREFIX, type SecretStore } from '../../src-main/core/secrets/secret-store.ts';
import { VaultError } from '../../src-main/core/errors.ts';
import { remedySentence } from '../../src-main/shared/remedies.ts';
import { canaryToken, containsSecret, filesContaining } from '../support/files.ts';
import { uniqueService } from '../support/keychain.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look, overflowing } from './support/look.ts';

let harness: Harness;
let sandbox: TestSandbox;
/** When on, the keychain refuses every write but a round trip's: the show-once path. */
let keychainFails = false;
/** Every token this suite saw, searched for in every IPC result and file at the end. */
const tokens: string[] = [];

/** The real keychain, with a switch that makes it fail after the round trip a create starts with. */
function switchableKeychain(service: string): SecretStore {
  const store = new KeytarSecretStore({ service });
  return {
    service: store.service,
    backend: store.backend,
    get: (account) => store.get(account),
    set: (account, secret) => (keychainFails && !account.startsWith(PROBE_ACCOUNT_PREFIX) ? Promise.reject(new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain stopped answering.')) : store.set(account, secret)),
    delete: (account) => store.delete(account),
    listAccounts: () => store.listAccounts(),
  };
}

async function serverList(): Promise<{ name: string; enabled: boolean; permissions: string[] }[]> {
  const response = await sandbox.call('GET', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo') });
  return (await response.json()) as { name: string; enabled: boolean; permissions: string[] }[];
}

const serverKey = async (name: string) => (await serverList()).find((key) => key.name === name);

/** Answers the config probe with `token`: 200 while the key works, 401 once disabled or deleted. */
const probeStatus = async (token: string) => (await sandbox.call('GET', '/api/demo/admin/config', { key: token })).status;

async function ensureKey(name: string, permissions: string[]): Promise<void> {
  if (harness.services.keys.find({ tenant: 'demo', name })) return;
  const outcome = await harness.services.admin.remoteCreate({ tenant: 'demo', name }, { scopes: permissions }, { canShowToken: false });
  if (outcome.stored) tokens.push(outcome.token);
}

async function openServerKeys(page: Page): Promise<void> {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
  await page.keyboard.press('Alt+3');
  await expect(page.getByRole('heading', { name: 'Server keys', level: 1 })).toBeVisible();
  await page.getByRole('main').getByLabel('Tenant', { exact: true }).selectOption('demo');
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

test.beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo', 'acme'] });
  const service = uniqueService('e2e-server');
  harness = await startHarness({ service, secrets: switchableKeychain(service) });
  harness.services.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  await harness.services.keys.add({ tenant: 'demo', name: 'sandbox-admin', secret: sandbox.adminKey('demo'), scopes: ['*'], admin: true });
  tokens.push(sandbox.adminKey('demo'));
});

test.afterAll(async () => {
  // Nothing this suite handled reached a file, or any IPC result but the one show-once list.
  for (const token of tokens) {
    expect(filesContaining([harness.dataDir], token), 'a token in the data directory').toEqual([]);
  }
  for (const key of await harness.services.secrets.listAccounts()) await harness.services.secrets.delete(key);
  await harness.close();
  await sandbox.dispose();
});

test('lists the server keys beside the vault, with drift made behind the app’s back', async ({ page }) => {
  await ensureKey('crm', ['tenant.core:read', 'Pass.Read']);
  await ensureKey('gone', ['Stores.Read']);
  // Behind the app's back: a permission added, a key disabled, a key made, a key deleted.
  await sandbox.call('PUT', '/api/demo/admin/apiKeys/crm', { key: sandbox.adminKey('demo'), body: { enabled: false, permissions: ['tenant.core:read', 'Pass.Read', 'Pass.Write'] } });
  await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'made-elsewhere', permissions: ['Secret.Read'] } });
  await sandbox.call('DELETE', '/api/demo/admin/apiKeys/gone', { key: sandbox.adminKey('demo') });

  await openServerKeys(page);
  await expect(row(page, 'crm')).toContainText('Differs from the vault');
  await expect(row(page, 'crm')).toContainText('State differs');
  await expect(row(page, 'crm')).toContainText('Disabled');
  await expect(row(page, 'made-elsewhere')).toContainText('Only on the server');
  await expect(row(page, 'sandbox-admin')).toContainText('demo/sandbox-admin');
  await expect(page.getByRole('heading', { name: 'In the vault, gone from the server' })).toBeVisible();
  await expect(page.getByText('demo/gone')).toBeVisible();
  await expect(page.getByText('Admin credential: admin key demo/sandbox-admin')).toBeVisible();
  // Counted with their nouns, agreeing: one key differs, not "1 differ".
  await expect(page.locator('.drift-summary')).toHaveText('Drift 1 key differs from the vault · 1 key only on the server · 1 vault entry gone from the server');
  expect(await overflowing(page)).toEqual([]);
  // Each key's actions on one row at the default window: two buttons and a menu.
  for (const name of ['sandbox-admin', 'crm', 'made-elsewhere']) {
    const tops = await row(page, name).locator('.row-actions > button').evaluateAll((buttons) => buttons.map((button) => Math.round(button.getBoundingClientRect().top)));
    expect(tops.length, name).toBe(3);
    expect(new Set(tops).size, name).toBe(1);
  }
  await look(page, 'server-keys');
  // The rarer actions are in a menu, which the keyboard opens, walks and closes.
  const more = page.getByRole('button', { name: 'More actions on crm' });
  await more.focus();
  await page.keyboard.press('ArrowDown');
  const menu = page.getByRole('menu', { name: 'More actions on crm' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Duplicate…' })).toBeFocused();
  await expect(menu.getByRole('menuitem')).toHaveText(['Duplicate…', 'Rotate…', 'Delete…']);
  await page.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitem', { name: 'Delete…' })).toBeFocused();
  await look(page, 'server-keys-more-menu');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(more).toBeFocused();
  // At the window's minimum, they wrap inside their cell and nothing spills sideways.
  await page.setViewportSize({ width: 720, height: 480 });
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'server-keys-720x480');
  await page.setViewportSize({ width: 1200, height: 760 });

  // Offline: the last snapshot, marked as such, with why.
  await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/apiKeys', reset: true }] });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByText('Offline', { exact: true })).toBeVisible();
  await expect(page.getByText(/Showing the last snapshot, taken/)).toBeVisible();
  await expect(row(page, 'crm')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create key' })).toBeDisabled();
  await look(page, 'server-keys-offline');
  await sandbox.control('DELETE', '/_sandbox/config');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
});

test('a tenant with no admin key says so, and works once an OAuth bearer token is pasted', async ({ page }) => {
  const vault = harness.services;
  if (!vault.tenants.list().some((tenant) => tenant.alias === 'acme')) vault.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'custom', baseUrl: sandbox.url });
  // A tenant whose admin key the server turns down: refused, in those words, not "Offline".
  if (!vault.tenants.list().some((tenant) => tenant.alias === 'refusing')) {
    vault.tenants.add({ alias: 'refusing', tenantId: 'acme', environment: 'custom', baseUrl: sandbox.url });
    await vault.keys.add({ tenant: 'refusing', name: 'old-admin', secret: canaryToken(), scopes: ['*'], admin: true });
  }
  await openServerKeys(page);
  await page.getByRole('main').getByLabel('Tenant', { exact: true }).selectOption('refusing');
  await expect(page.getByText('Credential refused', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Listing' })).toContainText('The server refused the admin credential:');
  await expect(page.getByText('Offline', { exact: true })).toHaveCount(0);
  await page.getByRole('main').getByLabel('Tenant', { exact: true }).selectOption('acme');
  // Not "Offline": nothing was tried, for want of a credential; the two ways to give one are offered.
  const status = page.getByRole('region', { name: 'Listing' });
  await expect(status.getByText('No admin credential', { exact: true })).toBeVisible();
  await expect(page.getByText('Offline', { exact: true })).toHaveCount(0);
  await expect(status).toContainText('To list and manage acme’s keys on the server, the app needs an admin credential for this tenant.');
  await expect(status.getByRole('button', { name: 'Add an admin key…' })).toBeVisible();
  await look(page, 'server-keys-no-credential');
  // "Add an admin key…" opens the add-key dialog on acme, marked admin.
  await status.getByRole('button', { name: 'Add an admin key…' }).click();
  const add = page.getByRole('dialog', { name: 'Add key' });
  await expect(add.getByLabel('Tenant', { exact: true })).toHaveValue('acme');
  await expect(add.getByLabel(/Admin credential for this tenant/)).toBeChecked();
  await add.getByRole('button', { name: 'Cancel' }).click();
  await expect(add).toBeHidden();
  await status.getByRole('button', { name: 'Paste a bearer token…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Paste a bearer token for acme' });
  await dialog.getByRole('button', { name: 'Keep token' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Paste the access token itself');
  await expect(dialog.getByLabel('Bearer token')).toHaveAttribute('aria-invalid', 'true');
  await look(page, 'bearer-dialog');
  const response = await sandbox.control('POST', '/_sandbox/bearer-tokens', { tenantId: 'acme', ttlSeconds: 3600 });
  const { accessToken } = (await response.json()) as { accessToken: string };
  tokens.push(accessToken);
  await dialog.getByLabel('Bearer token').fill(accessToken);
  // The expiry the sandbox gave, as the person types it: local date and time, the app's ISO way.
  const expiry = new Date(Date.now() + 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const expiresField = dialog.locator('input[name="expiresAt"]');
  await expect(expiresField).toHaveAttribute('placeholder', /^YYYY-MM-DD HH:MM, e\.g\. /);
  await expiresField.fill('12/31/2026 5:30 PM');
  await dialog.getByRole('button', { name: 'Keep token' }).click();
  await expect(expiresField).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('#bearer-expiresAt-error')).toContainText('give it as YYYY-MM-DD HH:MM');
  // A token kept with an expiry already past: the listing says the token expired, and how to go on.
  await expiresField.fill('2020-01-01 10:00');
  await expect(expiresField).not.toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Keep token' }).click();
  await expect(dialog).toBeHidden();
  await expect(status.getByText('Token expired', { exact: true })).toBeVisible();
  await expect(status).toContainText('The bearer token kept for acme has expired: paste a fresh one.');
  await expect(page.getByText('Offline', { exact: true })).toHaveCount(0);
  await look(page, 'server-keys-token-expired');
  await status.getByRole('button', { name: 'Paste a bearer token…' }).first().click();
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Bearer token').fill(accessToken);
  await expiresField.fill(`${expiry.getFullYear()}-${pad(expiry.getMonth() + 1)}-${pad(expiry.getDate())} ${pad(expiry.getHours())}:${pad(expiry.getMinutes())}`);
  await expect(expiresField).not.toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Keep token' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await expect(page.getByText(/Admin credential:\s*OAuth bearer token, expires/)).toBeVisible();
  await expect(row(page, 'sandbox-admin')).toContainText('Only on the server');
  expect(harness.received.some((payload) => containsSecret(payload, accessToken))).toBe(false);
});

test('creates a key through the permission grid: the server stores what was ticked, the token goes to the keychain only', async ({ page }) => {
  await openServerKeys(page);
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key on demo' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name').fill('grid-made');
  // Change implies View.
  await dialog.getByLabel(/^Change Pass \(/).check();
  await expect(dialog.getByLabel(/^View Pass \(/)).toBeChecked();
  await dialog.getByLabel('Search permissions').fill('tenant.core');
  await dialog.getByLabel(/^View tenant\.core \(/).check();
  await dialog.getByLabel('Search permissions').fill('');
  await expect(dialog.getByText('3 chosen.')).toBeVisible();
  await look(page, 'create-server-key-dialog');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, 'grid-made')).toContainText('demo/grid-made');

  const stored = await serverKey('grid-made');
  expect(stored).toEqual({ name: 'grid-made', enabled: true, permissions: expect.arrayContaining(['Pass.Read', 'Pass.Write', 'tenant.core:read']) });
  expect(stored!.permissions).toHaveLength(3);
  const entry = harness.services.keys.find({ tenant: 'demo', name: 'grid-made' })!;
  const token = await harness.services.keys.secretOf(entry);
  tokens.push(token);
  expect(await probeStatus(token)).toBe(200);
  expect(harness.received.some((payload) => containsSecret(payload, token)), 'the token in an IPC result').toBe(false);
  expect(await page.content()).not.toContain(token);
});

test('the keychain failing after create: the token is shown once, audited, copied in main, and forgotten on close', async ({ page }) => {
  await openServerKeys(page);
  keychainFails = true;
  try {
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a key on demo' });
    await dialog.getByLabel('Name').fill('rescued');
    await dialog.getByLabel(/^View Stores \(/).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    // The create is answered (the dialog closes) before the keychain works again.
    await expect(dialog).toBeHidden();
  } finally {
    keychainFails = false;
  }
  const rescue = page.getByRole('dialog', { name: 'Save this token now: it is shown once' });
  await expect(rescue).toBeVisible();
  const token = (await rescue.getByLabel('Token of rescued').inputValue()).trim();
  tokens.push(token);
  expect(await probeStatus(token)).not.toBe(401); // the server made it: it authenticates (403: no tenant.core:read)
  expect(harness.services.audit.entries().filter((entry) => entry.action === 'token_unsaved' && entry.keyName === 'rescued')).toHaveLength(1);
  await look(page, 'token-rescue-dialog');

  await rescue.getByRole('button', { name: 'Copy token' }).click();
  await expect(rescue.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await harness.clipboard.readText()).toBe(token);
  // The one place a token reaches the page besides a reveal: the show-once list, nothing else.
  const carrying = harness.received.filter((payload) => containsSecret(payload, token));
  expect(carrying.length).toBeGreaterThan(0);
  for (const payload of carrying) expect(JSON.parse(payload)).toMatchObject({ ok: true, value: [expect.objectContaining({ remoteName: 'rescued', token })] });

  await rescue.getByRole('button', { name: 'I have saved it' }).click();
  await expect(rescue).toBeHidden();
  await expect.poll(() => harness.services.unsaved.list().length).toBe(0);
  expect(await page.content()).not.toContain(token);
  // Reloading finds nothing waiting: it was forgotten in the main process too.
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Save this token now: it is shown once' })).toHaveCount(0);
  expect(harness.services.keys.find({ tenant: 'demo', name: 'rescued' })).toBeNull();
});

test('a creation whose answer was lost: the create dialog says nobody holds the key, deletes it on the server, and creates it again', async ({ page }) => {
  await openServerKeys(page);
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key on demo' });
  await dialog.getByLabel('Name').fill('lost-answer');
  await dialog.getByLabel(/^View Stores \(/).check();
  // The server makes the key, and its answer (the only one with the token) is lost on the way back.
  await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'POST /api/demo/admin/apiKeys', dropResponse: true }] });
  try {
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dialog.getByRole('alert')).toContainText('The server created "lost-answer"');
  } finally {
    await sandbox.control('DELETE', '/_sandbox/config');
  }
  await expect(dialog.getByRole('alert')).toContainText('the key is live and nobody holds its token, so it serves nobody');
  // What to do, as core words it, with the button that does it.
  const orphan = { code: 'delete-orphan-server-key', tenant: 'demo', name: 'lost-answer' } as const;
  await expect(dialog).toContainText(remedySentence(orphan));
  expect(await serverKey('lost-answer')).toBeDefined();
  expect(harness.services.keys.find({ tenant: 'demo', name: 'lost-answer' })).toBeNull();
  await look(page, 'create-server-key-answer-lost');

  const remedy = dialog.getByRole('button', { name: 'Delete on server…' });
  await remedy.focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Delete lost-answer on demo’s server?' });
  await expect(confirm).toContainText('Nobody holds this key’s token: the server showed it once, in the answer that was lost, and it is gone for good. The key serves nobody, so deleting it stops nothing.');
  // Nothing depends on it: no name to type.
  await expect(confirm.getByRole('textbox')).toHaveCount(0);
  await look(page, 'delete-orphan-server-key-dialog');
  await confirm.getByRole('button', { name: 'Delete on server' }).click();
  await expect(confirm).toBeHidden();
  await expect.poll(() => serverKey('lost-answer')).toBeUndefined();
  // Back in the create dialog: the step is done, and the focus is where it was.
  const done = dialog.getByRole('button', { name: 'Deleted on the server' });
  await expect(done).toHaveAttribute('aria-disabled', 'true');
  await expect(done).toBeFocused();
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, 'lost-answer')).toContainText('demo/lost-answer');
  await expect(row(page, 'lost-answer')).not.toContainText('Token lost');
  tokens.push(await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'demo', name: 'lost-answer' })!));
});

test('a key whose token was lost is marked in the listing, with what to do, and deleted from its row', async ({ page }) => {
  // Made by a creation (here tkv's, through core) whose answer never came back.
  await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'POST /api/demo/admin/apiKeys', dropResponse: true }] });
  try {
    await expect(harness.services.admin.remoteCreate({ tenant: 'demo', name: 'nobody-holds' }, { scopes: ['Stores.Read'] }, { canShowToken: false })).rejects.toThrow(/nobody holds its token/);
  } finally {
    await sandbox.control('DELETE', '/_sandbox/config');
  }
  await openServerKeys(page);
  const orphanRow = row(page, 'nobody-holds');
  await expect(orphanRow).toContainText('Token lost');
  await expect(orphanRow).toContainText('the answer with its token never arrived. Nobody holds it.');
  await expect(orphanRow.getByRole('button', { name: 'Permissions…' })).toHaveCount(0);
  await expect(page.locator('.drift-summary')).toContainText('1 key whose token was lost');
  const section = page.getByRole('region', { name: 'On the server, with nobody holding their token' });
  await expect(section).toContainText('That answer was the only one to carry the token, so it is gone for good: the key serves nobody. Delete it on the server');
  expect(await overflowing(page)).toEqual([]);
  await look(page, 'server-keys-orphaned', { fullPage: true });
  await page.getByRole('group', { name: 'Actions on nobody-holds' }).getByRole('button', { name: 'Delete on server…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete nobody-holds on demo’s server?' });
  await confirm.getByRole('button', { name: 'Delete on server' }).click();
  await expect(confirm).toBeHidden();
  await expect(orphanRow).toHaveCount(0);
  await expect(section).toHaveCount(0);
  expect(await serverKey('nobody-holds')).toBeUndefined();
});

test('a vault entry whose server name is not known is not linked: Link… ties it to a server key no entry uses', async ({ page }) => {
  // Made on the server under one name, stored in the vault under another, the server's name not given.
  const response = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'partner-feed-prod', permissions: ['Pass.Read'] } });
  const { token } = (await response.json()) as { token: string };
  tokens.push(token);
  await harness.services.keys.add({ tenant: 'demo', name: 'partner', secret: token, scopes: ['Pass.Read'] });
  await openServerKeys(page);
  const section = page.getByRole('region', { name: 'In the vault, not linked to a server key' });
  await expect(section).toContainText('The vault does not know these entries’ names on the server, and the server lists no key under their own names: they cannot be compared with the server’s list.');
  await expect(section.getByRole('listitem')).toHaveText([/^demo\/partner\s*Link…$/]);
  await expect(page.locator('.drift-summary')).toContainText('1 vault entry not linked');
  await look(page, 'server-keys-not-linked', { fullPage: true });

  await section.getByRole('button', { name: 'Link demo/partner to its server key…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Link demo/partner to its server key' });
  // The server keys no entry is linked to, with their permissions; never one an entry uses.
  const choice = dialog.getByRole('radio', { name: /^partner-feed-prod/ });
  await expect(choice).toBeVisible();
  await expect(dialog.getByText('Pass.Read', { exact: true })).toBeVisible();
  await expect(dialog.getByRole('radio', { name: /^sandbox-admin/ })).toHaveCount(0);
  await expect(dialog.getByRole('radio', { name: /^crm/ })).toHaveCount(0);
  await choice.check();
  await look(page, 'link-key-dialog');
  await dialog.getByRole('button', { name: 'Link', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, 'partner-feed-prod')).toContainText('demo/partner');
  await expect(section).toHaveCount(0);
  expect(harness.services.keys.find({ tenant: 'demo', name: 'partner' })).toMatchObject({ remoteName: 'partner-feed-prod', remoteNameKnown: true });

  // A check's advice links too: an entry the server does not know by its name, answering 401.
  await harness.services.keys.add({ tenant: 'demo', name: 'ghost', secret: canaryToken(), scopes: ['tenant.core:read'] });
  harness.emit('vault:changed', { reason: 'changed elsewhere' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(section.getByRole('listitem')).toHaveText([/^demo\/ghost\s*Link…$/]);
  await page.keyboard.press('Alt+1');
  await page.getByRole('button', { name: 'Show demo/ghost' }).click();
  const panel = page.getByTestId('key-panel');
  await panel.getByRole('button', { name: 'Check', exact: true }).click();
  const card = panel.locator('section[data-verdict="unauthorized"]');
  await expect(card).toContainText("Give demo/ghost's name on the server, so the vault can compare it with the server's list");
  await card.getByRole('button', { name: 'Link…' }).click();
  const again = page.getByRole('dialog', { name: 'Link demo/ghost to its server key' });
  await expect(again).toBeVisible();
  // The card names the same free server keys the dialog offers (which ones depends on the tests before this one).
  const offered = await again.locator('input[type="radio"][name="server-key"]').evaluateAll((inputs) =>
    inputs.map((input) => (input as HTMLInputElement).value).filter((value) => !value.startsWith('\u0000')),
  );
  await expect(card).toContainText(remedySentence({ code: 'link-server-name', key: { tenant: 'demo', name: 'ghost' }, candidates: offered }));
  // partner-feed-prod is demo/partner's now: no longer offered.
  await expect(again.getByRole('radio', { name: /^partner-feed-prod/ })).toHaveCount(0);
  await expect(again.getByRole('radio', { name: 'Another name' }).or(again.getByRole('textbox', { name: 'Server’s name of the key' }))).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(again).toBeHidden();
  await expect(card.getByRole('button', { name: 'Link…' })).toBeFocused();
});

test('edits permissions, disables, duplicates (disabled by default) and deletes with the name typed', async ({ page }) => {
  await ensureKey('editable', ['Pass.Read', 'Pass.Write']);
  await openServerKeys(page);

  await row(page, 'editable').getByRole('button', { name: 'Permissions…' }).click();
  const edit = page.getByRole('dialog', { name: 'Permissions of editable' });
  await expect(edit.getByLabel(/^Change Pass \(/)).toBeChecked();
  await edit.getByLabel(/^Change Pass \(/).uncheck();
  await look(page, 'edit-server-key-permissions');
  await edit.getByRole('button', { name: 'Save permissions' }).click();
  await expect(edit).toBeHidden();
  await expect.poll(async () => (await serverKey('editable'))?.permissions).toEqual(['Pass.Read']);
  expect(harness.services.keys.find({ tenant: 'demo', name: 'editable' })!.scopes).toEqual(['Pass.Read']);

  await page.getByRole('button', { name: 'Disable editable' }).click();
  await expect.poll(async () => (await serverKey('editable'))?.enabled).toBe(false);
  await expect(row(page, 'editable')).toContainText('Disabled');
  await page.getByRole('button', { name: 'Enable editable' }).click();
  await expect.poll(async () => (await serverKey('editable'))?.enabled).toBe(true);

  await page.getByRole('button', { name: 'More actions on editable' }).click();
  await page.getByRole('menu', { name: 'More actions on editable' }).getByRole('menuitem', { name: 'Duplicate…' }).click();
  const duplicate = page.getByRole('dialog', { name: 'Duplicate editable' });
  await expect(duplicate.getByLabel('Name')).toHaveValue('editable-copy');
  await expect(duplicate.getByLabel(/Enabled at once/)).not.toBeChecked();
  await expect(duplicate.getByLabel(/^View Pass \(/)).toBeChecked();
  await duplicate.getByRole('button', { name: 'Create the copy' }).click();
  await expect(duplicate).toBeHidden();
  expect(await serverKey('editable-copy')).toEqual({ name: 'editable-copy', enabled: false, permissions: ['Pass.Read'] });
  tokens.push(await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'demo', name: 'editable-copy' })!));

  // The admin key in use: its deletion says that the tenant could no longer be managed.
  await page.getByRole('button', { name: 'More actions on sandbox-admin' }).click();
  await page.getByRole('menu', { name: 'More actions on sandbox-admin' }).getByRole('menuitem', { name: 'Delete…' }).click();
  const adminConfirm = page.getByRole('dialog', { name: 'Delete sandbox-admin on the server?' });
  await expect(adminConfirm.getByRole('note')).toContainText('This is the admin key the app uses for demo.');
  await expect(adminConfirm.getByRole('note')).toContainText('cannot be listed, created, edited or rotated here');
  await look(page, 'delete-admin-key-dialog');
  await adminConfirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(adminConfirm).toBeHidden();
  expect(await serverKey('sandbox-admin')).toBeDefined();

  await page.getByRole('button', { name: 'More actions on editable-copy' }).click();
  await page.getByRole('menu', { name: 'More actions on editable-copy' }).getByRole('menuitem', { name: 'Delete…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete editable-copy on the server?' });
  await expect(confirm).toContainText('stop working at once');
  await expect(confirm.getByRole('note')).toHaveCount(0);
  await confirm.getByLabel(/Type editable-copy to confirm/).fill('editable');
  await confirm.getByRole('button', { name: 'Delete key' }).click();
  await expect(confirm.getByText('Type editable-copy to confirm.', { exact: true })).toBeVisible();
  await look(page, 'delete-server-key-dialog');
  await confirm.getByLabel(/Type editable-copy to confirm/).fill('editable-copy');
  await confirm.getByRole('button', { name: 'Delete key' }).click();
  await expect(confirm).toBeHidden();
  await expect(row(page, 'editable-copy')).toHaveCount(0);
  expect(await serverKey('editable-copy')).toBeUndefined();
  expect(harness.services.keys.find({ tenant: 'demo', name: 'editable-copy' })).toBeNull();
});

test('a full rotation: both keys valid during the overlap, the old one 401 after finish', async ({ page }) => {
  await ensureKey('billing', ['tenant.core:read']);
  const oldToken = await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'demo', name: 'billing' })!);
  await openServerKeys(page);
  await page.getByRole('button', { name: 'More actions on billing' }).click();
  await page.getByRole('menuitem', { name: 'Rotate…' }).click();
  await expect(page.getByRole('heading', { name: 'Rotation', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'demo/billing' })).toBeVisible();
  await expect(page.getByLabel('New key name')).toHaveValue(/^billing-\d{8}$/);
  await look(page, 'rotation-start');
  await page.getByRole('button', { name: 'Start rotation' }).click();

  await expect(page.getByText('Both keys work now.')).toBeVisible();
  const both = page.getByRole('region', { name: 'Both keys checked' });
  await expect(both.locator('section[data-verdict="valid"]')).toHaveCount(2);
  await expect(page.getByText(/revoke the old key once logs confirm the new key is used everywhere/)).toBeVisible();
  const newToken = await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'demo', name: 'billing' })!);
  tokens.push(oldToken, newToken);
  expect(newToken).not.toBe(oldToken);
  expect(await probeStatus(oldToken)).toBe(200);
  expect(await probeStatus(newToken)).toBe(200);
  // The vendor's logs, both keys side by side: asked again, the old key answered this test's own probes a moment ago.
  const overlap = page.getByRole('region', { name: 'Is the old key still used?' });
  await overlap.getByRole('button', { name: 'Ask the logs again' }).click();
  await expect(overlap.getByRole('status')).toContainText(/^The old key is still in use: its last request .*, from 127\.0\.0\.1 “node”\. Find what sends it before finishing\.$/);
  await expect(overlap.getByRole('heading', { name: /^New key · billing-\d{8}$/ })).toBeVisible();
  // Both answered this test's probes (user agent “node”); the vault's own checks are left out.
  await expect(overlap.getByRole('table', { name: 'Callers of Old key billing' }).getByRole('row')).toHaveCount(2);
  await expect(overlap.getByRole('table', { name: /^Callers of New key billing-\d{8}$/ }).getByRole('row').nth(1)).toContainText('127.0.0.1node1');
  await expect(overlap.getByText(/^2 requests of the vault’s own checks are left out\.$/)).toBeVisible();
  await look(page, 'rotation-overlap', { fullPage: true });

  // Finishing while it was used within the hour asks first, naming the evidence; Cancel keeps the overlap.
  await page.getByRole('button', { name: 'Finish rotation' }).click();
  const confirmUsed = page.getByRole('dialog', { name: 'The old key is still in use' });
  await expect(confirmUsed).toContainText(/Its last request was .*, from 127\.0\.0\.1 “node”: something still sends “billing”\. Retiring it now stops that integration\./);
  await look(page, 'rotation-finish-in-use-dialog');
  await confirmUsed.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirmUsed).toBeHidden();
  expect(await probeStatus(oldToken)).toBe(200);
  await page.getByRole('button', { name: 'Finish rotation' }).click();
  await confirmUsed.getByRole('button', { name: 'Retire it anyway' }).click();
  await expect(page.getByText(/^Finished: the entry uses/)).toBeVisible();
  await expect(both.locator('section[data-verdict="unauthorized"]')).toHaveCount(1);
  await expect(both).toContainText('401');
  expect(await probeStatus(oldToken)).toBe(401);
  expect(await probeStatus(newToken)).toBe(200);
  await page.getByText(/Journal of this rotation/).click();
  await look(page, 'rotation-finished', { fullPage: true });
  for (const token of [oldToken, newToken]) expect(harness.received.some((payload) => containsSecret(payload, token))).toBe(false);
});

test('a rotation whose new token the keychain refuses shows it once, and the entry keeps its old key', async ({ page }) => {
  await ensureKey('ledger', ['tenant.core:read']);
  const oldToken = await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'demo', name: 'ledger' })!);
  await openServerKeys(page);
  await page.getByRole('button', { name: 'More actions on ledger' }).click();
  await page.getByRole('menuitem', { name: 'Rotate…' }).click();
  await expect(page.getByRole('heading', { name: 'demo/ledger' })).toBeVisible();
  const rescue = page.getByRole('dialog', { name: 'Save this token now: it is shown once' });
  keychainFails = true;
  try {
    await page.getByRole('button', { name: 'Start rotation' }).click();
    await expect(rescue).toBeVisible();
  } finally {
    keychainFails = false;
  }
  const token = (await rescue.getByLabel(/^Token of ledger-/).inputValue()).trim();
  tokens.push(token);
  expect(token).not.toBe(oldToken);
  expect(await probeStatus(token)).toBe(200);
  expect(harness.services.audit.entries().filter((entry) => entry.action === 'token_unsaved' && entry.keyName === 'ledger')).toHaveLength(1);
  await rescue.getByRole('button', { name: 'I have saved it' }).click();
  await expect(rescue).toBeHidden();
  await expect.poll(() => harness.services.unsaved.list().length).toBe(0);
  // The entry still uses its old key; the rotation waits to be resumed or aborted.
  await expect(page.getByRole('alert')).toContainText('could not be stored');
  expect(await harness.services.keys.secretOf(harness.services.keys.find({ tenant: 'demo', name: 'ledger' })!)).toBe(oldToken);
  await page.getByRole('button', { name: 'Abort rotation' }).click();
  await expect(page.getByRole('button', { name: 'Start rotation' })).toBeVisible();
});

test('a rotation interrupted during verify (the main side ended) is resumed from the app when it opens again', async ({ page, browser }) => {
  const service = uniqueService('e2e-crash');
  const first = await startHarness({ service });
  const dataDir = first.dataDir;
  first.services.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  await first.services.keys.add({ tenant: 'demo', name: 'sandbox-admin', secret: sandbox.adminKey('demo'), scopes: ['*'], admin: true });
  const created = await first.services.admin.remoteCreate({ tenant: 'demo', name: 'fragile' }, { scopes: ['tenant.core:read'] }, { canShowToken: false });
  if (created.stored) tokens.push(created.token);
  // The verify probe hangs: the rotation is caught midway.
  await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/demo/admin/config', hang: true }] });
  await first.attach(page);
  await page.goto(first.url);
  await page.keyboard.press('Alt+4');
  await page.getByLabel('Key to rotate').fill('demo/fragile');
  await page.getByRole('button', { name: 'Choose' }).click();
  await page.getByRole('button', { name: 'Start rotation' }).click();
  await expect.poll(() => first.services.rotations.list().at(0)?.step, { timeout: 10_000 }).toBe('created');
  await expect.poll(() => first.services.rotations.listWithJournals()[0]!.journal.some((entry) => entry.step === 'verify' && entry.phase === 'before')).toBe(true);
  await page.close();
  first.crash();
  await sandbox.control('DELETE', '/_sandbox/config');

  const second = await startHarness({ service, dataDir });
  try {
    const context = await browser.newContext();
    const reopened = await context.newPage();
    await second.attach(reopened);
    await reopened.goto(second.url);
    await reopened.keyboard.press('Alt+4');
    const interrupted = reopened.getByRole('region', { name: 'Interrupted rotation of demo/fragile' });
    await expect(interrupted).toBeVisible();
    await expect(interrupted.getByRole('list', { name: 'Journal' })).toContainText('Verify the new key: begun');
    await look(reopened, 'rotation-interrupted');
    await interrupted.getByRole('button', { name: 'Resume' }).click();
    await expect(reopened.getByText('Both keys work now.')).toBeVisible();
    await expect(reopened.getByRole('region', { name: 'Both keys checked' }).locator('section[data-verdict="valid"]')).toHaveCount(2);
    expect(second.services.rotations.list()[0]).toMatchObject({ state: 'overlap', key: { tenant: 'demo', name: 'fragile' } });
    await reopened.getByRole('button', { name: 'Abort: switch back' }).click();
    await expect(reopened.getByRole('button', { name: 'Start rotation' })).toBeVisible();
    await context.close();
  } finally {
    await second.close();
    // The first, crashed, was never closed: its folders go here.
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(first.exportsDir, { recursive: true, force: true });
  }
});
