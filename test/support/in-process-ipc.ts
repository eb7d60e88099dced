/**
 * An IpcMainLike that lives in the test process: the router registers on it exactly as it does on
 * Electron's ipcMain, and tests (or Playwright's exposeBinding) invoke channels through it, with
 * the frame Electron would report (web-frame.ts).
 */
import v8 from 'node:v8';
import type { IpcHandler, IpcInvokeEvent, IpcMainLike } from '../../src-main/ipc/ipc-main-like.ts';
import { WebFrameStandIn } from './web-frame.ts';

export class InProcessIpcMain implements IpcMainLike {
  private readonly handlers = new Map<string, IpcHandler>();

  handle(channel: string, listener: IpcHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** The handler itself, to call it as no transport would (with a value structured clone would change). */
  handler(channel: string): IpcHandler | undefined {
    return this.handlers.get(channel);
  }

  channels(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Calls a channel as a renderer frame would. Arguments and the reply cross as Electron's IPC
   * carries them: "serialized with the Structured Clone Algorithm" (api/ipc-renderer, invoke), here
   * a v8.serialize round trip, so a function or a Proxy fails as it would. An unknown channel
   * rejects as in Electron.
   */
  async invoke(channel: string, event: IpcInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const reply = await handler(event, ...(v8.deserialize(v8.serialize(args)) as unknown[]));
    return v8.deserialize(v8.serialize(reply));
  }
}

/** The top frame of the app's window, showing its page: the one frame the router trusts. */
export function appFrame(url = 'app://tenant-key-vault/index.html'): WebFrameStandIn {
  return new WebFrameStandIn(url);
}

/** The event of a call from `frame`. */
export function frameEvent(frame: WebFrameStandIn | null): IpcInvokeEvent {
  return { senderFrame: frame };
}
