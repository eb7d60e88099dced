/**
 * The renderer's JavaScript heap with the key table open, per inventory: the real renderer in
 * Chromium on the e2e harness (real IPC router and SQLite; secrets in memory), the table scrolled
 * through from top to bottom so that every part of it was drawn once, then a full garbage
 * collection before the heap is read. Needs a Chromium (TKV_CHROMIUM, /usr/bin/chromium or
 * Playwright's); says why it skipped without one. Run in a process of its own by the benchmark:
 *
 *   node test/e2e/support/renderer-heap.ts DATA_DIR… → one line of JSON (HeapFigures)
 */
import fs from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { MemorySecretStore } from '../../../src-main/core/secrets/memory-secret-store.ts';
import globalSetup from './global-setup.ts';
import { startHarness } from './harness.ts';
import { heapUsed } from './heap.ts';

export interface HeapFigures {
  skipped: string | null;
  bytes: number[];
  rows: number[];
  elements: number[];
}

const CHROMIUM = process.env.TKV_CHROMIUM ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function scrollThrough(page: Page): Promise<void> {
  const table = page.getByTestId('key-table');
  for (const share of [0.25, 0.5, 0.75, 1, 0.5, 0]) {
    await table.evaluate((element, to) => (element.scrollTop = (element.scrollHeight - element.clientHeight) * to), share);
    // The rows of that place are drawn once their page arrives.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-key]').length > 0 && document.querySelectorAll('tbody tr.placeholder').length === 0);
  }
}

/** The heap (bytes), drawn rows and DOM elements of the page showing each inventory in `dirs`. */
export async function measureRendererHeaps(dirs: string[]): Promise<HeapFigures> {
  let browser;
  try {
    browser = await chromium.launch({ ...(CHROMIUM ? { executablePath: CHROMIUM } : {}), args: ARGS });
  } catch (error) {
    return { skipped: `no Chromium to run the renderer in (${(error as Error).message.split('\n')[0]})`, bytes: [], rows: [], elements: [] };
  }
  const teardown = await globalSetup();
  const figures: HeapFigures = { skipped: null, bytes: [], rows: [], elements: [] };
  try {
    for (const dataDir of dirs) {
      const harness = await startHarness({ dataDir, secrets: new MemorySecretStore() });
      const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
      try {
        await harness.attach(page);
        await page.goto(harness.url);
        await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-key]').length > 0);
        await scrollThrough(page);
        figures.bytes.push(await heapUsed(page));
        figures.rows.push(await page.locator('tbody tr[data-index]').count());
        figures.elements.push(await page.evaluate(() => document.getElementsByTagName('*').length));
      } finally {
        await page.close();
        await harness.close();
      }
    }
  } finally {
    await browser.close();
    teardown();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureRendererHeaps(process.argv.slice(2))));
}
