/**
 * `npm start`: the desktop app, on a fresh machine too. The `electron` package downloads its binary
 * lazily, and electron-vite's preview does not trigger that download: `npm ci && npm start` stopped
 * with "Electron uninstall". This makes sure the binary is there first, downloading it with
 * Electron's own installer, which honours the usual variables of corporate networks
 * (ELECTRON_MIRROR, ELECTRON_CUSTOM_DIR, electron_config_cache, ELECTRON_GET_USE_PROXY with
 * HTTPS_PROXY); ELECTRON_OVERRIDE_DIST_PATH uses an Electron already unpacked elsewhere. Then it runs
 * `electron-vite preview` (which builds the app and starts it), passing its own arguments on.
 *
 *   npm start [-- --skipBuild]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { electronBinary, type ElectronBinary } from '../src-main/core/electron-binary.ts';

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('electron/package.json'));

function ready(found: ElectronBinary): boolean {
  return found.present && (found.override !== null || found.installedVersion === found.version);
}

let found = electronBinary(packageDir);
if (!ready(found)) {
  if (found.override) {
    fail(`ELECTRON_OVERRIDE_DIST_PATH is set, but ${found.binary} does not exist. Point it at the directory that holds an unpacked Electron ${found.version}, or unset it to download one.`);
  }
  console.log(`Downloading Electron ${found.version} for this machine (once; it is kept in node_modules/electron/dist)…`);
  const installed = spawnSync(process.execPath, [path.join(packageDir, 'install.js')], { stdio: 'inherit', env: process.env });
  found = electronBinary(packageDir);
  if (installed.status !== 0 || !ready(found)) {
    fail(
      [
        `Electron ${found.version} could not be downloaded, so the desktop app cannot start (the command line, npx tkv, works without it).`,
        'What to do:',
        '  - On a network that reaches the internet, run npm start again.',
        '  - Behind a corporate proxy: set HTTPS_PROXY (and NO_PROXY) and ELECTRON_GET_USE_PROXY=true.',
        '  - With an internal mirror of Electron releases: set ELECTRON_MIRROR to its URL (ELECTRON_CUSTOM_DIR if its layout differs).',
        `  - With the release zip at hand (electron-v${found.version}-${process.platform}-${process.arch}.zip): put it in the cache directory named by electron_config_cache, or unpack it and set ELECTRON_OVERRIDE_DIST_PATH to that directory.`,
      ].join('\n'),
    );
  }
}

const electronVite = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, ELECTRON_EXEC_PATH: found.binary } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}
