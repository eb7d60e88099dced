/**
 * The desktop app minus Electron, as close to it as Chromium alone allows:
 * - the built renderer is answered by the app's own protocol handler (renderer-handler.ts, what
 *   app-protocol.ts registers), so the CSP, MIME types and paths are a user's. Chromium cannot load
 *   a custom scheme without Electron's registration, so the page lives at https://tenant-key-vault/
 *   (answered through Playwright's route, never the network), and its frames are reported to the
 *   router with the app:// URL Electron reports;
 * - `window.api` is made by the built preload (`out/preload/index.js`), given stand-ins of
 *   contextBridge and ipcRenderer that copy and clone as Electron's do (page-bridge.ts): a Svelte
 *   proxy handed to `window.api` fails here as it does in the app;
 * - calls reach the real IPC router, built on the real services (real keychain, SQLite, HTTP
 *   client), with the frame objects Electron passes (one per frame, the window's top frame being
 *   the one trusted), through a structured-clone round trip each way.
 * Every IPC result and event the page receives is kept, so that tests can search them for a canary.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import type { Frame, Page } from '@playwright/test';
import { SecretClipboard } from '../../../src-main/core/keys/secret-clipboard.ts';
import type { SecretStore } from '../../../src-main/core/secrets/secret-store.ts';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import { RecentResults } from '../../../src-main/ipc/ipc-context.ts';
import { registerIpcRouter } from '../../../src-main/ipc/router.ts';
import { appPage } from '../../../src-main/ipc/sender.ts';
import { rendererHandler } from '../../../src-main/renderer-handler.ts';
import type { EventName, Events } from '../../../src-main/shared/contract.ts';
import { WaylandLikeClipboard } from '../../support/clipboard.ts';
import { scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { InProcessIpcMain } from '../../support/in-process-ipc.ts';
import { WebFrameStandIn } from '../../support/web-frame.ts';

const outDir = fileURLToPath(new URL('../../../out/', import.meta.url));
/** Where Chromium loads the page from; reported to the app as APP_PAGE_PREFIX. */
const PAGE_ORIGIN = 'https://tenant-key-vault';
const APP_PAGE_PREFIX = 'app://tenant-key-vault/';

/** The URL Electron would report for a frame at `url`: the app's scheme for the app's page, anything else as it is. */
export function electronUrl(url: string): string {
  return url.startsWith(`${PAGE_ORIGIN}/`) ? `${APP_PAGE_PREFIX}${url.slice(PAGE_ORIGIN.length + 1)}` : url;
}

