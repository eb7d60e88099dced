// The built main process (out/main/index.js), loaded under plain Node with the stand-in electron
// module (test/support/electron-stand-in.ts, which follows Electron 45's documentation): a first
// session is driven through the very handlers index.ts registers, with the frames Electron passes.
// Electron itself cannot start on these machines; this is where the app's own page being refused,
// a channel left unregistered, a loosened window or a quit that leaves the inventory open shows.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppPaths } from '../../../src-main/core/paths.ts';
import { createServices } from '../../../src-main/core/services.ts';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/shared/content-security-policy.ts';
import { CHANNELS } from '../../../src-main/shared/contract.ts';
import type { Result } from '../../../src-main/shared/errors.ts';
import { electronEvent, electronStandIn, loadWithStandIn, type StandIn } from '../../support/electron-stand-in.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { WebFrameStandIn } from '../../support/web-frame.ts';
import { startTestSandbox } from '../../support/sandbox.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = path.join(repo, 'out/main/index.js');
const APP_PAGE = 'app://tenant-key-vault/index.html';
const service = uniqueService('main');
const scratch = scratchDir('main-bundle');
const saved = { ...process.env };
/**
 * Each vault of its own data directory gets a keychain service of its own: a fresh inventory beside
 * another vault's secrets is what an emptied one looks like, and the app would rightly stop on it.
 */
const services: string[] = [];
function ownService(label: string): string {
  const name = uniqueService(label);
  services.push(name);
  return name;
}
let main: Loaded;

interface Loaded extends StandIn {
  /** The top frame of the app's one window. */
  frame: WebFrameStandIn;
  call<T = unknown>(channel: string, input?: unknown, frame?: WebFrameStandIn | null): Promise<Result<T>>;
}

async function loadMain(env: Record<string, string | undefined>, home: string, options: { file?: string; onExit?: () => void; answer?: (box: { buttons: string[]; cancelId?: number }) => number } = {}): Promise<Loaded> {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const standIn = electronStandIn({ home, ...(options.onExit ? { onExit: options.onExit } : {}), ...(options.answer ? { answer: options.answer } : {}) });
  await loadWithStandIn(options.file ?? bundle, standIn.module);
  // Opening the vault is asynchronous (the keychain is asked whether the inventory lost its past);
  // then the page's load (the app's protocol answering) finishes on the next turns.
  for (let waited = 0; standIn.record.windows.length === 0 && !standIn.record.exited && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const frame = standIn.record.windows[0]?.webContents.mainFrame as WebFrameStandIn;
  return {
    ...standIn,
    frame,
    call: <T,>(channel: string, input?: unknown, from: WebFrameStandIn | null = frame) => standIn.invoke(channel, from, ...(input === undefined ? [] : [input])) as Promise<Result<T>>,
  };
}

/** Quits as Electron does, and waits for the moment the process would have ended. */
async function quit(standIn: StandIn): Promise<void> {
  standIn.app.quit();
  for (let waited = 0; !standIn.record.exited && waited < 15_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!standIn.record.exited) throw new Error('the app did not end within 15 s of app.quit()');
}

beforeAll(async () => {
  main = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'data'), TKV_KEYCHAIN_SERVICE: service, ELECTRON_RENDERER_URL: undefined, TKV_DEVTOOLS: undefined }, path.join(scratch, 'home'));
});

