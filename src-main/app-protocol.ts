/**
 * Serves the built renderer from app://tenant-key-vault/ instead of file://, so the page has a real
 * origin (for the sender check and the CSP) and cannot read arbitrary local files (Electron's
 * security checklist, item 18). The answers themselves come from renderer-handler.ts.
 */
import { protocol } from 'electron';
import { APP_SCHEME } from './shared/content-security-policy.ts';
import { rendererHandler } from './renderer-handler.ts';

/**
 * Must run before the app is ready ("can only be used before the ready event", api/protocol).
 * `standard` gives the scheme a real origin (app://tenant-key-vault) and relative URLs; `secure`
 * makes the page a secure context.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false } }]);
}

/** Serves files under `rendererDir`; anything outside it, another host, or a missing file is a 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, rendererHandler(rendererDir));
}
