/** The app's built-in sandbox: the emulator on loopback, for a first run with no vendor account. */
import { channel } from './channel.ts';

export interface SandboxStatusView {
  running: boolean;
  url: string | null;
  /** The vault's sandbox tenant, if it has one. */
  tenant: string | null;
}

export const sandboxChannels = {
  'sandbox:status': channel<void, SandboxStatusView>(),
  /** Starts the emulator (stopped when the app quits) and adds the sandbox tenant with its admin key. */
  'sandbox:start': channel<void, SandboxStatusView>(),
  /** Removes the sandbox in one action: its tenant, every key of it, and the emulator's state. */
  'sandbox:remove': channel<void, { removedKeys: number }>(),
};
