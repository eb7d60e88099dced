/**
 * The part of Electron's ipcMain that the router uses, as a plain interface, so that the router
 * runs under Node in tests (wired to Playwright's exposeBinding) and in Electron alike.
 */
import type { SenderFrame } from './sender.ts';

export interface IpcInvokeEvent {
  /** The frame that sent the call (Electron's WebFrameMain); null when it has gone away or navigated. */
  readonly senderFrame: SenderFrame | null;
}

export type IpcHandler = (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>;

export interface IpcMainLike {
  handle(channel: string, listener: IpcHandler): void;
  removeHandler(channel: string): void;
}
