/**
 * The one BrowserWindow factory. Every hardening setting of Electron's security checklist that
 * applies to this app is here, in one place: isolation, sandbox, no Node, web security, no new
 * windows, no navigation, no webviews, DevTools only when asked for. The CSP comes with every answer
 * of the app:// protocol (renderer-handler.ts) and the permission handlers are set in index.ts.
 */
import { BrowserWindow, shell } from 'electron';
import { isAppPageUrl, type AppPage } from './ipc/sender.ts';
import { isAllowedExternalUrl } from './shared/external-links.ts';

export interface MainWindowOptions {
  preloadPath: string;
  /** The app's page: the window loads its index.html and may go nowhere else. */
  page: AppPage;
  /** DevTools can be opened (a dev build, or TKV_DEVTOOLS=1); never in an installed app otherwise. */
  devTools: boolean;
  /** The page could not load; without this the window would stay hidden and nobody would know why. */
  onLoadFailed(message: string): void;
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
      devTools: options.devTools,
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links open in the person's browser, and only those; the app never opens a second window.
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The page never navigates: any frame going anywhere but the app's own page is stopped, and so is
  // a redirect ("will prevent the navigation (not just the redirect)", api/web-contents).
  contents.on('will-frame-navigate', (details) => {
    if (!details.isMainFrame || !isAppPageUrl(details.url, options.page)) details.preventDefault();
  });
  contents.on('will-redirect', (details) => {
    if (!isAppPageUrl(details.url, options.page)) details.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  // loadURL "rejects if the page fails to load" and Electron attaches a no-op handler, so a failure
  // would otherwise pass in silence (api/web-contents, contents.loadURL).
  window.loadURL(`${options.page.prefix}index.html`).catch((error: unknown) => {
    options.onLoadFailed(error instanceof Error ? error.message : String(error));
  });
  return window;
}
