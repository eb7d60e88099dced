/**
 * The desktop app minus Electron: the built renderer served over loopback with the app's CSP, and
 * `window.api` wired through exposeBinding to the real IPC router, built on the real services (core's
 * one composition root: real keychain, real SQLite, real HTTP client). Every IPC result and event the
 * page receives is kept, so that tests can search them for a canary.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { MemoryClipboard } from '../../../src-main/core/clipboard.ts';
import { SecretClipboard } from '../../../src-main/core/keys/secret-clipboard.ts';
import type { SecretStore } from '../../../src-main/core/secrets/secret-store.ts';
import { createServices, type Services } from '../../../src-main/core/services.ts';
import { RecentResults } from '../../../src-main/ipc/ipc-context.ts';
import { registerIpcRouter } from '../../../src-main/ipc/router.ts';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/shared/content-security-policy.ts';
import type { EventName, Events } from '../../../src-main/shared/contract.ts';
import { scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { InProcessIpcMain } from '../../support/in-process-ipc.ts';

const rendererDir = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

export interface Harness {
  url: string;
  dataDir: string;
  service: string;
  services: Services;
  /** The main process's clipboard, as the copy channels see it. */
  clipboard: MemoryClipboard;
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
    received.push(JSON.stringify(payload));
    for (const page of pages) void page.evaluate(([name, data]) => window.__tkvDispatch(name, data), [event, payload] as const).catch(() => undefined);
  };
  const services = createServices({
    actor: 'app',
    holdUnsavedTokens: true,
    env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service, ...options.env },
    emitJobEvent: (event, payload) => emit(event, payload as Events[typeof event]),
    onExternalChange: () => emit('vault:changed', { reason: 'changed elsewhere' }),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = path.resolve(rendererDir, `.${pathname === '/' ? '/index.html' : decodeURIComponent(pathname)}`);
    if (!file.startsWith(rendererDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const ipc = new InProcessIpcMain();
  const log: string[] = [];
  const clipboard = new MemoryClipboard();
  const secretClipboard = new SecretClipboard(clipboard, { clearAfterMs: options.clipboardClearMs ?? 30_000 });
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
    { isTrustedSender: (url) => URL.canParse(url) && new URL(url).origin === origin, log: (line) => log.push(line) },
  );

  return {
    url: `${origin}/`,
    dataDir,
    service,
    services,
    clipboard,
    log,
    received,
    exportsDir,
    saved,
    emit,
    async attach(page) {
      pages.add(page);
      page.on('close', () => pages.delete(page));
      // The frame that calls is reported to the router as Electron reports senderFrame.
      await page.exposeBinding('__tkvInvoke', async ({ frame }, channel: string, input: unknown) => {
        const result = await ipc.invoke(channel, { senderFrame: { url: frame.url(), parent: frame.parentFrame() } }, input);
        received.push(JSON.stringify(result));
        return result;
      });
      const bridge = process.env.TKV_BRIDGE_SCRIPT;
      if (!bridge) throw new Error('TKV_BRIDGE_SCRIPT is not set: run through test/playwright.config.ts');
      await page.addInitScript({ path: bridge });
    },
    crash() {
      server.closeAllConnections();
      server.close();
      void services.http.close().catch(() => undefined);
      void services.sandbox.stop().catch(() => undefined);
      services.vault.close();
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await services.close();
      if (!options.secrets) await clearService(service);
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(exportsDir, { recursive: true, force: true });
    },
  };
}
