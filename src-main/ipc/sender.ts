/**
 * The one answer to "is this the app's own page?": used by the IPC router for every call, by the
 * window's navigation guards, and by every test, so that no test checks a copy of it.
 *
 * What it relies on, from Electron 45's documentation (each with its test in docs/ELECTRON.md):
 * - `event.senderFrame` is a WebFrameMain, or null "if accessed after the frame has either navigated
 *   or been destroyed" (api/structures/ipc-main-invoke-event).
 * - Electron keeps one WebFrameMain object per frame, so a call from the window's top frame carries
 *   the very object `webContents.mainFrame` returns (its own spec compares them with ===); a subframe
 *   has another object whose `parent` is not null (api/web-frame-main, `frame.parent`).
 * - `frame.origin` is the origin "serialized according to RFC 6454": `app://tenant-key-vault` for the
 *   app's scheme, registered as standard (api/web-frame-main, `frame.origin`).
 *
 * Never take the app scheme's origin from Node's WHATWG URL parser: it gives every non-special
 * scheme the origin "null", which refused every call from the packaged app.
 */
import { APP_ORIGIN } from '../shared/content-security-policy.ts';

/** The page the app loads into its window: where it may go, and who may call the vault. */
export interface AppPage {
  /** The prefix every URL of the page starts with, exactly: `app://tenant-key-vault/`. */
  prefix: string;
  /** The page's origin as Chromium serializes it: `app://tenant-key-vault`. */
  origin: string;
}

/** The part of Electron's WebFrameMain that the check reads. */
export interface SenderFrame {
  readonly url: string;
  readonly origin: string;
  /** null for a top-level frame. */
  readonly parent: unknown;
}

/**
 * The app's page: `app://tenant-key-vault/`, or the dev server's page (`npm run dev`, given as
 * ELECTRON_RENDERER_URL) when there is one.
 */
export function appPage(devServerUrl?: string): AppPage {
  if (!devServerUrl) return { prefix: `${APP_ORIGIN}/`, origin: APP_ORIGIN };
  // http and https are special schemes, whose host Node parses as Chromium does.
  const url = new URL(devServerUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`The renderer's dev server must be http(s), not ${url.protocol}`);
  const origin = `${url.protocol}//${url.host}`;
  return { prefix: `${origin}/`, origin };
}

/**
 * True for a URL of the app's page: the exact prefix, so that `app://tenant-key-vault.evil/`,
 * `app://tenant-key-vault@evil/` or `app://tenant-key-vault:1/` are not.
 */
export function isAppPageUrl(url: unknown, page: AppPage): boolean {
  return typeof url === 'string' && url.startsWith(page.prefix);
}

/**
 * True when `frame` is the top frame of one of the app's own windows, showing the app's page. A null
 * frame (gone, or navigated away), a subframe, a frame of another window and a frame showing
 * anything else are refused.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, ownFrames: Iterable<SenderFrame>, page: AppPage): boolean {
  if (!frame) return false;
  let own = false;
  for (const candidate of ownFrames) if (candidate === frame) own = true;
  if (!own) return false;
  try {
    return frame.parent === null && frame.origin === page.origin && isAppPageUrl(frame.url, page);
  } catch {
    // WebFrameMain throws "Render frame was disposed…" when read after its frame went away.
    return false;
  }
}
