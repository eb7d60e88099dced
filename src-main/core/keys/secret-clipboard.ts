/**
 * A secret copied to the clipboard, and taken off it again: after `clearAfterMs` (30 s), the
 * clipboard is emptied only if it still holds that secret, so that nothing the person copied since
 * is wiped (KeePassXC's rule). Only the secret's SHA-256 is kept meanwhile, not the secret.
 */
import { createHash } from 'node:crypto';
import type { Clipboard } from '../clipboard.ts';

export const CLIPBOARD_CLEAR_MS = 30_000;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class SecretClipboard {
  private readonly clipboard: Clipboard;
  private readonly clearAfterMs: number;
  /** Pending clears: each timer with the hash of what it clears. */
  private readonly timers = new Map<NodeJS.Timeout, string>();

  constructor(clipboard: Clipboard, options: { clearAfterMs?: number } = {}) {
    this.clipboard = clipboard;
    this.clearAfterMs = options.clearAfterMs ?? CLIPBOARD_CLEAR_MS;
  }

  /** Writes the secret; returns when it will be cleared. */
  async copy(secret: string): Promise<{ clearsAt: string }> {
    await this.clipboard.writeText(secret);
    const hash = digest(secret);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.clearIfStill(hash);
    }, this.clearAfterMs);
    timer.unref();
    this.timers.set(timer, hash);
    return { clearsAt: new Date(Date.now() + this.clearAfterMs).toISOString() };
  }

  /** Clears a pending copy now, if the clipboard still holds it (when the app quits). */
  async flush(): Promise<void> {
    const hashes = [...this.timers.values()];
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    for (const hash of hashes) await this.clearIfStill(hash);
  }

  private async clearIfStill(hash: string): Promise<void> {
    try {
      if (digest(await this.clipboard.readText()) === hash) await this.clipboard.writeText('');
    } catch {
      // A clipboard that cannot be read is left as it is rather than wiped blindly.
    }
  }
}

/** How long a copied secret stays: 30 s, or TKV_CLIPBOARD_CLEAR_MS (tests shorten it). */
export function clipboardClearMs(env: Record<string, string | undefined>): number {
  const value = Number(env.TKV_CLIPBOARD_CLEAR_MS);
  return Number.isInteger(value) && value > 0 ? value : CLIPBOARD_CLEAR_MS;
}
