/**
 * The renderer's JavaScript, gzipped. Its budget, 60 KB, is on what the window reads at startup (the
 * entry chunk and what it imports statically); screens opened later load their own chunk when first
 * opened, each within 20 KB. Reads the build output and its manifest (run `npm run build` first;
 * `npm run bench` and `npm test` do). Exits 1 over budget.
 *
 *   node test/bench/bundle-size.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const BUNDLE_BUDGET_BYTES = 60 * 1024;
export const LAZY_CHUNK_BUDGET_BYTES = 20 * 1024;
const out = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export interface BundleFile {
  name: string;
  bytes: number;
  gzipped: number;
  lines: number;
  /** Read at startup (the entry and its static imports), or only when a screen first opens. */
  startup: boolean;
}

/** Each JavaScript file of the built renderer with its sizes, and the gzipped total read at startup. */
export function rendererBundle(): { files: BundleFile[]; gzipped: number; startupGzipped: number } {
  const manifestFile = path.join(out, '.vite', 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error('out/renderer (or its manifest) is missing: run `npm run build` first.');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>;
  const startup = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || startup.has(chunk.file)) return;
    startup.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const assets = path.join(out, 'assets');
  const files = fs
    .readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .map((name) => {
      const code = fs.readFileSync(path.join(assets, name));
      return { name, bytes: code.length, gzipped: zlib.gzipSync(code, { level: 9 }).length, lines: code.toString('utf8').split('\n').length, startup: startup.has(`assets/${name}`) };
    });
  const sum = (list: BundleFile[]) => list.reduce((total, file) => total + file.gzipped, 0);
  return { files, gzipped: sum(files), startupGzipped: sum(files.filter((file) => file.startup)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bundle = rendererBundle();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const file of bundle.files) console.log(`  ${file.name}: ${kb(file.bytes)}, ${kb(file.gzipped)} gzipped${file.startup ? ' (startup)' : ' (loaded when its screen opens)'}`);
  console.log(`renderer JavaScript at startup: ${kb(bundle.startupGzipped)} gzipped, budget ${kb(BUNDLE_BUDGET_BYTES)} (${Math.round((bundle.startupGzipped / BUNDLE_BUDGET_BYTES) * 100)}% used); all chunks: ${kb(bundle.gzipped)}`);
  const lazyOver = bundle.files.filter((file) => !file.startup && file.gzipped > LAZY_CHUNK_BUDGET_BYTES);
  for (const file of lazyOver) console.log(`  ${file.name} is over the ${kb(LAZY_CHUNK_BUDGET_BYTES)} budget of a screen's chunk`);
  if (bundle.startupGzipped > BUNDLE_BUDGET_BYTES || lazyOver.length > 0) process.exitCode = 1;
}
