/**
 * A key's usage, per source, as the vendor's logs and the vault's own records show it. No evidence
 * is said as such, never shown as zero use.
 */
import type { KeyRef } from './contract/keys.ts';

/** Which `Logs` column names the key, the time, and (when the logs have them) the caller's address and user agent. */
export interface UsageColumns {
  key: string;
  time: string;
  address: string | null;
  userAgent: string | null;
}

/** A tenant's usage query (see core/usage/usage-query.ts). */
export interface UsageSettings {
  tenant: string;
  template: string;
  columns: UsageColumns;
  /** Whether the template is the one the mapping implies (it then follows the mapping). */
  templateIsDefault: boolean;
}

export interface UsageHour {
  /** The hour's start, ISO 8601. */
  hour: string;
  requests: number;
}

export interface UsageCaller {
  /** The caller's address and user agent; null where the logs have no such column. */
  address: string | null;
  userAgent: string | null;
  requests: number;
  lastSeen: string;
}

/** What the vendor's logs (Insights) said of the key over the window, or why they could not be asked. */
export type InsightsEvidence =
  | {
      state: 'found';
      /** The credential that asked (a label: "admin key acme/admin"). */
      credential: string;
      /** The rendered query, as sent (a key name and a window, never a secret). */
      query: string;
      /** The key's last request in the window, or null when it made none. */
      lastSeen: string | null;
      requests: number;
      /** Every hour of the window, oldest first, hours without a request at 0. */
      hours: UsageHour[];
      /** Callers, the most recent first. */
      callers: UsageCaller[];
      /** Requests of the vault's own checks (its user agent), left out of the figures above. */
      ownChecks: number;
      /** Whether the logs could tell the vault's own checks apart (they need a user-agent column). */
      ownChecksKnown: boolean;
    }
  /** No stored key of the tenant holds Insights.Read (and no admin credential). */
  | { state: 'no-credential'; reason: string }
  /** The vendor has no Insights API. */
  | { state: 'unsupported'; reason: string }
  /** The query was refused: the credential (401/403), the template (400), the rate limit (429), or it failed. */
  | { state: 'refused' | 'bad-query' | 'throttled' | 'failed' | 'unreadable'; credential: string | null; reason: string; retryAfterSeconds?: number | null };

/** `tkv exec` runs that handed the key to a program (from the audit log): which program, when. Never its value. */
export interface VaultEvidence {
  runs: { at: string; program: string; actor: string }[];
  lastSeen: string | null;
}

export interface KeyUsage {
  key: KeyRef;
  /** The window asked about: its length as given (24h, 45d) and its bounds. */
  window: { since: string; from: string; to: string };
  insights: InsightsEvidence;
  vault: VaultEvidence;
  /** What the vault remembers from earlier asks: the newest request ever seen, and since when it has looked without a gap. */
  remembered: RememberedUsage | null;
}

/** Usage evidence kept in the inventory, for offline review and exports. */
export interface RememberedUsage {
  /** The newest request the logs ever showed (or an exec run), or null: none seen. */
  lastSeen: string | null;
  /** Since when the logs have been looked at without a gap: no request unseen after this. */
  coveredFrom: string;
  askedAt: string;
}

/** A rotation's overlap: the old and the new server key's use side by side, since the rotation began. */
export interface OverlapUsage {
  key: KeyRef;
  oldRemoteName: string;
  newRemoteName: string;
  window: { since: string; from: string; to: string };
  old: InsightsEvidence;
  new: InsightsEvidence;
  /**
   * What the evidence says of the old key: still in use within the last hour (`in-use`), quiet for
   * `quietHours` (`quiet`), or not known (`unknown`: the logs could not be asked).
   */
  oldKey: { state: 'in-use'; lastSeen: string; caller: string | null } | { state: 'quiet'; quietHours: number; lastSeen: string | null } | { state: 'unknown'; reason: string };
}
