/**
 * Looking at a screen as a person would, in both themes: a screenshot of each (test-results/
 * screenshots/<name>-light.png and -dark.png, to be opened and judged), and axe-core's scan of each,
 * which must find no serious or critical violation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

/** The serious and critical violations axe-core finds on the page as it is. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join('; ')}`);
}

/** Screenshots in light and dark, each theme scanned by axe-core; the page is left in light. */
export async function look(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    // Let the theme and any opening animation settle before the picture.
    await page.waitForTimeout(120);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${scheme}.png`), fullPage: options.fullPage ?? false });
    expect(await accessibilityProblems(page), `${name} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * What sticks out of the window sideways (the whole page would scroll): the elements wider than the
 * window, or none. Scroll containers of their own (a wide table) are fine.
 */
export async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
    return [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} (${Math.round(element.getBoundingClientRect().right)}px)`);
  });
}

/**
 * What the key table cuts: a header or cell whose text overflows it (a date ending in "…"), a cell
 * hidden under the sticky Check column or past the frame's edge, a scope chip cut by its cell. The
 * name column may shorten a long name (its full name is its title and the panel's heading). None,
 * when every column shown is shown whole.
 */
export async function cutInKeyTable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const table = document.querySelector<HTMLElement>('[data-testid="key-table"]');
    if (!table) return ['no key table'];
    const frame = table.getBoundingClientRect();
    const edge = Math.min(frame.left + table.clientWidth, table.querySelector('th.col-actions')?.getBoundingClientRect().left ?? Infinity);
    const problems: string[] = [];
    for (const cell of table.querySelectorAll<HTMLElement>('thead th, tbody tr[data-key] td')) {
      if (cell.classList.contains('col-name')) continue;
      const what = `${cell.className.split(' ')[0] ?? ''} "${cell.innerText.trim().slice(0, 40)}"`;
      const box = cell.getBoundingClientRect();
      if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`${what}: its text overflows the cell`);
      if (!cell.classList.contains('col-actions') && box.right > edge + 1) problems.push(`${what}: under the Check column or past the frame`);
      for (const chip of cell.querySelectorAll<HTMLElement>('.scope, .badge, .soon')) {
        if (chip.getBoundingClientRect().right > box.right + 0.5) problems.push(`${what}: "${chip.innerText}" cut by its cell`);
      }
    }
    return problems;
  });
}
