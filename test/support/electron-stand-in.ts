/**
 * A stand-in for the `electron` module, the one mock this project needs, for the one part that cannot
 * run here (Electron's binary downloads from the internet). Tests load the BUILT main bundle
 * (`out/main/index.js`) under plain Node with `require('electron')` answered by this, then drive it
 * as Electron would: IPC events carrying the frame objects Electron passes, the app's protocol asked
 * for its page, the quit sequence run with its listeners not awaited.
 *
 * Each behaviour follows Electron 45's documentation, cited beside it (https://www.electronjs.org/docs/latest/…).
 * It implements only what the app uses; anything else throws, so new wiring is not silently ignored.
 */
import fs from 'node:fs';
import Module from 'node:module';
import v8 from 'node:v8';
import { WebFrameStandIn } from './web-frame.ts';

type Listener = (...args: unknown[]) => unknown;

/** Electron's Event: `preventDefault()` and `defaultPrevented` (api/structures/event). */
export interface StandInEvent {
  preventDefault(): void;
  readonly defaultPrevented: boolean;
  [field: string]: unknown;
}

export function electronEvent(fields: Record<string, unknown> = {}): StandInEvent {
  let prevented = false;
  return {
    ...fields,
    preventDefault: () => void (prevented = true),
    get defaultPrevented() {
      return prevented;
    },
  };
}

