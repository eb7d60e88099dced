// Checking keys in the app, as a person does it: the real renderer in Chromium, the real IPC router,
// keychain and SQLite, and the sandbox for a server. Every screen is looked at in both themes.
import { expect, test, type Page } from '@playwright/test';
import { containsSecret, filesContaining } from '../support/files.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';
import { heapSnapshot } from './support/heap.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { look, overflowing, SCREENSHOTS } from './support/look.ts';

let harness: Harness;
let sandbox: TestSandbox;
/** Every token this suite handles, searched for in every IPC result and file at the end. */
const tokens: string[] = [];

async function serverKey(tenant: string, name: string, permissions: string[]): Promise<string> {
  const response = await sandbox.call('POST', `/api/${tenant}/admin/apiKeys`, { key: sandbox.adminKey(tenant), body: { name, permissions } });
  const token = ((await response.json()) as { token: string }).token;
  tokens.push(token);
  return token;
}

/** A key on the server and in the vault, made through the services unless a test made it already. */
async function ensureKey(tenant: string, name: string, permissions: string[], scopes: string[] = permissions): Promise<void> {
  if (harness.services.vault.findKey({ tenant, name })) return;
  await harness.services.vault.addKey({ tenant, name, secret: await serverKey(tenant, name, permissions), scopes });
}

async function open(page: Page): Promise<void> {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByRole('navigation', { name: 'Tenants' })).toBeVisible();
}

/** Adds a key through the UI, as a person pastes one. */
async function addKeyInUi(page: Page, tenant: string, name: string, secret: string, scopes: string): Promise<void> {
  await page.getByRole('button', { name: 'Add key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add key' });
  await dialog.getByLabel('Tenant', { exact: true }).selectOption(tenant);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('API key').fill(secret);
  await dialog.getByLabel('Scopes').fill(scopes);
  await dialog.getByRole('button', { name: 'Store key' }).click();
  await expect(dialog).toBeHidden();
}

test.beforeAll(async () => {
  sandbox = await startTestSandbox({ tenants: ['demo', 'acme'] });
  harness = await startHarness();
  for (const alias of ['demo', 'acme']) harness.services.vault.addTenant({ alias, tenantId: alias, environment: 'custom', baseUrl: sandbox.url });
});

test.afterAll(async () => {
  await harness.close();
  await sandbox.dispose();
});

