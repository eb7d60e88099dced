/**
 * The keychain, as core sees it: four calls, one entry per key, the account being the key's id.
 * Implementations never fall back to storing a secret anywhere else.
 */
export interface SecretStore {
  /** The secret filed under `account`, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** Removes the entry; false when there was none. */
  delete(account: string): Promise<boolean>;
  /** Every account filed under this store's service. */
  listAccounts(): Promise<string[]>;
  /** The keychain service name, for messages and the health check. */
  readonly service: string;
  /** Which keychain this is, for a person: "macOS Keychain", "Secret Service (libsecret)" … */
  readonly backend: string;
}

/** Keychain accounts with this prefix are throwaway entries of a round trip (the health check, proof of an unlocked keychain), never keys. */
export const PROBE_ACCOUNT_PREFIX = 'tkv-doctor-probe-';

/** Keychain accounts with this prefix hold this vault's team identity (core/team), never keys. */
export const TEAM_ACCOUNT_PREFIX = 'tkv-team-';

/** Whether a keychain account may hold a key's secret: not a probe's round trip, not the team identity. */
export function isKeyAccount(account: string): boolean {
  return !account.startsWith(PROBE_ACCOUNT_PREFIX) && !account.startsWith(TEAM_ACCOUNT_PREFIX);
}
