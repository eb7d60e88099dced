/**
 * Registers every contract channel on an IpcMainLike. One `handle()` does what no handler repeats:
 * it checks that the sender is the top frame of the app's own window showing the app's page
 * (sender.ts, the one check), validates the input against the
 * channel's schema, and wraps the outcome as a Result, so that nothing thrown ever crosses IPC and a
 * bad payload never reaches a service.
 */
import { CHANNELS, type Channel } from '../shared/contract.ts';
import type { Result } from '../shared/errors.ts';
import { toErrorInfo } from '../core/errors.ts';
import { IPC_CHANNELS } from './channels.ts';
import type { IpcEntry } from './domain.ts';
import { relayChanges } from './change-relay.ts';
import type { IpcContext } from './ipc-context.ts';
import type { IpcInvokeEvent, IpcMainLike } from './ipc-main-like.ts';
import { describeIssues } from './schema-parts.ts';
import { isTrustedSender, type AppPage, type SenderFrame } from './sender.ts';

export interface RouterOptions {
  /** The app's page: only a frame showing it may call. */
  page: AppPage;
  /** The top frames of the windows the app created (`webContents.mainFrame` of each), asked at each call. */
  ownFrames(): Iterable<SenderFrame>;
  /** Where unexpected failures are reported; never given the input. */
  log?(message: string): void;
}

/** Registers all channels; returns a function that unregisters them. */
export function registerIpcRouter(ipcMain: IpcMainLike, context: IpcContext, options: RouterOptions): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, ...args) => handle(channel, event, args, context, options));
  }
  // The vault's changes, whoever made them (a handler, a job, another process), reach the windows here.
  const stopRelay = relayChanges(context.services.events, context.emit);
  return () => {
    stopRelay();
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}

async function handle(channel: Channel, event: IpcInvokeEvent, args: unknown[], context: IpcContext, options: RouterOptions): Promise<Result<unknown>> {
  if (!isTrustedSender(event.senderFrame, options.ownFrames(), options.page)) {
    options.log?.(`[ipc] refused ${channel} from an untrusted frame`);
    return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: 'This window is not allowed to use the vault.' } };
  }
  if (args.length > 1) return invalid(`${channel} takes one argument`);
  if (!isPlainData(args[0])) return invalid('input must be a plain object');
  const entry = IPC_CHANNELS[channel] as unknown as IpcEntry<Channel>;
  const parsed = entry.input.safeParse(args[0]);
  if (!parsed.success) return invalid(describeIssues(parsed.error));
  try {
    return { ok: true, value: await entry.handle(parsed.data, context) };
  } catch (error) {
    const info = toErrorInfo(error);
    if (info.code === 'INTERNAL') options.log?.(`[ipc] ${channel} failed unexpectedly: ${(error as Error)?.name ?? typeof error}`);
    return { ok: false, error: info };
  }
}

/**
 * Only data as structured clone delivers it: plain objects, with nothing inherited that a schema
 * could read as a field. The router does not rely on its transport to guarantee that.
 */
function isPlainData(input: unknown): boolean {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return true;
  const prototype: unknown = Object.getPrototypeOf(input);
  return prototype === Object.prototype || prototype === null;
}

function invalid(message: string): Result<never> {
  return { ok: false, error: { code: 'INVALID_INPUT', message: `Invalid input: ${message}.` } };
}