export interface Harness {
  /** The page's address in Chromium (https://tenant-key-vault/index.html, standing for app://tenant-key-vault/index.html). */
  url: string;
  dataDir: string;
  service: string;
  services: Services;
  /** The main process's clipboard, as the copy channels see it (Wayland-like: see clipboard.ts). */
  clipboard: WaylandLikeClipboard;
  /** The window got the focus back, as Electron's 'browser-window-focus' tells the main process. */
  focusWindow(): Promise<void>;
  /** Router log lines (refusals, unexpected failures). */
  log: string[];
  /** Every IPC result and event payload the page received, as JSON. */
  received: string[];
  /** Where exports are saved (the save dialog's stand-in), and the files saved so far. */
  exportsDir: string;
  saved: string[];
  /** Sends an event to every attached page, as the main process does. */
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  attach(page: Page): Promise<void>;
  close(): Promise<void>;
  /**
   * Ends the main side as a crash would: the inventory and the HTTP client are dropped mid-work,
   * running jobs are not waited for, and the data directory and keychain entries are left as they are.
   */
  crash(): void;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clipboardClearMs?: number;
  /** An inventory already written (a benchmark's); a fresh scratch directory otherwise. */
  dataDir?: string;
  /** A secret store of the test's (the benchmark's in memory); the real keychain otherwise. */
  secrets?: SecretStore;
  /** The keychain service to use (another harness's, after its crash); a unique one otherwise. */
  service?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? scratchDir('e2e');
  const service = options.service ?? uniqueService('e2e');
  const pages = new Set<Page>();
  const received: string[] = [];
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    // webContents.send: "serialized with the Structured Clone Algorithm" (api/web-contents).
    const delivered = v8.deserialize(v8.serialize(payload)) as Events[E];
    received.push(JSON.stringify(delivered));
    for (const page of pages) void page.evaluate(([name, data]) => window.__tkvDispatch(name, data), [event, delivered] as const).catch(() => undefined);
  };
  const services = createServices({
    actor: 'app',
    holdUnsavedTokens: true,
    env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service, ...options.env },
    emitJobEvent: (event, payload) => emit(event, payload as Events[typeof event]),
    watchExternalChanges: true,
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const serve = rendererHandler(path.join(outDir, 'renderer'));
  const ipc = new InProcessIpcMain();
  const log: string[] = [];
  const clipboard = new WaylandLikeClipboard();
  const secretClipboard = new SecretClipboard(clipboard, {
    clearAfterMs: options.clipboardClearMs ?? 30_000,
    // As index.ts on Wayland with wl-paste: the system's clipboard, not the app's cached copy.
    confirm: () => clipboard.readSystem(),
    onClear: (state) => emit('clipboard:cleared', { state }),
  });
  const exportsDir = scratchDir('e2e-exports');
  const saved: string[] = [];
  const saveFile = async (suggestedName: string, content: string) => {
    const file = path.join(exportsDir, suggestedName);
    fs.writeFileSync(file, content, { mode: 0o600 });
    saved.push(file);
    return file;
  };
  registerIpcRouter(
    ipc,
    { services, info: { version: 'e2e', dataDir, keychainService: service, platform: process.platform }, emit, clipboard, secretClipboard, results: new RecentResults(), saveFile },
    { page: appPage(), ownFrames: () => [...pages].flatMap((page) => frameOf(page.mainFrame()) ?? []), log: (line) => log.push(line) },
  );

  /** One WebFrameMain stand-in per Chromium frame, kept across navigations as Electron keeps its own. */
  const frames = new WeakMap<Frame, WebFrameStandIn>();
  const frameOf = (frame: Frame): WebFrameStandIn | null => {
    if (frame.isDetached()) return null;
    const parent = frame.parentFrame();
    let standIn = frames.get(frame);
    if (!standIn) {
      standIn = new WebFrameStandIn(electronUrl(frame.url()), parent ? frameOf(parent) : null);
      frames.set(frame, standIn);
    }
    standIn.navigate(electronUrl(frame.url()));
    return standIn;
  };
  const preload = fs.readFileSync(path.join(outDir, 'preload/index.js'), 'utf8');
  const bridge = process.env.TKV_BRIDGE_SCRIPT;
  if (!bridge) throw new Error('TKV_BRIDGE_SCRIPT is not set: run through test/playwright.config.ts');
  // The built preload, run as Electron runs a sandboxed one: its require('electron') answered by the stand-ins.
  const initScript = `${fs.readFileSync(bridge, 'utf8')}
;(function () {
  const electron = window.__tkvPreloadElectron;
  delete window.__tkvPreloadElectron;
  if (!electron) return;
  const require = (name) => { if (name === 'electron') return electron; throw new Error('module not found: ' + name); };
  const module = { exports: {} };
  (function (require, module, exports) {
${preload}
  })(require, module, module.exports);
})();`;

  return {
    url: `${PAGE_ORIGIN}/index.html`,
    dataDir,
    service,
    services,
    clipboard,
    log,
    received,
    exportsDir,
    saved,
    emit,
    async focusWindow() {
      clipboard.focused = true;
      await secretClipboard.retry();
    },
    async attach(page) {
      pages.add(page);
      page.on('close', () => pages.delete(page));
      await page.route(`${PAGE_ORIGIN}/**`, async (route) => {
        const request = route.request();
        const response = await serve(new Request(electronUrl(request.url()), { method: request.method() }));
        await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
      });
      await page.exposeBinding('__tkvInvoke', async ({ frame }, channel: string, args: unknown[]) => {
        try {
          const result = await ipc.invoke(channel, { senderFrame: frameOf(frame) }, ...args);
          received.push(JSON.stringify(result));
          return { result };
        } catch (error) {
          return { error: String(error) };
        }
      });
      await page.addInitScript({ content: initScript });
    },
    crash() {
      void services.http.close().catch(() => undefined);
      void services.sandbox.stop().catch(() => undefined);
      services.db.close();
    },
    async close() {
      await services.close();
      if (!options.secrets) await clearService(service);
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(exportsDir, { recursive: true, force: true });
    },
  };
}
