/**
 * The part of Electron's ipcMain that the router uses, as a plain interface, so that the router
 * runs under Node in tests (wired to Playwright's exposeBinding) and in Electron alike.
 */
export interface IpcSenderFrame {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

export interface IpcInvokeEvent {
  /** The frame that sent the call; null when it has gone away. */
  senderFrame: IpcSenderFrame | null;
}

export type IpcHandler = (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>;

export interface IpcMainLike {
  handle(channel: string, listener: IpcHandler): void;
  removeHandler(channel: string): void;
}
