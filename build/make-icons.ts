/**
 * Renders the app icon for the installers from the one source, src-renderer/public/icon.svg: a
 * 1024×1024 PNG, from which electron-builder makes the .icns and .ico itself. It records the SVG's
 * SHA-256 beside the PNG, so a test can tell when the icon was not regenerated after an edit.
 *
 *   npm run icons        (needs Chromium: TKV_CHROMIUM, /usr/bin/chromium, or Playwright's own)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const svgFile = fileURLToPath(new URL('../src-renderer/public/icon.svg', import.meta.url));
const outDir = fileURLToPath(new URL('./icons/', import.meta.url));
const SIZE = 1024;

const svg = fs.readFileSync(svgFile, 'utf8');
const executablePath = process.env.TKV_CHROMIUM ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  const sized = svg.replace('<svg ', `<svg width="${SIZE}" height="${SIZE}" `);
  await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}</style>${sized}`);
  fs.mkdirSync(outDir, { recursive: true });
  await page.locator('svg').screenshot({ path: `${outDir}icon.png`, omitBackground: true });
  fs.writeFileSync(`${outDir}SOURCE`, `${createHash('sha256').update(svg).digest('hex')}  src-renderer/public/icon.svg\n`);
  console.log(`wrote build/icons/icon.png (${SIZE}×${SIZE}) from src-renderer/public/icon.svg`);
} finally {
  await browser.close();
}
