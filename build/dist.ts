/**
 * `npm run dist`: the installers for this platform (AppImage and .deb on Linux, dmg on macOS, NSIS
 * on Windows), with electron-builder and build/electron-builder.yml, after electron-vite's build.
 *
 * It needs the internet (electron-builder downloads Electron's release zip for the target, and its
 * own packaging tools), and the publisher's identity in package.json: `author` as "Name <email>"
 * (a .deb names its maintainer) and `homepage`. Both are checked before anything is downloaded.
 * No native module is rebuilt (npmRebuild: false): better-sqlite3 and keytar are Node-API modules,
 * whose one binary loads in Node and in Electron alike.
 *
 *   npm run dist [-- electron-builder options, e.g. --linux AppImage]
 *   node build/dist.ts --list     what would be packed (and what unpacked beside the asar), nothing built
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repo = fileURLToPath(new URL('..', import.meta.url));

interface Publisher {
  author?: string | { name?: string; email?: string };
  homepage?: string;
}

/** What is missing from package.json before installers can name their publisher; empty when nothing is. */
export function publisherProblems(pkg: Publisher): string[] {
  const problems: string[] = [];
  const email = typeof pkg.author === 'string' ? /<([^>]+@[^>]+)>/.exec(pkg.author)?.[1] : pkg.author?.email;
  if (!pkg.author) problems.push('"author" is not set: give it as "Name <email>" (a .deb package names its maintainer).');
  else if (!email) problems.push('"author" has no email: give it as "Name <email>" (a .deb package names its maintainer).');
  if (!pkg.homepage) problems.push('"homepage" is not set: the installers link to it.');
  for (const value of [email, pkg.homepage]) if (value && /\.(invalid|example|test)\b/.test(value)) problems.push(`"${value}" is a placeholder: use your organisation's.`);
  return problems;
}

/**
 * The files electron-builder would take into the app, by build/electron-builder.yml's `files`, and
 * the production dependencies it adds from node_modules (as `npm ls --omit=dev` lists them); and
 * which of them go beside the asar (`asarUnpack`, and every native `.node` file, which
 * electron-builder's smart unpack moves out with its whole module).
 */
export function packList(): { files: string[]; modules: string[]; unpacked: string[] } {
  const config = parse(fs.readFileSync(path.join(repo, 'build/electron-builder.yml'), 'utf8')) as { files: string[]; asarUnpack: string[] };
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.posix.join(dir, entry.name);
      return entry.isDirectory() ? walk(relative) : [relative];
    });
  const files = config.files.flatMap((pattern) => (pattern.endsWith('/**') ? walk(pattern.slice(0, -3)) : fs.existsSync(path.join(repo, pattern)) ? [pattern] : [])).sort();
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repo, encoding: 'utf8', shell: process.platform === 'win32' });
  const modules = listed.stdout
    .split('\n')
    .filter((line) => line.includes(`${path.sep}node_modules${path.sep}`))
    .map((line) => path.relative(repo, line).split(path.sep).join('/'))
    .sort();
  const unpacked = modules.flatMap((module) => walk(module).filter((file) => file.endsWith('.node'))).sort();
  return { files, modules, unpacked };
}

function main(args: string[]): number {
  if (args[0] === '--list') {
    const { files, modules, unpacked } = packList();
    console.log(`Packed into app.asar:\n${files.map((file) => `  ${file}`).join('\n')}\n${modules.map((module) => `  ${module}/`).join('\n')}`);
    console.log(`Unpacked beside it (native modules):\n${unpacked.map((file) => `  ${file}`).join('\n')}`);
    return 0;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as Publisher;
  const problems = publisherProblems(pkg);
  if (problems.length > 0) {
    console.error(`Installers name their publisher; package.json does not yet:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSet them, then run npm run dist again. Nothing was built or downloaded.`);
    return 1;
  }
  for (const [command, commandArgs] of [
    ['npx', ['electron-vite', 'build']],
    ['npx', ['electron-builder', '--config', 'build/electron-builder.yml', ...args]],
  ] as const) {
    const result = spawnSync(command, commandArgs, { cwd: repo, stdio: 'inherit', shell: process.platform === 'win32' });
    if (result.status !== 0) {
      if (commandArgs[0] === 'electron-builder') console.error('electron-builder failed. It downloads Electron and its packaging tools from the internet: check the connection (or ELECTRON_MIRROR and HTTPS_PROXY).');
      return result.status ?? 1;
    }
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
