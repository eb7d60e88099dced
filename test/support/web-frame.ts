/**
 * A stand-in for Electron's WebFrameMain, as the IPC event carries it (api/web-frame-main in
 * Electron 45's documentation), for every test that calls the router: the in-process tests, the
 * electron stand-in that loads the built main bundle, and the browser harness.
 *
 * - One object per frame: Electron caches a WebFrameMain per frame, so a call from a window's top
 *   frame carries the very object `webContents.mainFrame` returns (its spec compares them with ===).
 * - `url` is the frame's URL as Chromium has it (`app://tenant-key-vault/index.html`); `origin` is
 *   "serialized according to RFC 6454", which for the app's standard scheme is
 *   `app://tenant-key-vault` — and not Node's `new URL(url).origin`, which is "null" for it.
 * - `parent` is null for a top frame; `top` is the frame itself then.
 * - Reading `url` or `origin` of a frame that was disposed throws, as Electron's does.
 */

/** Schemes registered as standard (app-protocol.ts registers `app`), besides the web's own. */
const STANDARD_SCHEMES = new Set(['app', 'http', 'https', 'ws', 'wss', 'ftp']);

/** The origin Chromium serializes for a URL: the tuple for standard schemes, "null" for the rest. */
export function chromiumOrigin(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (!match) return 'null';
  const scheme = match[1]!.toLowerCase();
  if (scheme === 'file') return 'file://';
  if (!STANDARD_SCHEMES.has(scheme)) return 'null';
  // The authority without user info; an empty host has no tuple origin.
  const host = match[2]!.replace(/^.*@/, '').toLowerCase();
  if (!host) return 'null';
  return `${scheme}://${host.replace(scheme === 'https' ? /:443$/ : scheme === 'http' ? /:80$/ : /$^/, '')}`;
}

export class WebFrameStandIn {
  private current: string;
  private disposed = false;
  readonly parent: WebFrameStandIn | null;

  constructor(url: string, parent: WebFrameStandIn | null = null) {
    this.current = url;
    this.parent = parent;
  }

  get top(): WebFrameStandIn {
    return this.parent ? this.parent.top : this;
  }

  get url(): string {
    if (this.disposed) throw new Error('Render frame was disposed before WebFrameMain could be accessed');
    return this.current;
  }

  get origin(): string {
    return chromiumOrigin(this.url);
  }

  /** The frame went to another URL (its object stays, as Electron's does for the same frame). */
  navigate(url: string): void {
    this.current = url;
  }

  dispose(): void {
    this.disposed = true;
  }

  isDestroyed(): boolean {
    return this.disposed;
  }
}
