/**
 * The desktop app minus Electron: the built renderer served over loopback with the app's CSP, and
 * `window.api` wired through exposeBinding to the real IPC router, real keychain and real SQLite.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { openVault, type VaultContext } from '../../../src-main/core/open-vault.ts';
import { createHandlers } from '../../../src-main/ipc/handlers.ts';
import { registerIpcRouter } from '../../../src-main/ipc/router.ts';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/shared/content-security-policy.ts';
import { scratchDir } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';
import { InProcessIpcMain } from '../../support/in-process-ipc.ts';

const rendererDir = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

export interface Harness {
  url: string;
  dataDir: string;
  service: string;
  context: VaultContext;
  /** Router log lines (refusals, unexpected failures). */
  log: string[];
  attach(page: Page): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dataDir = scratchDir('e2e');
  const service = uniqueService('e2e');
  const context = openVault({ actor: 'app', env: { TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: service } });
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
  const pages = new Set<Page>();
  const log: string[] = [];
  const handlers = createHandlers({
    vault: context.vault,
    info: { version: 'e2e', dataDir, keychainService: service, platform: process.platform },
    emit: (event, payload) => {
      for (const page of pages) void page.evaluate(([name, data]) => window.__tkvDispatch(name, data), [event, payload] as const).catch(() => undefined);
    },
  });
  registerIpcRouter(ipc, handlers, { isTrustedSender: (url) => URL.canParse(url) && new URL(url).origin === origin, log: (line) => log.push(line) });

  return {
    url: `${origin}/`,
    dataDir,
    service,
    context,
    log,
    async attach(page) {
      pages.add(page);
      // The frame that calls is reported to the router as Electron reports senderFrame.
      await page.exposeBinding('__tkvInvoke', ({ frame }, channel: string, input: unknown) =>
        ipc.invoke(channel, { senderFrame: { url: frame.url(), parent: frame.parentFrame() } }, input),
      );
      const bridge = process.env.TKV_BRIDGE_SCRIPT;
      if (!bridge) throw new Error('TKV_BRIDGE_SCRIPT is not set: run through test/playwright.config.ts');
      await page.addInitScript({ path: bridge });
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      context.vault.close();
      await clearService(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
