/**
 * The composition root of the desktop app: lifecycle, security defaults, the vault, IPC, the window.
 * Nothing else lives here; behaviour is in core/, and the CLI builds the same vault the same way.
 * docs/ELECTRON.md lists each Electron API relied on here, its documentation and its test.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { app, clipboard, dialog, ipcMain, Notification, session, type BrowserWindow } from 'electron';
import { toErrorInfo } from './core/errors.ts';
import { resolveAppPaths, resolveKeychainService } from './core/paths.ts';
import { clipboardClearMs, SecretClipboard } from './core/keys/secret-clipboard.ts';
import { createSecretStore, createServices } from './core/services.ts';
import type { WatchNotice } from './core/watch/watch-service.ts';
import { openVault } from './open-vault.ts';
import { clipboardConfirmer } from './core/system-clipboard.ts';
import { RecentResults } from './ipc/ipc-context.ts';
import { registerIpcRouter } from './ipc/router.ts';
import { appPage } from './ipc/sender.ts';
import type { EventName, Events } from './shared/contract.ts';
import { registerAppScheme, serveRenderer } from './app-protocol.ts';
import { createMainWindow } from './window.ts';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const page = appPage(devServerUrl);
/** How long quitting waits for jobs, the sandbox and the inventory to close before it ends anyway. */
const SHUTDOWN_LIMIT_MS = 10_000;

// The CLI and the app must share one data directory: both resolve it with core's rule (which is
// Electron's own userData rule for this app name), and TKV_DATA_DIR overrides both.
const paths = resolveAppPaths(process.env, process.platform, app.getPath('home'));
app.setPath('userData', paths.dataDir);

registerAppScheme();

/** The windows this app created: only their top frames may call the vault. */
const windows = new Set<BrowserWindow>();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = windows;
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer(path.join(__dirname, '../renderer'));

  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const window of windows) if (!window.isDestroyed()) window.webContents.send(event, payload);
  };
  // What a watch round found, told through the OS (api/notification); a click shows the Watch screen.
  // Each is held until it closes, so that its click still reaches the app.
  const shown = new Set<Notification>();
  const notify = (notice: WatchNotice) => {
    if (!Notification.isSupported()) throw new Error('This desktop shows no notifications.');
    const notification = new Notification({ title: notice.title, body: notice.body });
    shown.add(notification);
    notification.on('click', () => {
      shown.delete(notification);
      const [window] = windows;
      if (window && !window.isDestroyed()) {
        if (window.isMinimized()) window.restore();
        window.focus();
      }
      emit('watch:open', {});
    });
    notification.on('close', () => shown.delete(notification));
    notification.show();
  };
  // An unreadable, emptied or damaged inventory is reported before any window opens, with the
  // backup to restore; nothing is written until the person chooses (open-vault.ts).
  const secrets = createSecretStore(process.env, process.platform);
  const services = await openVault({
    paths,
    secrets,
    create: () =>
      createServices({
        actor: 'app',
        paths,
        secrets,
        // A token the keychain refused after a server created it waits for the window's show-once dialog.
        holdUnsavedTokens: true,
        emitJobEvent: (event, payload) => emit(event, payload as Events[typeof event]),
        // tkv (or another instance) changed the inventory: announced like any change, the windows redraw.
        watchExternalChanges: true,
        notify,
      }),
    ask: async (question) => (await dialog.showMessageBox(question)).response,
  }).catch((error: unknown) => {
    dialog.showErrorBox('Tenant Key Vault cannot open its inventory', toErrorInfo(error).message);
    return null;
  });
  if (!services) {
    app.quit();
    return;
  }
  for (const notice of services.notices) console.warn(`[vault] ${notice}`);
  const secretClipboard = new SecretClipboard(clipboard, {
    clearAfterMs: clipboardClearMs(process.env),
    confirm: clipboardConfirmer(process.env),
    onClear: (state) => emit('clipboard:cleared', { state }),
  });
  // Under Wayland a clear from a window without focus can be dropped: try again once it has it.
  app.on('browser-window-focus', () => void secretClipboard.retry());
  holdQuitUntilClosed(async () => {
    await secretClipboard.flush();
    await services.close();
  });

  const context = {
    services,
    info: { version: app.getVersion(), dataDir: paths.dataDir, keychainService: resolveKeychainService(process.env), platform: process.platform },
    emit,
    clipboard,
    secretClipboard,
    results: new RecentResults(),
    async saveFile(suggestedName: string, content: string) {
      const choice = await dialog.showSaveDialog({ defaultPath: path.join(app.getPath('documents'), suggestedName) });
      if (choice.canceled || !choice.filePath) return null;
      await writeFile(choice.filePath, content, { mode: 0o600 });
      return choice.filePath;
    },
  };
  registerIpcRouter(ipcMain, context, {
    page,
    ownFrames: () => [...windows].filter((window) => !window.isDestroyed()).map((window) => window.webContents.mainFrame),
    log: (message) => console.error(message),
  });

  const window = createMainWindow({
    preloadPath: path.join(__dirname, '../preload/index.js'),
    page,
    devTools: devServerUrl !== undefined || process.env.TKV_DEVTOOLS === '1',
    onLoadFailed: (message) => {
      console.error(`[window] the page did not load: ${message}`);
      dialog.showErrorBox('Tenant Key Vault cannot show its window', `The app's page did not load (${message}). Reinstall the app; from a source checkout, run npm run build first.`);
      setImmediate(() => app.quit());
    },
  });
  windows.add(window);
  window.on('closed', () => windows.delete(window));
  // Background rounds while the app runs (core/watch/watch-service.ts); the first a minute after opening.
  const first = Number(process.env.TKV_WATCH_FIRST_ROUND_MS);
  const every = Number(process.env.TKV_WATCH_EVERY_MS);
  services.watch.start(first > 0 ? first : undefined, every > 0 ? every : undefined);
}

/**
 * Electron does not wait for a quit listener's promise ('before-quit' and 'will-quit' run their
 * listeners synchronously, api/app): the process would end with the inventory open, the sandbox
 * listening and a job half done. So the first 'will-quit' is held with preventDefault, `close` runs,
 * and quitting starts again once it has finished (or after SHUTDOWN_LIMIT_MS, whatever it hangs on).
 * Again on a later turn of the event loop: Electron runs the microtasks queued by a listener before it
 * lets the first quit end, and a quit asked for meanwhile is ignored — the app would stay, windowless.
 */
function holdQuitUntilClosed(close: () => Promise<void>): void {
  let state: 'open' | 'closing' | 'closed' = 'open';
  app.on('will-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(() => {
      console.error(`[vault] quitting after ${SHUTDOWN_LIMIT_MS / 1000} s without a clean close`);
      resolve();
    }, SHUTDOWN_LIMIT_MS)));
    void Promise.race([close().catch((error: unknown) => console.error(`[vault] closing failed: ${toErrorInfo(error).message}`)), limit]).then(() => {
      clearTimeout(timer);
      state = 'closed';
      setImmediate(() => app.quit());
    });
  });
}