/** Node's EventEmitter semantics, which Electron's objects have: listeners run synchronously, in order, and what they return is ignored. */
class Emitter {
  protected readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(event, wrapped);
      return listener(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((candidate) => candidate !== listener));
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    return this.off(event, listener);
  }

  /** Runs the listeners; a promise one returns is not awaited (an async listener's rejection is reported, as Node does). */
  emit(event: string, ...args: unknown[]): boolean {
    const listeners = this.listeners.get(event) ?? [];
    for (const listener of listeners) {
      const returned = listener(...args);
      if (returned instanceof Promise) returned.catch((error: unknown) => console.error(`[stand-in] unhandled rejection in a '${event}' listener:`, error));
    }
    return listeners.length > 0;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export interface StandInWebContents extends Emitter {
  readonly mainFrame: WebFrameStandIn;
  /** Events sent to the page, each as the renderer receives it (structured-cloned). */
  readonly sent: [string, unknown][];
  readonly windowOpenHandler: ((details: { url: string }) => { action: string }) | null;
}

export interface StandInWindow {
  readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>;
  readonly webContents: StandInWebContents;
  /** What loadURL was given, and how it ended. */
  readonly loaded: { url: string; outcome: 'loaded' | 'failed' | 'pending'; error: string | null } | null;
  /** How many times the app brought the window to the front. */
  readonly focused: number;
  isDestroyed(): boolean;
  close(): void;
}

export interface ElectronRecord {
  setPaths: Map<string, string>;
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  permissionRequestHandler: Listener | null;
  permissionCheckHandler: Listener | null;
  windows: StandInWindow[];
  openedExternally: string[];
  errorBoxes: string[];
  /** The message boxes shown (dialog.showMessageBox's options), in order. */
  messageBoxes: { type?: string; message: string; detail?: string; buttons: string[]; defaultId?: number; cancelId?: number }[];
  /** Set when the app would have ended: by quitting through, or by app.exit(). */
  exited: { code: number; at: number } | null;
  /** The channels the app registered with ipcMain.handle. */
  handled: Map<string, Listener>;
  /** The OS notifications shown (api/notification: `show()` called), in order, with a way to click each. */
  notifications: { title: string; body: string; click(): void }[];
}

export interface StandIn {
  module: Record<string, unknown>;
  record: ElectronRecord;
  /** `app` as the bundle sees it: `quit()` runs Electron's quit sequence. */
  app: { quit(): void; exit(code?: number): void; emit(event: string, ...args: unknown[]): boolean; isReady(): boolean };
  /**
   * Calls a channel as the renderer's `ipcRenderer.invoke` does from `frame` (null: a frame that
   * has gone away). The arguments and the reply cross as structured clones (api/ipc-renderer,
   * "Arguments will be serialized with the Structured Clone Algorithm").
   */
  invoke(channel: string, frame: WebFrameStandIn | null, ...args: unknown[]): Promise<unknown>;
}

export interface StandInOptions {
  /** What `app.getPath('home')` answers. */
  home: string;
  /** What the app sees as its clipboard; an in-memory one by default. */
  clipboard?: { readText(): Promise<string>; writeText(text: string): Promise<void> };
  /**
   * Runs at the moment the process would end, synchronously: what has not happened by then
   * never happens in Electron (the process is gone).
   */
  onExit?: () => void;
  /** The button a person presses in a message box; by default Esc (the box's cancelId). */
  answer?: (box: ElectronRecord['messageBoxes'][number]) => number;
}

/** The stand-in module, with what it recorded. */
export function electronStandIn(options: StandInOptions): StandIn {
  const record: ElectronRecord = {
    setPaths: new Map(),
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    windows: [],
    openedExternally: [],
    errorBoxes: [],
    messageBoxes: [],
    exited: null,
    handled: new Map(),
    notifications: [],
  };
  const paths = new Map<string, string>([
    ['home', options.home],
    ['documents', `${options.home}/Documents`],
  ]);
  let ready = false;
  let quitting = false;
  let memoryClipboard = '';
  const clipboard = options.clipboard ?? { readText: async () => memoryClipboard, writeText: async (text: string) => void (memoryClipboard = text) };

  const exit = (code: number) => {
    if (record.exited) return;
    record.exited = { code, at: Date.now() };
    options.onExit?.();
  };

  class App extends Emitter {
    isPackaged = false;
    getVersion = () => '0.0.0-stand-in';

    getPath(name: string): string {
      const value = paths.get(name);
      if (!value) throw new Error(`app.getPath("${name}") is not known to the stand-in`);
      return value;
    }

    setPath(name: string, value: string): void {
      paths.set(name, value);
      record.setPaths.set(name, value);
    }

    requestSingleInstanceLock = () => true;
    isReady = () => ready;

    /** "fulfilled when Electron is initialized" (api/app, app.whenReady). */
    whenReady(): Promise<void> {
      return Promise.resolve().then(() => {
        ready = true;
      });
    }

    /**
     * api/app, app.quit(): "Try to close all windows. The before-quit event will be emitted first.
     * If all windows are successfully closed, the will-quit event will be emitted and by default the
     * application will terminate." Listeners run synchronously and are not awaited; a quit asked for
     * while one is under way is ignored until the will-quit listeners have returned.
     */
    quit(): void {
      if (quitting || record.exited) return;
      quitting = true;
      let ended = false;
      try {
        if (this.emitPreventable('before-quit')) return;
        for (const window of [...windows]) window.close();
        if (this.emitPreventable('will-quit')) return;
        this.emit('quit', electronEvent(), 0);
        exit(0);
        ended = true;
      } finally {
        // Electron runs a microtask checkpoint after the listeners return, while the quit is still
        // under way (gin_helper's CallMethodWithArgs, then Browser::NotifyAndShutdown clears
        // is_quitting_): a quit asked for from a listener's promise is ignored.
        if (ended) quitting = false;
        else queueMicrotask(() => setImmediate(() => (quitting = false)));
      }
    }

    /** api/app, app.exit(): "Exits immediately… the before-quit and will-quit events will not be emitted." */
    exit(code = 0): void {
      exit(code);
    }

    private emitPreventable(event: string): boolean {
      const payload = electronEvent();
      this.emit(event, payload);
      return payload.defaultPrevented;
    }
  }
  const app = new App();

  const windows = new Set<Window>();
  const protocolHandlers = record.protocolHandlers;

  class WebContents extends Emitter implements StandInWebContents {
    readonly mainFrame = new WebFrameStandIn('');
    readonly sent: [string, unknown][] = [];
    windowOpenHandler: StandInWebContents['windowOpenHandler'] = null;
    private readonly owner: Window;

    constructor(owner: Window) {
      super();
      this.owner = owner;
    }

    setWindowOpenHandler(handler: StandInWebContents['windowOpenHandler']): void {
      this.windowOpenHandler = handler;
    }

    /** api/web-contents, contents.send: "Arguments will be serialized with the Structured Clone Algorithm". */
    send(channel: string, ...args: unknown[]): void {
      if (this.owner.isDestroyed()) throw new Error('Object has been destroyed');
      this.sent.push([channel, v8.deserialize(v8.serialize(args[0]))]);
    }
  }

  class Window extends Emitter implements StandInWindow {
    readonly options: StandInWindow['options'];
    readonly webContents: WebContents;
    loaded: StandInWindow['loaded'] = null;
    private destroyed = false;

    static getAllWindows = () => [...windows];

    constructor(windowOptions: StandInWindow['options']) {
      super();
      if (!ready) throw new Error('Cannot create BrowserWindow before app is ready');
      this.options = windowOptions;
      this.webContents = new WebContents(this);
      windows.add(this);
      record.windows.push(this);
    }

    /**
     * api/web-contents, contents.loadURL: "the promise will resolve when the page has finished
     * loading… and rejects if the page fails to load". The app's scheme is answered by the handler
     * the app registered (api/protocol, protocol.handle); a page that does not answer 200 fails as
     * Chromium's did-fail-load does.
     */
    async loadURL(url: string): Promise<void> {
      this.loaded = { url, outcome: 'pending', error: null };
      this.webContents.mainFrame.navigate(url);
      const scheme = url.slice(0, url.indexOf(':'));
      const handler = protocolHandlers.get(scheme);
      const response = handler ? await handler(new Request(url)) : null;
      if (!response || response.status !== 200) {
        const error = response ? `ERR_FILE_NOT_FOUND (-6) loading '${url}'` : `ERR_UNKNOWN_URL_SCHEME (-302) loading '${url}'`;
        this.loaded = { url, outcome: 'failed', error };
        throw new Error(error);
      }
      this.loaded = { url, outcome: 'loaded', error: null };
      this.emit('ready-to-show');
    }

    isDestroyed(): boolean {
      return this.destroyed;
    }

    focused = 0;
    isMinimized = () => false;
    restore = () => undefined;
    focus = () => void (this.focused += 1);
    show = () => undefined;

    /** The window closes: its frame goes away, and 'closed' is emitted (api/browser-window, event 'closed'). */
    close(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      windows.delete(this);
      this.webContents.mainFrame.dispose();
      this.emit('closed');
      if (windows.size === 0 && !quitting) app.emit('window-all-closed', electronEvent());
    }
  }

  /**
   * api/notification: "Create OS desktop notifications", main process; an EventEmitter. `new
   * Notification([options])` with `title` and `body` (among others); "Objects created with new
   * Notification … will not be shown until you call their show() instance method"; the 'click'
   * event is "Emitted when the notification is clicked by the user"; the static isSupported()
   * "Returns boolean - Whether or not desktop notifications are supported on the current system".
   */
  class Notification extends Emitter {
    static isSupported = () => true;
    readonly title: string;
    readonly body: string;

    constructor(options: { title?: string; body?: string } = {}) {
      super();
      this.title = options.title ?? '';
      this.body = options.body ?? '';
    }

    show(): void {
      record.notifications.push({ title: this.title, body: this.body, click: () => void this.emit('click', electronEvent()) });
      this.emit('show', electronEvent());
    }

    close(): void {
      this.emit('close', electronEvent());
    }
  }

  const electron = {
    app,
    Notification,
    BrowserWindow: Window,
    ipcMain: {
      /** api/ipc-main, ipcMain.handle: a second handler for a channel throws. */
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
      /** api/protocol: "can only be used before the ready event of the app module gets emitted and can be called only once". */
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        if (ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
        if (record.privilegedSchemes.length > 0) throw new Error('protocol.registerSchemesAsPrivileged can be called only once');
        record.privilegedSchemes.push(...schemes);
      },
      /** api/protocol: "All methods unless specified can only be used after the ready event"; a second handler for a scheme fails. */
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        if (!ready) throw new Error('protocol.handle should be called after app is ready');
        if (protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
        protocolHandlers.set(scheme, async (request) => {
          // A handler that throws makes the request fail (net::ERR_UNEXPECTED), not answer.
          const response = await handler(request);
          if (!(response instanceof Response)) throw new Error('net::ERR_UNEXPECTED');
          return response;
        });
      },
    },
    shell: { openExternal: async (url: string) => void record.openedExternally.push(url) },
    dialog: {
      /** api/dialog: "can be called safely before the ready event". */
      showErrorBox: (_title: string, text: string) => void record.errorBoxes.push(text),
      showSaveDialog: async () => ({ canceled: true, filePath: '' }),
      /**
       * api/dialog, showMessageBox([window, ]options): resolves with `response`, the index of the
       * button clicked; Esc answers `cancelId`. Only the form without a window is used before one opens.
       */
      showMessageBox: async (box: ElectronRecord['messageBoxes'][number]) => {
        if (!Array.isArray(box.buttons)) throw new Error('the stand-in expects showMessageBox(options) with its buttons');
        record.messageBoxes.push(box);
        return { response: options.answer ? options.answer(box) : (box.cancelId ?? 0), checkboxChecked: false };
      },
    },
    /** api/clipboard since Electron 44: readText and writeText return promises. */
    clipboard,
  };
  const module = new Proxy(electron as Record<string, unknown>, {
    get(target, property) {
      if (typeof property === 'string' && !(property in target) && property !== 'then' && property !== '__esModule' && property !== 'default') throw new Error(`electron.${property} is not known to the stand-in`);
      return target[property as string];
    },
  });

  let nextProcess = 1;
  const invoke = async (channel: string, frame: WebFrameStandIn | null, ...args: unknown[]): Promise<unknown> => {
    const handler = record.handled.get(channel);
    // What ipcRenderer.invoke rejects with when main has no handler (lib/renderer/api/ipc-renderer).
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const owner = [...windows].find((window) => window.webContents.mainFrame === frame?.top);
    // api/structures/ipc-main-invoke-event: processId, frameId, sender, senderFrame ("May be null if accessed after the frame has either navigated or been destroyed").
    const event = { type: 'frame', processId: nextProcess++, frameId: 1, sender: owner?.webContents ?? null, senderFrame: frame && !frame.isDestroyed() ? frame : null };
    try {
      const reply = await handler(event, ...(v8.deserialize(v8.serialize(args)) as unknown[]));
      return v8.deserialize(v8.serialize(reply));
    } catch (error) {
      // "only the message property from the original error is provided to the renderer process" (api/ipc-main, handle).
      throw new Error(`Error invoking remote method '${channel}': ${String(error)}`, { cause: error });
    }
  };
  return { module, record, app, invoke };
}

/**
 * Loads a CommonJS bundle with `require('electron')` answered by the stand-in. Returns when its
 * top level has run and the app's `whenReady().then(start)` has run.
 */
export async function loadWithStandIn(bundle: string, electron: Record<string, unknown>): Promise<void> {
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first (npm test does).`);
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
