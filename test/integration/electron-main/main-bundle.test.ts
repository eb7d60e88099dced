// The built main process (out/main/index.js), loaded under plain Node with a stand-in for the electron
// module: its wiring is what Electron would get. Electron itself cannot start on these machines; this
// is where a channel left unregistered, a wrong preload path or a loosened window setting shows.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppPaths } from '../../../src-main/core/paths.ts';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/shared/content-security-policy.ts';
import { CHANNELS } from '../../../src-main/shared/contract.ts';
import { electronStandIn, loadWithStandIn, type ElectronRecord } from '../../support/electron-stand-in.ts';
import { scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = path.join(repo, 'out/main/index.js');
const service = uniqueService('main');
const scratch = scratchDir('main-bundle');
const saved = { ...process.env };
let record: ElectronRecord;

async function loadMain(env: Record<string, string | undefined>, home: string, file = bundle): Promise<ElectronRecord> {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const standIn = electronStandIn({ home });
  await loadWithStandIn(file, standIn.module);
  return standIn.record;
}

async function quit(recorded: ElectronRecord): Promise<void> {
  await recorded.appListeners.get('will-quit')?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

beforeAll(async () => {
  if (!fs.existsSync(bundle)) throw new Error('out/main/index.js is missing: run `npm run build` first (npm test does).');
  record = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'data'), TKV_KEYCHAIN_SERVICE: service, ELECTRON_RENDERER_URL: undefined }, path.join(scratch, 'home'));
});

afterAll(async () => {
  await quit(record);
  process.env = saved;
  await clearService(service);
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('the built main process', () => {
  it('registers every contract channel, once', () => {
    expect([...record.handled.keys()].sort()).toEqual([...CHANNELS].sort());
    expect(record.errorBoxes).toEqual([]);
  });

  it('opens one window with every hardening setting, its preload and renderer taken from the build output', () => {
    expect(record.windows).toHaveLength(1);
    const [window] = record.windows;
    expect(window!.options).toMatchObject({ minWidth: 720, minHeight: 480 });
    expect(window!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(window!.options.webPreferences.preload).toBe(path.join(repo, 'out/preload/index.js'));
    expect(fs.existsSync(window!.options.webPreferences.preload as string)).toBe(true);
    expect(window!.loadedUrl).toBe('app://tenant-key-vault/index.html');
    expect(fs.existsSync(path.join(repo, 'out/renderer/index.html'))).toBe(true);
  });

  it('serves the renderer from app:// with the CSP, and nothing outside it', async () => {
    expect(record.privilegedSchemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    const serve = record.protocolHandlers.get('app')!;
    const index = await serve(new Request('app://tenant-key-vault/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<div id="app">');
    for (const outside of ['app://tenant-key-vault/..%2f..%2fpackage.json', 'app://tenant-key-vault/%2e%2e/main/index.js', 'app://elsewhere/index.html']) {
      expect((await serve(new Request(outside))).status, outside).toBe(404);
    }
  });

  it('denies every permission, and opens only allowlisted documentation links outside', () => {
    let granted: boolean | null = null;
    record.permissionRequestHandler!({}, 'media', (allowed: boolean) => (granted = allowed));
    expect(granted).toBe(false);
    expect(record.permissionCheckHandler!({}, 'clipboard-read')).toBe(false);
    const [window] = record.windows;
    expect(window!.windowOpenHandler!({ url: 'https://evil.invalid/' })).toEqual({ action: 'deny' });
    expect(window!.windowOpenHandler!({ url: 'https://docs.thewalletcrew.io/api' })).toEqual({ action: 'deny' });
    expect(record.openedExternally).toEqual(['https://docs.thewalletcrew.io/api']);
    let prevented = false;
    window!.contentsListeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://evil.invalid/');
    expect(prevented).toBe(true);
  });

  it('keeps its data where tkv does: TKV_DATA_DIR, else the same userData directory', async () => {
    expect(record.setPaths.get('userData')).toBe(path.join(scratch, 'data'));
    const home = path.join(scratch, 'other-home');
    await quit(record);
    const defaults = await loadMain({ TKV_DATA_DIR: undefined, XDG_CONFIG_HOME: undefined }, home);
    try {
      expect(defaults.setPaths.get('userData')).toBe(resolveAppPaths({}, process.platform, home).dataDir);
      expect(defaults.setPaths.get('userData')).toBe(path.join(home, '.config', 'Tenant Key Vault'));
      expect(fs.existsSync(path.join(home, '.config', 'Tenant Key Vault', 'inventory.sqlite'))).toBe(true);
    } finally {
      await quit(defaults);
    }
    record = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'data') }, path.join(scratch, 'home'));
  });

  it('is caught when its wiring breaks: a preload path that the build does not have', async () => {
    const doctored = path.join(repo, 'out/main/index.doctored.cjs');
    fs.writeFileSync(doctored, fs.readFileSync(bundle, 'utf8').replace('"../preload/index.js"', '"../preload/missing.js"'));
    try {
      const broken = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'doctored') }, path.join(scratch, 'home'), doctored);
      try {
        expect(fs.existsSync(broken.windows[0]!.options.webPreferences.preload as string)).toBe(false);
      } finally {
        await quit(broken);
      }
    } finally {
      fs.rmSync(doctored);
    }
  });
});