test('stores a key and checks it: valid, with the probe matching its scopes', async ({ page }) => {
  await open(page);
  await addKeyInUi(page, 'demo', 'crm', await serverKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']), 'tenant.core:read, Pass.Read');
  await page.getByRole('button', { name: 'Check demo/crm' }).click();
  const card = page.getByRole('region', { name: /demo\/crm/ });
  await expect(card).toHaveAttribute('data-verdict', 'valid');
  await expect(card).toContainText('The key is valid: config answered 200, so it authenticates and holds tenant.core:read.');
  await expect(card.getByRole('button', { name: 'Run the scope matrix' })).toBeVisible();
  // The table's badge now shows the judgement.
  await expect(page.locator('tr[data-key="demo/crm"] td.col-judgement [data-verdict="valid"]')).toBeVisible();
  await look(page, 'keys-checked-valid');
});

test('a revoked key reads unauthorized, with next steps a person can act on', async ({ page }) => {
  await open(page);
  await addKeyInUi(page, 'demo', 'revoked', await serverKey('demo', 'revoked', ['tenant.core:read']), 'tenant.core:read');
  await sandbox.call('DELETE', '/api/demo/admin/apiKeys/revoked', { key: sandbox.adminKey('demo') });
  await page.getByRole('button', { name: 'Check demo/revoked' }).click();
  const card = page.getByRole('region', { name: /demo\/revoked/ });
  await expect(card).toHaveAttribute('data-verdict', 'unauthorized');
  await expect(card).toContainText('The server rejected the key (401)');
  await expect(card.getByRole('listitem')).toContainText([/Check that the key was copied whole: its fingerprint is [0-9a-f]{12}/, /Check the tenant id "demo"/, /revoked or disabled key answers 401/, /A 401 never means a missing scope/]);
  await look(page, 'keys-checked-unauthorized');
});

test('a key lacking a scope reads forbidden, and its scope matrix shows the gap', async ({ page }) => {
  await ensureKey('demo', 'narrow', ['tenant.core:read'], ['tenant.core:read', 'Secret.Read']);
  await open(page);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Check' }).click();
  await page.getByLabel('Key', { exact: true }).fill('demo/narrow');
  await page.getByLabel('Probe').selectOption('secrets');
  await page.getByRole('main').getByRole('button', { name: 'Check', exact: true }).click();
  const card = page.getByRole('region', { name: /demo\/narrow/ });
  await expect(card).toHaveAttribute('data-verdict', 'forbidden');
  await expect(card).toContainText('the server and the vault disagree');
  await card.getByRole('button', { name: 'Run the scope matrix' }).click();
  const matrix = page.getByRole('region', { name: 'Scope matrix of demo/narrow' });
  await expect(matrix).toContainText('Declared but denied: Secret.Read');
  await expect(matrix.getByRole('row', { name: /Secret\.Read/ })).toContainText('denied');
  await expect(matrix.getByRole('row', { name: /tenant\.core:read/ })).toContainText('granted');
  await look(page, 'check-forbidden-matrix', { fullPage: true });
});

test('checks every key of two tenants as a job: progress as it arrives, cancel keeps what finished, the summary filters the table', async ({ page }) => {
  for (let i = 0; i < 3; i += 1) await ensureKey('acme', `slow-${i}`, ['tenant.core:read']);
  await ensureKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']);
  const total = harness.services.vault.listKeys().length;
  // acme answers 429 with Retry-After to all but one request every few seconds: its checks wait and retry.
  await sandbox.control('PUT', '/_sandbox/config', { throttle: { tenants: { acme: { capacity: 1, refillPerSecond: 0.3 } } } });
  try {
    await open(page);
    await page.keyboard.press('Alt+2');
    await page.getByRole('tab', { name: 'Every key' }).click();
    await page.getByRole('button', { name: 'Check all' }).click();
    const progress = page.getByRole('progressbar', { name: 'Keys checked' });
    await expect(progress).toBeVisible();
    await expect(page.getByText(new RegExp(`\\d of ${total} checked`))).toBeVisible();
    await expect(page.getByRole('list', { name: 'Keys per verdict' })).toContainText(/valid/);
    await look(page, 'check-bulk-running');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const ended = page.getByText(new RegExp(`Checked \\d+ of ${total} key\\(s\\)`));
    await expect(ended).toBeVisible({ timeout: 30_000 });
    // The summary is what the inventory holds: each verdict's count is the keys whose last check it was.
    const counts = await page.getByRole('list', { name: 'Keys per verdict' }).getByRole('button').allTextContents();
    const keys = harness.services.vault.listKeys();
    for (const text of counts) {
      const [, count, verdict] = /(\d+) ([a-z ]+)$/.exec(text.trim())!;
      expect(keys.filter((key) => key.lastAttempt?.replaceAll('_', ' ') === verdict).length, text).toBe(Number(count));
    }
    await look(page, 'check-bulk-summary');
    await page.getByRole('list', { name: 'Keys per verdict' }).getByRole('button', { name: /valid/ }).first().click();
    await expect(page.getByText(/Keys whose last check was/)).toBeVisible();
    const valid = keys.filter((key) => key.lastAttempt === 'valid').length;
    await expect(page.getByText(`${valid} ${valid === 1 ? 'key' : 'keys'} match`)).toBeVisible();
    await expect(page.locator('tr[data-key]')).toHaveCount(valid);
  } finally {
    await sandbox.control('DELETE', '/_sandbox/config');
  }
});

test('a job outlives its window: reopened, the page finds it and its end', async ({ page }) => {
  for (let i = 0; i < 3; i += 1) await ensureKey('acme', `slow-${i}`, ['tenant.core:read']);
  await sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: 'GET /api/acme/admin/config', latencyMs: 400 }] });
  try {
    await open(page);
    await page.keyboard.press('Alt+2');
    await page.getByRole('tab', { name: 'Every key' }).click();
    await page.getByLabel('Keys of').selectOption('acme');
    await page.getByRole('button', { name: 'Check all' }).click();
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
    await page.reload();
    await page.keyboard.press('Alt+2');
    await page.getByRole('tab', { name: 'Every key' }).click();
    await expect(page.getByRole('progressbar', { name: 'Keys checked' })).toBeVisible();
    await expect(page.getByText('Checked 3 of 3 key(s). Choose a verdict to see its keys.')).toBeVisible({ timeout: 30_000 });
  } finally {
    await sandbox.control('DELETE', '/_sandbox/config');
  }
});

