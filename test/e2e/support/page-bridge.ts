/**
 * Injected into the page before the renderer loads: the part of Electron's renderer that the built
 * preload (`out/preload/index.js`) uses, so that `window.api` is made by the app's own preload and
 * reaches the main side as it would in Electron. Bundled by global-setup.ts; the harness appends the
 * preload, which receives these stand-ins from its `require('electron')`.
 *
 * What crosses, and how, follows Electron 45's documentation (https://www.electronjs.org/docs/latest/…):
 * - contextBridge (api/context-bridge, "Parameter / Error / Return Type support"): values are
 *   copied, "Prototype modifications are dropped", functions and promises are proxied, errors keep
 *   their message only, and the exposed API is frozen. A JS Proxy (a Svelte `$state` object or array)
 *   is not a plain object to the bridge: it goes to V8's serializer, which refuses it, and the call
 *   throws `Error: An object could not be cloned.` in the page, before the preload runs.
 * - ipcRenderer.invoke (api/ipc-renderer): "Arguments will be serialized with the Structured Clone
 *   Algorithm… Sending Functions, Promises, Symbols, WeakMaps, or WeakSets will throw an exception";
 *   a handler's failure rejects with "Error invoking remote method '<channel>': <error>".
 * - sandboxed preloads run in the top frame only (nodeIntegrationInSubFrames is off, tutorial/sandbox).
 */
import type { Api, EventName } from '../../../src-main/shared/contract.ts';

type Listener = (event: unknown, payload: unknown) => void;
type Reply = { result: unknown } | { error: string };

declare global {
  interface Window {
    /** Made by the built preload. */
    api: Api;
    /** Playwright's binding to the router in the test process (structured-cloned arguments only). */
    __tkvInvoke(channel: string, args: unknown[]): Promise<Reply>;
    /** How the harness delivers an event, as webContents.send would. */
    __tkvDispatch(event: EventName, payload: unknown): void;
    /** What the preload's `require('electron')` returns; taken away once the preload has run. */
    __tkvPreloadElectron?: unknown;
  }
}

/** The error V8's serializer raises through Electron for a value it cannot clone. */
const notCloneable = () => new Error('An object could not be cloned.');

/** Structured clone, failing as Electron's serializer does (a plain Error, not a DOMException). */
function cloneForIpc<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    throw notCloneable();
  }
}

/**
 * A value as contextBridge hands it to the other world. Primitives pass; functions and promises are
 * proxied; an Error keeps its message. Everything else is tried as a structured clone (what the
 * bridge does for all but plain objects and arrays). When that fails, the bridge would have copied a
 * plain object or array key by key: if copying the children explains the failure (a function in it,
 * which the bridge proxies), that is the copy; if not, the value itself is exotic (a Proxy, which
 * plain page script cannot otherwise tell from an object) and the bridge throws.
 */
function acrossBridge(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (typeof value === 'function') return proxiedFunction(value as (...args: unknown[]) => unknown);
  if (value instanceof Promise) return value.then(acrossBridge, (error: unknown) => Promise.reject(acrossBridgeError(error)));
  if (value instanceof Error) return acrossBridgeError(value);
  try {
    return structuredClone(value);
  } catch {
    // Not cloneable as a whole: see whether its own fields explain it.
  }
  let proxiedInside = false;
  const copyField = (field: unknown) => {
    const copied = acrossBridge(field);
    if (copied !== field && (typeof field === 'function' || field instanceof Promise)) proxiedInside = true;
    else if (typeof copied === 'object' && copied !== null && hasProxied.has(copied)) proxiedInside = true;
    return copied;
  };
  const copy: unknown = Array.isArray(value) ? value.map(copyField) : Object.fromEntries(Object.keys(value).map((key) => [key, copyField((value as Record<string, unknown>)[key])]));
  if (!proxiedInside) throw notCloneable();
  hasProxied.add(copy as object);
  return copy;
}

/** Copies made by acrossBridge that hold a proxied function or promise. */
const hasProxied = new WeakSet<object>();

function acrossBridgeError(error: unknown): Error {
  return new Error(error instanceof Error ? error.message : 'An unknown exception occurred in the isolated context, an error occurred but a valid exception was not thrown.');
}

/** A function of one world called from the other: its arguments and its result cross the bridge. */
function proxiedFunction(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const copied = args.map(acrossBridge);
    let result: unknown;
    try {
      result = fn(...copied);
    } catch (error) {
      throw acrossBridgeError(error);
    }
    return acrossBridge(result);
  };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const field of Object.values(value)) deepFreeze(field);
}

if (window.top === window) {
  const listeners = new Map<string, Set<Listener>>();
  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const reply = await window.__tkvInvoke(channel, cloneForIpc(args));
      if ('error' in reply) throw new Error(`Error invoking remote method '${channel}': ${reply.error}`);
      return reply.result;
    },
    on(channel: string, listener: Listener) {
      const set = listeners.get(channel) ?? new Set<Listener>();
      listeners.set(channel, set);
      set.add(listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: Listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const contextBridge = {
    /** "Function values are proxied to the other context and all other values are copied and frozen" (api/context-bridge, API). */
    exposeInMainWorld(key: string, api: unknown) {
      if (key in window) throw new Error('Cannot bind an API on top of an existing property on the window object');
      const exposed = acrossBridge(api);
      deepFreeze(exposed);
      Object.defineProperty(window, key, { value: exposed, writable: false, configurable: false, enumerable: true });
    },
  };
  window.__tkvDispatch = (event, payload) => {
    // The IpcRendererEvent stays in the preload's world; the preload passes the payload on.
    for (const listener of listeners.get(event) ?? []) listener({ sender: ipcRenderer, ports: [] }, cloneForIpc(payload));
  };
  window.__tkvPreloadElectron = { contextBridge, ipcRenderer };
}
