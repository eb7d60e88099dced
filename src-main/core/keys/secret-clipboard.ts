/**
 * A secret copied to the clipboard, and taken off it again: after `clearAfterMs` (30 s), the
 * clipboard is emptied only if it still holds that secret, so that nothing the person copied since
 * is wiped (KeePassXC's rule). Only the secret's SHA-256 is kept meanwhile, not the secret.
 *
 * A clear is confirmed by reading the clipboard back through a reader that sees the system's
 * clipboard, not a cache of the app's: under Wayland a write from a window without focus can be
 * dropped while Electron's own `readText` still answers from Chromium's in-process cache. A clear
 * that did not take is tried again when the window has the focus back, and the person is told.
 */
import { createHash } from 'node:crypto';
import type { ClipboardClearState } from '../../shared/contract/keys.ts';
import type { Clipboard } from '../clipboard.ts';

export const CLIPBOARD_CLEAR_MS = 30_000;

export type { ClipboardClearState };

export interface SecretClipboardOptions {
  clearAfterMs?: number;
  /**
   * Reads the system clipboard by a route that cannot answer from a stale copy (wl-paste under
   * Wayland); null when the platform offers none. By default, the clipboard's own `readText`.
   */
  confirm?: (() => Promise<string>) | null;
  /** Told the outcome of every clear (the app tells the person). */
  onClear?: (state: ClipboardClearState) => void;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class SecretClipboard {
  private readonly clipboard: Clipboard;
  private readonly clearAfterMs: number;
  private readonly confirm: (() => Promise<string>) | null;
  private readonly onClear: (state: ClipboardClearState) => void;
  /** Pending clears: each timer with the hash of what it clears. */
  private readonly timers = new Map<NodeJS.Timeout, string>();
  /** Hashes of secrets whose clear did not take, tried again by `retry()`. */
  private readonly stuck = new Set<string>();

  constructor(clipboard: Clipboard, options: SecretClipboardOptions = {}) {
    this.clipboard = clipboard;
    this.clearAfterMs = options.clearAfterMs ?? CLIPBOARD_CLEAR_MS;
    this.confirm = options.confirm === undefined ? () => clipboard.readText() : options.confirm;
    this.onClear = options.onClear ?? (() => undefined);
  }

  /** Writes the secret; returns when it will be cleared. */
  async copy(secret: string): Promise<{ clearsAt: string }> {
    await this.clipboard.writeText(secret);
    const hash = digest(secret);
    this.stuck.delete(hash);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.clearIfStill(hash);
    }, this.clearAfterMs);
    timer.unref();
    this.timers.set(timer, hash);
    return { clearsAt: new Date(Date.now() + this.clearAfterMs).toISOString() };
  }

  /** Tries again the clears that did not take (the window has the focus back). */
  async retry(): Promise<void> {
    for (const hash of [...this.stuck]) await this.clearIfStill(hash);
  }

  /** Clears every pending copy now, if the clipboard still holds it (when the app quits). */
  async flush(): Promise<void> {
    const hashes = [...this.timers.values(), ...this.stuck];
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    for (const hash of new Set(hashes)) await this.clearIfStill(hash);
  }

  private async clearIfStill(hash: string): Promise<void> {
    this.stuck.delete(hash);
    let state: ClipboardClearState;
    try {
      const read = this.confirm ?? (() => this.clipboard.readText());
      if (digest(await read()) !== hash) {
        state = 'replaced';
      } else {
        await this.clipboard.writeText('');
        if (!this.confirm) state = 'unconfirmed';
        else if (digest(await this.confirm()) === hash) state = 'not-cleared';
        else state = 'cleared';
      }
    } catch {
      // A clipboard that cannot be read is not wiped blindly; the person is told it may still hold it.
      state = 'not-cleared';
    }
    if (state === 'not-cleared') this.stuck.add(hash);
    this.onClear(state);
  }
}

/** How long a copied secret stays: 30 s, or TKV_CLIPBOARD_CLEAR_MS (tests shorten it). */
export function clipboardClearMs(env: Record<string, string | undefined>): number {
  const value = Number(env.TKV_CLIPBOARD_CLEAR_MS);
  return Number.isInteger(value) && value > 0 ? value : CLIPBOARD_CLEAR_MS;
}
