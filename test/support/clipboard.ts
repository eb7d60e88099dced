/**
 * A clipboard that behaves as Electron's does under Wayland, where the desktop app's users on Linux
 * increasingly are. Electron does not document this; applications that met it describe it (a write
 * "silently dropped" when the window has no focus, "yet readText() still returns the text from
 * Chromium's in-process cache"), and Wayland's protocol explains it: a client may only set the
 * selection in answer to an input event, so a timer's write from an unfocused window is refused.
 * - `writeText` from a window without the focus reaches Chromium's cache but not the system;
 * - `readText` answers from that cache;
 * - `readSystem` is what another application would paste (what wl-paste reads).
 */
import type { Clipboard } from '../../src-main/core/clipboard.ts';

export class WaylandLikeClipboard implements Clipboard {
  /** Whether the app's window has the focus (a write then reaches the system). */
  focused = true;
  private system = '';
  private cache = '';

  /** What another application would paste; setting it is another application copying. */
  get text(): string {
    return this.system;
  }

  set text(value: string) {
    this.system = value;
    this.cache = value;
  }

  async readText(): Promise<string> {
    return this.cache;
  }

  async writeText(text: string): Promise<void> {
    this.cache = text;
    if (this.focused) this.system = text;
  }

  async readSystem(): Promise<string> {
    return this.system;
  }
}
