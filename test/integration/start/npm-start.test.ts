// `npm start` on a fresh machine: the Electron binary is fetched when missing (through Electron's own
// installer, which honours ELECTRON_MIRROR), the app starts with it, and where the download cannot
// happen the message says what to do. Electron itself cannot run here: a stand-in binary records how
// it was started, and the download goes to a mirror on loopback.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary, electronExecutable } from '../../../src-main/core/electron-binary.ts';
import { scratchDir } from '../../support/files.ts';
import { startServer, type TestServer } from '../../support/servers.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const scratch = scratchDir('npm-start');
const servers: TestServer[] = [];

function start(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repo, 'build/start.ts'), ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

afterAll(async () => {
  for (const server of servers) await server.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('npm start', () => {
  it('starts the built app with the Electron binary it finds', async () => {
    // An "Electron" that records how it was started, in place of the real binary.
    const dist = path.join(scratch, 'dist');
    const record = path.join(scratch, 'started.json');
    fs.mkdirSync(path.dirname(path.join(dist, electronExecutable(process.platform))), { recursive: true });
    fs.writeFileSync(path.join(dist, electronExecutable(process.platform)), `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd() }));\n`, { mode: 0o755 });
    const run = await start({ ELECTRON_OVERRIDE_DIST_PATH: dist }, ['--skipBuild']);
    expect(run.code, run.output).toBe(0);
    expect(JSON.parse(fs.readFileSync(record, 'utf8'))).toEqual({ args: ['.'], cwd: path.resolve(repo) });
    expect(run.output).not.toMatch(/Electron uninstall/);
  });

  it('says what to do, naming the variables, when an override points nowhere', async () => {
    const run = await start({ ELECTRON_OVERRIDE_DIST_PATH: path.join(scratch, 'nowhere') });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/ELECTRON_OVERRIDE_DIST_PATH is set, but .* does not exist/);
  });

  const installed = electronBinary(packageDir, {}).present;
  if (installed) console.log('[npm start] the download test is skipped: this machine already has the Electron binary, so there is nothing to download');
  it.skipIf(installed)('downloads a missing binary from ELECTRON_MIRROR, and when it cannot, fails saying what to do', async () => {
    const asked: string[] = [];
    const mirror = await startServer((request, response) => {
      asked.push(request.url ?? '');
      response.writeHead(404).end();
    });
    servers.push(mirror);
    const run = await start({ ELECTRON_MIRROR: `${mirror.url}/electron/`, electron_config_cache: path.join(scratch, 'cache'), ELECTRON_GET_NO_PROGRESS: '1' });
    expect(run.code).toBe(1);
    const { version } = electronBinary(packageDir, {});
    expect(asked).toContainEqual(expect.stringMatching(new RegExp(`^/electron/v?${version.replaceAll('.', '\\.')}/electron-v${version.replaceAll('.', '\\.')}-${process.platform}-${process.arch}\\.zip$`)));
    expect(run.output).toMatch(/Downloading Electron/);
    expect(run.output).toMatch(/could not be downloaded, so the desktop app cannot start/);
    for (const variable of ['HTTPS_PROXY', 'ELECTRON_GET_USE_PROXY', 'ELECTRON_MIRROR', 'electron_config_cache', 'ELECTRON_OVERRIDE_DIST_PATH']) expect(run.output).toContain(variable);
    expect(electronBinary(packageDir, {}).present).toBe(false);
  });
});
