// The key table at 50,000 keys: the page never holds, nor draws, more than what is on screen.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { INVENTORY_FILE } from '../../src-main/core/paths.ts';
import { MemorySecretStore } from '../../src-main/core/secrets/memory-secret-store.ts';
import { seedInventory } from '../support/seed-inventory.ts';
import { startHarness, type Harness } from './support/harness.ts';

const KEYS = 50_000;
/** Rows drawn at most, whatever the inventory: a screenful and the margin either side. */
const MAX_ROWS = 60;
let harness: Harness;

test.beforeAll(async () => {
  // The table only reads metadata: secrets in memory spare 50,000 keychain entries.
  harness = await startHarness({ secrets: new MemorySecretStore() });
  seedInventory(path.join(harness.dataDir, INVENTORY_FILE), { keys: KEYS });
});
test.afterAll(async () => {
  await harness.close();
});

test('at 50,000 keys the DOM holds a fixed number of rows, wherever the table is scrolled', async ({ page }) => {
  await harness.attach(page);
  await page.goto(harness.url);
  await expect(page.getByText('50,000 keys', { exact: true })).toBeVisible();
  const table = page.getByTestId('key-table');
  const rows = page.locator('tbody tr[data-index]');
  const drawn = async () => ({ rows: await rows.count(), elements: await page.evaluate(() => document.getElementsByTagName('*').length) });
  const atTop = await drawn();
  expect(atTop.rows).toBeLessThanOrEqual(MAX_ROWS);
  expect(atTop.elements).toBeLessThan(2500);
  await expect(page.getByRole('table', { name: 'Keys' })).toHaveAttribute('aria-rowcount', String(KEYS + 1));

  for (const share of [0.5, 0.999, 0.2]) {
    await table.evaluate((element, to) => (element.scrollTop = (element.scrollHeight - element.clientHeight) * to), share);
    const expected = Math.floor((KEYS - 1) * share);
    // The rows of that place arrive and are drawn; the row numbers say where the table is.
    await expect.poll(async () => Number(await rows.first().getAttribute('aria-rowindex'))).toBeGreaterThan(expected - 60);
    await expect(page.locator('tbody tr.placeholder')).toHaveCount(0);
    const there = await drawn();
    expect(there.rows, `at ${share}`).toBeLessThanOrEqual(MAX_ROWS);
    expect(there.elements, `at ${share}`).toBeLessThan(2500);
  }
  // The end of the table is its last key, as the main process sorts them.
  await table.getByRole('button', { name: /^Show / }).first().focus();
  await page.keyboard.press('End');
  const last = harness.services.keys.page({}, { column: 'name', direction: 'asc' }, KEYS - 1, 1).rows[0]!;
  await expect(page.getByRole('button', { name: `Show ${last.tenant}/${last.name}`, exact: true })).toBeFocused();
  expect((await drawn()).rows).toBeLessThanOrEqual(MAX_ROWS);
});
