/**
 * A write, read and delete of a throwaway entry: proof that the keychain answers now. The health check
 * reports it; an action whose result must go into the keychain and cannot be asked for twice (a
 * token the server shows once) requires it first, so that a locked or absent keychain is found
 * while nothing has happened yet.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { VaultError } from '../errors.ts';
import { PROBE_ACCOUNT_PREFIX, type SecretStore } from './secret-store.ts';

/**
 * Writes, reads back and deletes a probe entry. Throws what the keychain threw (KEYCHAIN_UNAVAILABLE
 * for a keychain that is absent, locked or silent), or KEYCHAIN_UNAVAILABLE when the value read back
 * differs; resolves with whether the probe entry could be deleted.
 */
export async function keychainRoundTrip(secrets: SecretStore): Promise<{ deleted: boolean }> {
  const account = `${PROBE_ACCOUNT_PREFIX}${randomUUID()}`;
  const probe = randomBytes(24).toString('base64url');
  let deleted = false;
  try {
    await secrets.set(account, probe);
    const readBack = await secrets.get(account);
    if (readBack !== probe) throw new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain wrote a test entry but read back something else; check for another tool rewriting its entries.');
    deleted = await secrets.delete(account);
    return { deleted };
  } finally {
    if (!deleted) await secrets.delete(account).catch(() => undefined);
  }
}

/** The round trip before a server call whose token must be stored: a failure says nothing was sent. */
export async function requireKeychainBeforeCreate(secrets: SecretStore): Promise<void> {
  try {
    await keychainRoundTrip(secrets);
  } catch (error) {
    if (error instanceof VaultError) throw new VaultError(error.code, `${error.message} Nothing was sent to the server.`, { cause: error });
    throw error;
  }
}
