// npm 12 runs a dependency's install scripts only when package.json's allowScripts names it: the
// native modules must be named (or the app and tkv cannot run), and nothing else may be allowed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNativeModules } from '../../support/load-native.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Every installed package that npm counts as having an install-time script: an explicit one, or
 * node-gyp's implicit one for a binding.gyp (npm counts that even where `gypfile` is false).
 */
function packagesWithInstallScripts(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const pkgDir = path.join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        walk(pkgDir);
        continue;
      }
      const manifest = path.join(pkgDir, 'package.json');
      if (fs.existsSync(manifest)) {
        const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; scripts?: Record<string, string> };
        const scripts = pkg.scripts ?? {};
        const implicitGyp = fs.existsSync(path.join(pkgDir, 'binding.gyp'));
        if (pkg.name && (scripts.preinstall || scripts.install || scripts.postinstall || implicitGyp)) found.add(pkg.name);
      }
      if (fs.existsSync(path.join(pkgDir, 'node_modules'))) walk(path.join(pkgDir, 'node_modules'));
    }
  };
  walk(path.join(repo, 'node_modules'));
  return [...found].sort();
}

describe('install', () => {
  it('built both native modules: keytar and better-sqlite3 load and work', () => {
    const loaded = loadNativeModules();
    expect(loaded.keytar).toEqual(['getPassword', 'setPassword', 'deletePassword', 'findCredentials']);
    expect(loaded.sqlite).toMatch(/^3\.\d+\.\d+$/);
  });

  it('allows the install scripts of exactly the packages that need them, and denies the rest by name', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(packagesWithInstallScripts());
    // keytar builds from source; better-sqlite3 ships prebuilt Node-API binaries and loads only those
    // (the test above proves it loads without its build), electron-winstaller is for Squirrel builds.
    expect(Object.entries(pkg.allowScripts).filter(([, allowed]) => allowed).map(([name]) => name)).toEqual(['keytar']);
  });
});
