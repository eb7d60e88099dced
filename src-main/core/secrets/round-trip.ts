/**
 * A write, read and delete of a throwaway entry: proof that the keychain answers now. Run before an
 * action whose result must go into the keychain and cannot be asked for twice (a token the server
 * shows once), so that a locked or absent keychain is found while nothing has happened yet.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { VaultError } from '../errors.ts';
import { PROBE_ACCOUNT_PREFIX } from '../vault/vault-service.ts';
import type { SecretStore } from './secret-store.ts';

export async function keychainRoundTrip(secrets: SecretStore): Promise<void> {
  const account = `${PROBE_ACCOUNT_PREFIX}${randomUUID()}`;
  const probe = randomBytes(24).toString('base64url');
  try {
    await secrets.set(account, probe);
    const readBack = await secrets.get(account);
    if (readBack !== probe) throw new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain wrote a test entry but read back something else; nothing was sent to the server.');
  } catch (error) {
    if (error instanceof VaultError) {
      throw new VaultError(error.code, `${error.message} Nothing was sent to the server.`, { cause: error });
    }
    throw error;
  } finally {
    await secrets.delete(account).catch(() => undefined);
  }
}
