/** A key's use (the vendor's logs, exec runs), a rotation's overlap evidence, and a tenant's usage query. */
import type { KeyRef } from './keys.ts';
import type { KeyUsage, OverlapUsage, UsageColumns, UsageSettings } from '../usage.ts';
import { channel } from './channel.ts';

export const usageChannels = {
  /** Asks the vendor's logs now (one Insights call) and reads the exec runs. */
  'usage:key': channel<{ key: KeyRef; since?: string }, KeyUsage>(),
  /** The open rotation of the key: both server keys' use side by side (two Insights calls). */
  'usage:overlap': channel<{ key: KeyRef }, OverlapUsage>(),
  'usage:settings': channel<{ tenant: string }, UsageSettings>(),
  'usage:configure': channel<{ tenant: string; template?: string | null; columns?: Partial<UsageColumns>; reset?: boolean }, UsageSettings>(),
};
