/**
 * The one BrowserWindow factory. Every hardening setting of Electron's security checklist that
 * applies to this app is here, in one place: isolation, sandbox, no Node, web security, no new
 * windows, no navigation, no webviews. The CSP and the permission handlers are set per session in
 * index.ts, and the UI is served from app:// (app-protocol.ts), not file://.
 */
import { BrowserWindow, shell } from 'electron';
import { isAllowedExternalUrl } from './shared/external-links.ts';

export interface MainWindowOptions {
  preloadPath: string;
  url: string;
  /** Origins the window may load (its own); navigation anywhere else is refused. */
  allowedOrigin: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    title: 'Tenant Key Vault',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: options.preloadPath,
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
      spellcheck: false,
      devTools: !process.env.TKV_DISABLE_DEVTOOLS,
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links open in the person's browser, and only those; the app never opens a second window.
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== options.allowedOrigin) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (new URL(url).origin !== options.allowedOrigin) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.url);
  return window;
}
