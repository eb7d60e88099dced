/**
 * The composition root of the desktop app: lifecycle, security defaults, the vault, IPC, the window.
 * Nothing else lives here; behaviour is in core/, and the CLI builds the same vault the same way.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, session } from 'electron';
import { toErrorInfo } from './core/errors.ts';
import { resolveAppPaths, resolveKeychainService } from './core/paths.ts';
import { clipboardClearMs, SecretClipboard } from './core/keys/secret-clipboard.ts';
import { createServices, type Services } from './core/services.ts';
import { RecentResults } from './ipc/ipc-context.ts';
import { registerIpcRouter } from './ipc/router.ts';
import type { EventName, Events } from './shared/contract.ts';
import { APP_ORIGIN } from './shared/content-security-policy.ts';
import { registerAppScheme, serveRenderer } from './app-protocol.ts';
import { createMainWindow } from './window.ts';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererOrigin = devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN;

// The CLI and the app must share one data directory: both resolve it with core's rule (which is
// Electron's own userData rule for this app name), and TKV_DATA_DIR overrides both.
const paths = resolveAppPaths(process.env, process.platform, app.getPath('home'));
app.setPath('userData', paths.dataDir);

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
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

function start(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer(path.join(__dirname, '../renderer'));

  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(event, payload);
  };
  let services: Services;
  try {
    services = createServices({
      actor: 'app',
      paths,
      // A token the keychain refused after a server created it waits for the window's show-once dialog.
      holdUnsavedTokens: true,
      emitJobEvent: (event, payload) => emit(event, payload as Events[typeof event]),
      // tkv (or another instance) changed the inventory: the windows redraw what they show.
      onExternalChange: () => emit('vault:changed', { reason: 'changed elsewhere' }),
    });
  } catch (error) {
    // An unreadable inventory is reported, not crashed on; nothing has been written.
    dialog.showErrorBox('Tenant Key Vault cannot open its inventory', toErrorInfo(error).message);
    app.quit();
    return;
  }
  for (const notice of services.notices) console.warn(`[vault] ${notice}`);
  app.on('will-quit', () => void services.close());
  const secretClipboard = new SecretClipboard(clipboard, { clearAfterMs: clipboardClearMs(process.env) });
  // A secret copied a moment ago does not outlive the app on the clipboard.
  app.on('before-quit', () => void secretClipboard.flush());
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
    isTrustedSender: (url) => URL.canParse(url) && new URL(url).origin === rendererOrigin,
    log: (message) => console.error(message),
  });

  createMainWindow({
    preloadPath: path.join(__dirname, '../preload/index.js'),
    url: devServerUrl ?? `${APP_ORIGIN}/index.html`,
    allowedOrigin: rendererOrigin,
  });
}
