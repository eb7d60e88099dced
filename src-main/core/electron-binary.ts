/**
 * Where the Electron binary of the installed `electron` package is, and whether it is there: the
 * package downloads it lazily (on the first start), so after `npm ci` it is usually missing. Found by
 * reading the package's files, never by loading it (loading it would start the download).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ElectronBinary {
  /** The package's version, which the binary must match. */
  version: string;
  /** Where the binary is, or would be once downloaded. */
  binary: string;
  present: boolean;
  /** The binary's own version, when one is installed (a stale download is not the one wanted). */
  installedVersion: string | null;
  /** Set when ELECTRON_OVERRIDE_DIST_PATH names an Electron of the person's own. */
  override: string | null;
}

/** The executable inside Electron's dist directory, per platform. */
export function electronExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** The binary of the `electron` package installed at `packageDir`. */
export function electronBinary(packageDir: string, env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  const version = (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const pathFile = path.join(packageDir, 'path.txt');
  const executable = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : electronExecutable(platform);
  const override = env.ELECTRON_OVERRIDE_DIST_PATH?.trim() || null;
  const dist = override ?? path.join(packageDir, 'dist');
  const binary = path.join(dist, executable);
  const versionFile = path.join(dist, 'version');
  const installedVersion = fs.existsSync(versionFile) ? fs.readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') : null;
  return { version, binary, present: fs.existsSync(binary), installedVersion, override };
}