afterAll(async () => {
  if (!main.record.exited) await quit(main);
  process.env = saved;
  for (const name of [service, ...services]) await clearService(name);
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('the built main process', () => {
  it('registers every contract channel, once', () => {
    expect([...main.record.handled.keys()].sort()).toEqual([...CHANNELS].sort());
    expect(main.record.errorBoxes).toEqual([]);
  });

  it('opens one window with every hardening setting, DevTools off, its preload and page taken from the build output', () => {
    expect(main.record.windows).toHaveLength(1);
    const [window] = main.record.windows;
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
      devTools: false,
    });
    expect(window!.options.webPreferences.preload).toBe(path.join(repo, 'out/preload/index.js'));
    expect(fs.existsSync(window!.options.webPreferences.preload as string)).toBe(true);
    // The page loaded through the app's own protocol handler, at the URL Electron reports for the frame.
    expect(window!.loaded).toEqual({ url: APP_PAGE, outcome: 'loaded', error: null });
    const { frame } = main as Loaded;
    expect([frame.url, frame.origin]).toEqual([APP_PAGE, 'app://tenant-key-vault']);
  });

  it('answers a first session from the app’s own page: app info, tenants, a page of keys, the sandbox', async () => {
    const loaded = main;
    expect(await loaded.call('app:info')).toMatchObject({ ok: true, value: { keychainService: service, dataDir: path.join(scratch, 'data') } });
    expect(await loaded.call('tenants:list')).toEqual({ ok: true, value: [] });
    expect(await loaded.call('keys:page', { query: {}, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 100 })).toMatchObject({ ok: true, value: { rows: [] } });
    const started = await loaded.call<{ running: boolean; url: string; tenant: string }>('sandbox:start');
    expect(started).toMatchObject({ ok: true, value: { running: true, tenant: 'sandbox', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) } });
    expect(await loaded.call('tenants:list')).toMatchObject({ ok: true, value: [{ alias: 'sandbox', sandbox: true }] });
    const page = await loaded.call<{ rows: { tenant: string; name: string }[] }>('keys:page', { query: { tenant: 'sandbox' }, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 100 });
    expect(page.ok && page.value.rows.length).toBeGreaterThan(0);
    // The window was told, as Electron's webContents.send delivers it.
    expect(main.record.windows[0]!.webContents.sent.map(([event]) => event)).toContain('vault:changed');
  });

  it('refuses a foreign page, a look-alike host, a subframe, another window’s frame and a null frame', async () => {
    const loaded = main;
    const refused = { ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } };
    expect(await loaded.call('tenants:list', undefined, new WebFrameStandIn('https://evil.example/'))).toEqual(refused);
    expect(await loaded.call('tenants:list', undefined, new WebFrameStandIn(APP_PAGE, loaded.frame))).toEqual(refused);
    expect(await loaded.call('tenants:list', undefined, new WebFrameStandIn(APP_PAGE))).toEqual(refused);
    expect(await loaded.call('tenants:list', undefined, null)).toEqual(refused);
    // The app's own window, had it been navigated to a look-alike or foreign page.
    for (const elsewhere of ['app://tenant-key-vault.evil/index.html', 'app://tenant-key-vault@evil/index.html', 'https://tenant-key-vault/index.html', 'file:///etc/passwd']) {
      loaded.frame.navigate(elsewhere);
      try {
        expect(await loaded.call('tenants:list'), elsewhere).toEqual(refused);
      } finally {
        loaded.frame.navigate(APP_PAGE);
      }
    }
    expect(await loaded.call('tenants:list')).toMatchObject({ ok: true });
  });

  it('serves the renderer from app:// with the CSP and real MIME types; a missing asset, a traversal or another host is a 404', async () => {
    expect(main.record.privilegedSchemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    const serve = main.record.protocolHandlers.get('app')!;
    const index = await serve(new Request(APP_PAGE));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await index.text();
    expect(html).toContain('<div id="app">');
    // Every script and style the page names is served with its type (nosniff refuses anything else).
    const assets = [...html.matchAll(/(?:src|href)="\.?(\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(1);
    for (const asset of assets) {
      const response = await serve(new Request(`app://tenant-key-vault${asset}`));
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : asset.endsWith('.css') ? /^text\/css/ : /^image\//);
    }
    for (const missing of ['app://tenant-key-vault/assets/missing.js', 'app://tenant-key-vault/..%2f..%2fpackage.json', 'app://tenant-key-vault/%2e%2e/main/index.js', 'app://elsewhere/index.html', 'app://tenant-key-vault/%E0%A4%A']) {
      expect((await serve(new Request(missing))).status, missing).toBe(404);
    }
  });

  it('keeps the window on its page: no navigation or redirect elsewhere, no frame navigation, no new window', () => {
    const [window] = main.record.windows;
    const contents = window!.webContents;
    const navigate = (event: string, fields: Record<string, unknown>) => {
      const payload = electronEvent(fields);
      contents.emit(event, payload);
      return payload.defaultPrevented;
    };
    expect(navigate('will-frame-navigate', { url: 'https://evil.invalid/', isMainFrame: true })).toBe(true);
    expect(navigate('will-frame-navigate', { url: 'app://tenant-key-vault.evil/index.html', isMainFrame: true })).toBe(true);
    expect(navigate('will-frame-navigate', { url: APP_PAGE, isMainFrame: false })).toBe(true);
    expect(navigate('will-frame-navigate', { url: `${APP_PAGE}#keys`, isMainFrame: true })).toBe(false);
    expect(navigate('will-redirect', { url: 'https://evil.invalid/', isMainFrame: true })).toBe(true);
    expect(window!.webContents.windowOpenHandler!({ url: 'https://evil.invalid/' })).toEqual({ action: 'deny' });
    expect(window!.webContents.windowOpenHandler!({ url: 'https://docs.thewalletcrew.io/api' })).toEqual({ action: 'deny' });
    expect(main.record.openedExternally).toEqual(['https://docs.thewalletcrew.io/api']);
  });

  it('brings its window to the front when started a second time, instead of opening another vault', () => {
    const [window] = main.record.windows;
    const before = window!.focused;
    main.app.emit('second-instance', electronEvent(), ['tenant-key-vault'], '/');
    expect(window!.focused).toBe(before + 1);
    expect(main.record.windows).toHaveLength(1);
  });

  it('denies every permission', () => {
    let granted: boolean | null = null;
    main.record.permissionRequestHandler!({}, 'media', (allowed: boolean) => (granted = allowed));
    expect(granted).toBe(false);
    expect(main.record.permissionCheckHandler!({}, 'clipboard-read')).toBe(false);
  });

  it('closes the inventory, cancels a running job and stops the sandbox before the process ends, though Electron does not await quit listeners', async () => {
    // A server that answers slowly, so that a bulk check is still running when the app quits.
    const slow = http.createServer((_request, response) => void setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 3_000));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const dataDir = path.join(scratch, 'quitting');
    const wal = path.join(dataDir, 'inventory.sqlite-wal');
    let atExit: { walPresent: boolean; sandboxListening: boolean } | null = null;
    let sandboxPort = 0;
    const quitting = await loadMain({ TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: ownService('quitting') }, path.join(scratch, 'home'), {
      // What is true at the instant Electron would end the process; nothing after it counts.
      onExit: () => {
        const probe = spawnSync(process.execPath, ['-e', `require('node:net').connect(${sandboxPort}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`]);
        atExit = { walPresent: fs.existsSync(wal), sandboxListening: probe.status === 0 };
      },
    });
    try {
      const started = await quitting.call<{ url: string }>('sandbox:start');
      sandboxPort = Number(new URL(started.ok ? started.value.url : 'http://x:0').port);
      expect(sandboxPort).toBeGreaterThan(0);
      const port = (slow.address() as AddressInfo).port;
      expect(await quitting.call('tenants:add', { alias: 'slow', tenantId: 'slow', environment: 'custom', baseUrl: `http://127.0.0.1:${port}` })).toMatchObject({ ok: true });
      expect(await quitting.call('keys:add', { tenant: 'slow', name: 'crm', secret: canaryToken(), scopes: ['tenant.core:read'] })).toMatchObject({ ok: true });
      const job = await quitting.call<{ id: string }>('checks:start-bulk', {});
      expect(job).toMatchObject({ ok: true });
      expect(await quitting.call('jobs:list')).toMatchObject({ ok: true, value: [{ state: 'running' }] });
      expect(fs.existsSync(wal)).toBe(true);

      await quit(quitting);
      expect(atExit).toEqual({ walPresent: false, sandboxListening: false });
      expect(quitting.record.exited).toMatchObject({ code: 0 });
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('reports a page that does not load, instead of leaving a hidden window', async () => {
    const doctored = path.join(repo, 'out/main/index.doctored.cjs');
    fs.writeFileSync(doctored, fs.readFileSync(bundle, 'utf8').replace('"../renderer"', '"../renderer-missing"'));
    try {
      const broken = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'broken'), TKV_KEYCHAIN_SERVICE: ownService('broken') }, path.join(scratch, 'home'), { file: doctored });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(broken.record.windows[0]!.loaded).toMatchObject({ outcome: 'failed' });
      expect(broken.record.errorBoxes).toEqual([expect.stringMatching(/page did not load \(ERR_FILE_NOT_FOUND \(-6\) loading 'app:\/\/tenant-key-vault\/index\.html'\)/)]);
      await quit(broken);
    } finally {
      fs.rmSync(doctored);
    }
  });

  it('keeps its data where tkv does (TKV_DATA_DIR, else the same userData directory), and opens DevTools only when asked', async () => {
    expect(main.record.setPaths.get('userData')).toBe(path.join(scratch, 'data'));
    const home = path.join(scratch, 'other-home');
    const defaults = await loadMain({ TKV_DATA_DIR: undefined, XDG_CONFIG_HOME: undefined, TKV_DEVTOOLS: '1', TKV_KEYCHAIN_SERVICE: ownService('defaults') }, home);
    try {
      expect(defaults.record.setPaths.get('userData')).toBe(resolveAppPaths({}, process.platform, home).dataDir);
      expect(defaults.record.setPaths.get('userData')).toBe(path.join(home, '.config', 'Tenant Key Vault'));
      expect(fs.existsSync(path.join(home, '.config', 'Tenant Key Vault', 'inventory.sqlite'))).toBe(true);
      expect(defaults.record.windows[0]!.options.webPreferences.devTools).toBe(true);
    } finally {
      await quit(defaults);
    }
  });

  it('quits when nothing is running too: the second quit is not swallowed by the first', async () => {
    const idle = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'idle'), TKV_DEVTOOLS: undefined, TKV_KEYCHAIN_SERVICE: ownService('idle') }, path.join(scratch, 'home'));
    await quit(idle);
    expect(idle.record.exited).toMatchObject({ code: 0 });
  });

  it('an emptied inventory beside this vault’s secrets: asks before any window opens, never opens it as a new vault, restores the newest backup when asked', async () => {
    const dataDir = path.join(scratch, 'emptied');
    const inventory = path.join(dataDir, 'inventory.sqlite');
    const env = { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: ownService('emptied'), TKV_DEVTOOLS: undefined };
    // A vault with a key, closed the way tkv closes it: its daily backup is taken then.
    const before = createServices({ actor: 'cli', env: { ...process.env, ...env }, home: path.join(scratch, 'home') });
    before.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
    await before.keys.add({ tenant: 'acme', name: 'crm', secret: canaryToken(), scopes: ['Pass.Read'] });
    await before.close();
    expect(before.backups()).toHaveLength(1);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${inventory}${suffix}`, { force: true });
    fs.writeFileSync(inventory, '');

    const declined = await loadMain(env, path.join(scratch, 'home'), { answer: (box) => box.buttons.indexOf('Quit') });
    for (let waited = 0; !declined.record.exited && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(declined.record.windows).toHaveLength(0);
    expect(declined.record.exited).not.toBeNull();
    const [box] = declined.record.messageBoxes;
    expect(box).toMatchObject({ type: 'error', message: 'The inventory lost its keys.', buttons: [expect.stringMatching(/^Restore the backup of \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/), 'Quit'], cancelId: 1 });
    expect(box!.detail).toContain(`Inventory lost: 1 secret of this vault is in the keychain (service "${env.TKV_KEYCHAIN_SERVICE}"), but the inventory at ${inventory} lists no key`);
    expect(box!.detail).toContain('restoring keeps the current file aside, it deletes nothing');

    const restored = await loadMain(env, path.join(scratch, 'home'), { answer: (box) => (box.buttons[0]!.startsWith('Restore') ? 0 : box.cancelId ?? 0) });
    try {
      expect(restored.record.messageBoxes).toHaveLength(1);
      expect(restored.record.windows).toHaveLength(1);
      expect(await restored.call('keys:page', { query: {}, sort: { column: 'name', direction: 'asc' }, offset: 0, limit: 10 })).toMatchObject({ ok: true, value: { rows: [{ tenant: 'acme', name: 'crm' }] } });
      // The emptied file was kept aside, not deleted.
      expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('inventory.sqlite.replaced-'))).not.toHaveLength(0);
    } finally {
      await quit(restored);
    }
  });

  it('keeps watch in the background: a key that turned unauthorized is told once through the OS, not again until it changes; a click shows the Watch screen', async () => {
    const sandbox = await startTestSandbox({ tenants: ['demo'] });
    const home = path.join(scratch, 'home');
    const watching = await loadMain({ TKV_DATA_DIR: path.join(scratch, 'watching'), TKV_KEYCHAIN_SERVICE: ownService('watching'), TKV_DEVTOOLS: undefined, TKV_WATCH_FIRST_ROUND_MS: '100', TKV_WATCH_EVERY_MS: '150' }, home);
    const until = async (what: string, done: () => boolean) => {
      for (let waited = 0; !done(); waited += 25) {
        if (waited > 10_000) throw new Error(`waited 10 s for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const setEnabled = async (enabled: boolean) => expect((await sandbox.call('PUT', '/api/demo/admin/apiKeys/crm', { key: sandbox.adminKey('demo'), body: { enabled, permissions: ['tenant.core:read'] } })).status).toBe(200);
    try {
      const created = await sandbox.call('POST', '/api/demo/admin/apiKeys', { key: sandbox.adminKey('demo'), body: { name: 'crm', permissions: ['tenant.core:read'], enabled: false } });
      const { token } = (await created.json()) as { token: string };
      expect(await watching.call('tenants:add', { alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url })).toMatchObject({ ok: true });
      expect(await watching.call('keys:add', { tenant: 'demo', name: 'crm', secret: token, scopes: ['tenant.core:read'] })).toMatchObject({ ok: true });
      // A round finds the key never judged, checks it (401), and tells the OS: the key's name and what happened, never its secret.
      await until('the first notification', () => watching.record.notifications.length > 0);
      expect(watching.record.notifications.map(({ title, body }) => ({ title, body }))).toEqual([{ title: 'demo/crm: refused (401)', body: expect.stringMatching(/^refused by the server \(401: missing, invalid or revoked\) when last judged, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/) }]);
      // Rounds go on (every 150 ms here); the same news is not told again.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(watching.record.notifications).toHaveLength(1);
      const status = await watching.call<{ items: { attention: { kind: string }; isNew: boolean; notifiedAt: string | null }[]; unseen: number; lastRoundAt: string | null }>('watch:status');
      expect(status).toMatchObject({ ok: true, value: { unseen: 1, items: [{ attention: { kind: 'unauthorized', key: { tenant: 'demo', name: 'crm' } }, isNew: true, notifiedAt: expect.any(String) }], lastRoundAt: expect.any(String) } });
      // Clicking it brings the window forward on the Watch screen.
      const focusedBefore = watching.record.windows[0]!.focused;
      watching.record.notifications[0]!.click();
      expect(watching.record.windows[0]!.focused).toBe(focusedBefore + 1);
      expect(watching.record.windows[0]!.webContents.sent.map(([event]) => event)).toContain('watch:open');
      expect(await watching.call('watch:seen')).toMatchObject({ ok: true, value: { unseen: 0 } });

      // The key recovers (checked by hand), and fails again later: that is news, told again.
      await setEnabled(true);
      expect(await watching.call('checks:run', { key: { tenant: 'demo', name: 'crm' } })).toMatchObject({ ok: true, value: { result: { verdict: 'valid' } } });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await watching.call('watch:status')).toMatchObject({ ok: true, value: { items: [], cleared: [{ attention: { kind: 'unauthorized' } }] } });
      await setEnabled(false);
      expect(await watching.call('checks:run', { key: { tenant: 'demo', name: 'crm' } })).toMatchObject({ ok: true, value: { result: { verdict: 'unauthorized' } } });
      await until('the second notification', () => watching.record.notifications.length > 1);
      expect(watching.record.notifications.map(({ title }) => title)).toEqual(['demo/crm: refused (401)', 'demo/crm: refused (401)']);
      // Snoozed, a key's news waits: it is listed on the Watch screen, not told.
      expect(await watching.call('watch:snooze', { key: { tenant: 'demo', name: 'crm' }, days: 7 })).toMatchObject({ ok: true });
      await setEnabled(true);
      await watching.call('checks:run', { key: { tenant: 'demo', name: 'crm' } });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await watching.call('watch:status')).toMatchObject({ ok: true, value: { items: [] } });
      await setEnabled(false);
      await watching.call('checks:run', { key: { tenant: 'demo', name: 'crm' } });
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(watching.record.notifications).toHaveLength(2);
      expect(await watching.call('watch:status')).toMatchObject({ ok: true, value: { items: [{ attention: { kind: 'unauthorized' }, notifiedAt: null, snoozedUntil: expect.any(String) }] } });
      for (const notice of watching.record.notifications) expect(`${notice.title} ${notice.body}`).not.toContain(token);
    } finally {
      await quit(watching);
      delete process.env.TKV_WATCH_FIRST_ROUND_MS;
      delete process.env.TKV_WATCH_EVERY_MS;
      await sandbox.dispose();
    }
  });

  it('closing the window quits, the inventory closed first', async () => {
    const dataDir = path.join(scratch, 'closing');
    let walAtExit: boolean | null = null;
    const closing = await loadMain({ TKV_DATA_DIR: dataDir, TKV_DEVTOOLS: undefined, TKV_KEYCHAIN_SERVICE: ownService('closing') }, path.join(scratch, 'home'), { onExit: () => (walAtExit = fs.existsSync(path.join(dataDir, 'inventory.sqlite-wal'))) });
    expect(await closing.call('tenants:add', { alias: 'acme', tenantId: 'acme', environment: 'staging' })).toMatchObject({ ok: true });
    closing.record.windows[0]!.close();
    for (let waited = 0; !closing.record.exited && waited < 15_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect([closing.record.exited?.code, walAtExit]).toEqual([0, false]);
  });
});
