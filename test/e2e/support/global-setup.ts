/** Builds what the browser tests load: the renderer and the preload (if absent), and the page bridge. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** Builds the bridge; the returned function (Playwright's teardown) removes it again. */
export default async function globalSetup(): Promise<() => void> {
  if (!fs.existsSync(path.join(repo, 'out/renderer/index.html')) || !fs.existsSync(path.join(repo, 'out/preload/index.js'))) {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: repo, stdio: 'inherit' });
  }
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tkv-bridge-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: path.join(repo, 'test/e2e/support/page-bridge.ts'), formats: ['iife'], name: 'tkvBridge', fileName: () => 'bridge.js' },
    },
  });
  process.env.TKV_BRIDGE_SCRIPT = path.join(outDir, 'bridge.js');
  return () => fs.rmSync(outDir, { recursive: true, force: true });
}
