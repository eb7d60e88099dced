/** A unique keychain service per test run, and its removal afterwards. */
import { randomUUID } from 'node:crypto';
import { VaultError } from '../../src-main/core/errors.ts';
import { KeytarSecretStore } from '../../src-main/core/secrets/keytar-secret-store.ts';
import type { SecretStore } from '../../src-main/core/secrets/secret-store.ts';
import { PROBE_ACCOUNT_PREFIX } from '../../src-main/core/secrets/secret-store.ts';

export function uniqueService(label: string): string {
  return `tkv-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every entry filed under `service`, so no test leaves anything in a real keychain. */
export async function clearService(service: string): Promise<void> {
  const store = new KeytarSecretStore({ service });
  for (const account of await store.listAccounts()) await store.delete(account);
}

/**
 * The real keychain, except that writes of anything but the round-trip probe fail: a keychain that
 * answers the check before a create, then stops answering when the new token arrives.
 */
export function failingAfterRoundTrip(store: SecretStore): SecretStore {
  return {
    service: store.service,
    backend: store.backend,
    get: (account) => store.get(account),
    set: (account, secret) => (account.startsWith(PROBE_ACCOUNT_PREFIX) ? store.set(account, secret) : Promise.reject(new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain stopped answering.'))),
    delete: (account) => store.delete(account),
    listAccounts: () => store.listAccounts(),
  };
}
