/**
 * The renderer's JavaScript, gzipped, against its budget: 60 KB. Reads the build output (run
 * `npm run build` first; `npm run bench` and `npm test` do). Exits 1 over budget.
 *
 *   node test/bench/bundle-size.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const BUNDLE_BUDGET_BYTES = 60 * 1024;
const assets = fileURLToPath(new URL('../../out/renderer/assets/', import.meta.url));

/** Each JavaScript file of the built renderer with its size and gzipped size (level 9, as a server would send it). */
export function rendererBundle(): { files: { name: string; bytes: number; gzipped: number; lines: number }[]; gzipped: number } {
  if (!fs.existsSync(assets)) throw new Error('out/renderer is missing: run `npm run build` first.');
  const files = fs
    .readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .map((name) => {
      const code = fs.readFileSync(path.join(assets, name));
      return { name, bytes: code.length, gzipped: zlib.gzipSync(code, { level: 9 }).length, lines: code.toString('utf8').split('\n').length };
    });
  return { files, gzipped: files.reduce((sum, file) => sum + file.gzipped, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bundle = rendererBundle();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const file of bundle.files) console.log(`  ${file.name}: ${kb(file.bytes)}, ${kb(file.gzipped)} gzipped`);
  console.log(`renderer JavaScript: ${kb(bundle.gzipped)} gzipped, budget ${kb(BUNDLE_BUDGET_BYTES)} (${Math.round((bundle.gzipped / BUNDLE_BUDGET_BYTES) * 100)}% used)`);
  if (bundle.gzipped > BUNDLE_BUDGET_BYTES) process.exitCode = 1;
}
