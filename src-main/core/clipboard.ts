/**
 * The system clipboard, as core and the IPC handlers use it: the Electron main process passes its
 * own; tests pass one in memory. Copies happen in the main process, so what is copied never has to
 * cross to the renderer.
 */
export interface Clipboard {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/** A clipboard held in memory: for tests, and for a front door without a system clipboard. */
export class MemoryClipboard implements Clipboard {
  text = '';

  async readText(): Promise<string> {
    return this.text;
  }

  async writeText(text: string): Promise<void> {
    this.text = text;
  }
}