test('a pasted key is checked, named where the vault holds it, and gone from the page afterwards', async ({ page }) => {
  await ensureKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']);
  await open(page);
  const token = await harness.services.vault.revealKey({ tenant: 'demo', name: 'crm' });
  await page.keyboard.press('Alt+2');
  await page.getByRole('tab', { name: 'Pasted key' }).click();
  await page.getByLabel('Environment').selectOption('custom');
  await page.getByLabel('Base URL').fill(sandbox.url);
  // The very key the vault holds for demo, aimed at the wrong tenant.
  await page.getByLabel('Tenant id').fill('acme');
  await page.getByLabel('Key', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Check this key' }).click();
  const card = page.getByRole('region', { name: /acme at / });
  await expect(card).toHaveAttribute('data-verdict', 'unauthorized');
  await expect(card).toContainText('This vault holds this very key as demo/crm — tenant demo, custom.');
  await expect(card.getByRole('button', { name: 'Check demo/crm' })).toBeVisible();
  await expect(page.getByLabel('Key', { exact: true })).toHaveValue('');
  await look(page, 'check-pasted');
  // Nowhere in the page: its DOM, its text, or its JavaScript heap.
  expect(await page.content()).not.toContain(token);
  const heap = await heapSnapshot(page);
  expect(heap.length).toBeGreaterThan(100_000);
  expect(containsSecret(heap, token)).toBe(false);
});

test('copies a check’s report in the main process: a ticket gets the fingerprint, never the key', async ({ page }) => {
  await ensureKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']);
  await open(page);
  await page.getByRole('button', { name: 'Check demo/crm' }).click();
  const card = page.getByRole('region', { name: /demo\/crm/ });
  await card.getByRole('button', { name: 'Copy report' }).click();
  await expect(page.getByRole('status')).toHaveText('The report is on the clipboard. It holds no key: only its fingerprint.');
  const report = await harness.clipboard.readText();
  expect(report).toMatch(/^# Key check: demo\/crm\n/);
  expect(report).toContain(`**Key fingerprint:** \`${harness.services.vault.showKey({ tenant: 'demo', name: 'crm' }).fingerprint}\``);
  for (const token of tokens) expect(containsSecret(report, token)).toBe(false);
});

test('every action works from the keyboard: the palette, shortcuts, and focus that follows', async ({ page }) => {
  await ensureKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']);
  await open(page);
  await page.keyboard.press('Control+K');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Search actions' })).toBeFocused();
  await look(page, 'command-palette');
  await page.keyboard.type('pasted');
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Pasted key' })).toHaveAttribute('aria-selected', 'true');
  // Arrow keys move between the tabs.
  await page.getByRole('tab', { name: 'Pasted key' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Every key' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Every key' })).toHaveAttribute('aria-selected', 'true');
  // Back to the keys, select one with the keyboard, check it with C.
  await page.keyboard.press('Alt+1');
  await page.getByRole('button', { name: 'Show demo/crm' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'demo/crm', level: 2 })).toBeVisible();
  await page.keyboard.press('c');
  await expect(page.getByRole('region', { name: /demo\/crm/ })).toHaveAttribute('data-verdict', 'valid');
  // Shortcuts are shown where the buttons are.
  await expect(page.getByRole('main').getByRole('button', { name: 'Check', exact: true })).toHaveAttribute('title', /\(C\)/);
});

test('stays usable at the window’s minimum size and at 200% zoom', async ({ page }) => {
  await ensureKey('demo', 'crm', ['tenant.core:read', 'Pass.Read']);
  await open(page);
  await page.getByRole('button', { name: 'Show demo/crm' }).click();
  for (const [name, size] of [
    ['minimum-720x480', { width: 720, height: 480 }],
    ['zoom-200', { width: 550, height: 360 }],
  ] as const) {
    await page.setViewportSize(size);
    expect(await overflowing(page), name).toEqual([]);
    await expect(page.getByRole('button', { name: 'Check demo/crm' })).toBeVisible();
    await look(page, `keys-${name}`);
    await page.keyboard.press('Alt+2');
    expect(await overflowing(page), name).toEqual([]);
    await look(page, `check-${name}`);
    await page.keyboard.press('Alt+1');
  }
});

test('no token stored through the app appears in any IPC result or event, nor in any file', async () => {
  // Every key the vault holds (read from the keychain here, in the test), and every token this suite made.
  const held = await Promise.all(harness.services.vault.listKeys().map((key) => harness.services.secrets.get(key.secretAccount)));
  const all = new Set([...tokens, ...held.filter((token): token is string => token !== null)]);
  expect(all.size).toBeGreaterThanOrEqual(4);
  const received = harness.received.join('\n');
  // Reveals are explicit; this suite only used one, in the test process, not through the page.
  harness.services.vault.inventory.db.pragma('wal_checkpoint(PASSIVE)');
  for (const token of all) {
    expect(containsSecret(received, token)).toBe(false);
    expect(filesContaining([harness.dataDir, SCREENSHOTS], token)).toEqual([]);
  }
});

test('an Airwallex account as a tenant: added with its client id, its key checked through the login exchange', async ({ page }) => {
  const client = (await (await sandbox.control('POST', '/_sandbox/airwallex/clients', { permissions: ['balances:read'] })).json()) as { clientId: string; apiKey: string };
  tokens.push(client.apiKey);
  await open(page);
  await page.getByRole('button', { name: 'Add tenant' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add tenant' });
  await dialog.getByLabel('Alias').fill('payments');
  await dialog.getByLabel('Provider').selectOption('airwallex');
  await dialog.getByLabel('Account id').fill('acct_main');
  await dialog.getByLabel('Client id', { exact: true }).fill(client.clientId);
  await dialog.getByLabel('Environment').selectOption('custom');
  await dialog.getByLabel('Base URL').fill(sandbox.url);
  await look(page, 'add-tenant-airwallex-dialog');
  await dialog.getByRole('button', { name: 'Add tenant' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Tenants' }).getByRole('button', { name: /payments/ })).toContainText('Airwallex · acct_main');
  await addKeyInUi(page, 'payments', 'treasury', client.apiKey, 'balances:read');
  await page.getByRole('button', { name: 'Check payments/treasury' }).click();
  await expect(page.locator('section.card[data-verdict="valid"]')).toContainText('balances');
  await expect(page.getByTestId('key-panel')).toContainText(`Airwallex · client id ${client.clientId}`);
  await look(page, 'key-detail-airwallex');
  expect(harness.received.some((payload) => containsSecret(payload, client.apiKey))).toBe(false);
});
