/**
 * A stand-in for the `electron` module, the one mock this project needs, for the one part that cannot
 * run here (Electron's binary downloads from the internet). It records what the built main bundle
 * asks of Electron, so a test can load `out/main/index.js` under plain Node and check its wiring.
 * It implements only what the app uses; anything else throws, so new wiring is not silently ignored.
 */
import fs from 'node:fs';
import Module from 'node:module';
import { fileURLToPath } from 'node:url';

type Listener = (...args: unknown[]) => unknown;

export interface StandInWindow {
  options: { webPreferences: Record<string, unknown> } & Record<string, unknown>;
  loadedUrl: string | null;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null;
  contentsListeners: Map<string, Listener>;
}

export interface ElectronRecord {
  setPaths: Map<string, string>;
  handled: Map<string, Listener>;
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  permissionRequestHandler: Listener | null;
  permissionCheckHandler: Listener | null;
  appListeners: Map<string, Listener>;
  windows: StandInWindow[];
  openedExternally: string[];
  errorBoxes: string[];
}

/** The stand-in module, with what it recorded; `home` is what `app.getPath('home')` answers. */
export function electronStandIn(options: { home: string }): { module: Record<string, unknown>; record: ElectronRecord } {
  const record: ElectronRecord = {
    setPaths: new Map(),
    handled: new Map(),
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    appListeners: new Map(),
    windows: [],
    openedExternally: [],
    errorBoxes: [],
  };
  const paths = new Map<string, string>([['home', options.home]]);
  const app = {
    isPackaged: false,
    getVersion: () => '0.0.0-stand-in',
    getPath: (name: string) => {
      const value = paths.get(name);
      if (!value) throw new Error(`app.getPath("${name}") is not known to the stand-in`);
      return value;
    },
    setPath: (name: string, value: string) => {
      paths.set(name, value);
      record.setPaths.set(name, value);
    },
    requestSingleInstanceLock: () => true,
    on: (event: string, listener: Listener) => {
      record.appListeners.set(event, listener);
      return app;
    },
    whenReady: () => Promise.resolve(),
    quit: () => undefined,
  };
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    static getAllWindows = () => BrowserWindow.all;
    readonly webContents: Record<string, unknown>;
    private readonly recorded: StandInWindow;

    constructor(windowOptions: StandInWindow['options']) {
      this.recorded = { options: windowOptions, loadedUrl: null, windowOpenHandler: null, contentsListeners: new Map() };
      record.windows.push(this.recorded);
      BrowserWindow.all.push(this);
      this.webContents = {
        setWindowOpenHandler: (handler: StandInWindow['windowOpenHandler']) => (this.recorded.windowOpenHandler = handler),
        on: (event: string, listener: Listener) => this.recorded.contentsListeners.set(event, listener),
        send: () => undefined,
      };
    }

    once(): void {}
    loadURL(url: string): Promise<void> {
      this.recorded.loadedUrl = url;
      return Promise.resolve();
    }
  }
  const electron = {
    app,
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, listener: Listener) => {
        if (record.handled.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        record.handled.set(channel, listener);
      },
      removeHandler: (channel: string) => record.handled.delete(channel),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (record.permissionRequestHandler = handler),
        setPermissionCheckHandler: (handler: Listener) => (record.permissionCheckHandler = handler),
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => record.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => record.protocolHandlers.set(scheme, handler),
    },
    net: {
      // What the app's protocol handler fetches: files of the build output.
      fetch: async (url: string) => {
        const file = fileURLToPath(url);
        return fs.existsSync(file) ? new Response(fs.readFileSync(file), { status: 200, headers: { 'content-type': file.endsWith('.html') ? 'text/html' : 'application/octet-stream' } }) : new Response('missing', { status: 404 });
      },
    },
    shell: { openExternal: async (url: string) => void record.openedExternally.push(url) },
    dialog: { showErrorBox: (_title: string, text: string) => void record.errorBoxes.push(text) },
    clipboard: { readText: async () => '', writeText: async () => undefined },
  };
  const module = new Proxy(electron as Record<string, unknown>, {
    get(target, property) {
      if (typeof property === 'string' && !(property in target) && property !== 'then' && property !== '__esModule') throw new Error(`electron.${property} is not known to the stand-in`);
      return target[property as string];
    },
  });
  return { module, record };
}

/**
 * Loads a CommonJS bundle with `require('electron')` answered by the stand-in. Returns when its
 * top level has run and one turn of promises has passed (the app's whenReady().then(start)).
 */
export async function loadWithStandIn(bundle: string, electron: Record<string, unknown>): Promise<void> {
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = loader._load;
  loader._load = function load(request, parent, isMain) {
    if (request === 'electron') return electron;
    return original.call(this, request, parent, isMain);
  };
  try {
    const require = Module.createRequire(import.meta.url);
    delete require.cache[require.resolve(bundle)];
    require(bundle);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    loader._load = original;
  }
}
