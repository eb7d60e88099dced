/** A unique keychain service per test run, and its removal afterwards. */
import { randomUUID } from 'node:crypto';
import { KeytarSecretStore } from '../../src-main/core/secrets/keytar-secret-store.ts';

export function uniqueService(label: string): string {
  return `tkv-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every entry filed under `service`, so no test leaves anything in a real keychain. */
export async function clearService(service: string): Promise<void> {
  const store = new KeytarSecretStore({ service });
  for (const account of await store.listAccounts()) await store.delete(account);
}
