/**
 * An IpcMainLike that lives in the test process: the router registers on it exactly as it does on
 * Electron's ipcMain, and tests (or Playwright's exposeBinding) invoke channels through it.
 */
import type { IpcHandler, IpcInvokeEvent, IpcMainLike } from '../../src-main/ipc/ipc-main-like.ts';

export class InProcessIpcMain implements IpcMainLike {
  private readonly handlers = new Map<string, IpcHandler>();

  handle(channel: string, listener: IpcHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  channels(): string[] {
    return [...this.handlers.keys()];
  }

  /** Calls a channel as a renderer frame at `url` would; an unknown channel rejects as in Electron. */
  invoke(channel: string, event: IpcInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler(event, ...args);
  }
}

/** The event of a top-level frame at `url`. */
export function frameEvent(url: string): IpcInvokeEvent {
  return { senderFrame: { url, parent: null } };
}
