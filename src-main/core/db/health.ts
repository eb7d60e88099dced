/**
 * Whether the inventory still knows what it held. An inventory that was deleted, emptied to 0 bytes
 * or replaced is opened as a fresh, empty one — and a fresh vault beside keychain entries of this
 * vault's service is not fresh: it lost its past, and the secrets it held are still in the keychain.
 * That is reported, never silently started afresh: every front door stops on it and says what to do
 * (restore a backup), and nothing that would forget those secrets runs meanwhile.
 */
import { isKeyAccount, type SecretStore } from '../secrets/secret-store.ts';
import { listBackups, type InventoryBackup } from './backups.ts';
import type { InventoryDatabase } from './database.ts';

export interface InventoryLoss {
  /** How many secrets of this vault's keychain service no row of the inventory refers to. */
  secrets: number;
  service: string;
  /** The backups there are to restore, newest first. */
  backups: InventoryBackup[];
}

/**
 * The loss, if the inventory holds no key while the keychain holds secrets of this vault; null
 * otherwise. Cheap when the inventory holds keys: the keychain is listed only for an empty one.
 */
export async function inventoryLoss(db: InventoryDatabase, secrets: SecretStore, inventoryFile: string): Promise<InventoryLoss | null> {
  const held = (db.prepare('SELECT (SELECT count(*) FROM keys) + (SELECT count(*) FROM key_credentials) + (SELECT count(*) FROM rotations) AS n').get() as { n: number }).n;
  if (held > 0) return null;
  // A tenant's pasted bearer token is the inventory's too (account bearer:<tenant row id>).
  const bearers = new Set((db.prepare('SELECT id FROM tenants').all() as { id: string }[]).map((row) => `bearer:${row.id}`));
  const accounts = (await secrets.listAccounts()).filter((account) => isKeyAccount(account) && !bearers.has(account));
  if (accounts.length === 0) return null;
  return { secrets: accounts.length, service: secrets.service, backups: listBackups(inventoryFile) };
}

/** `PRAGMA quick_check`'s finding when a page of the inventory is damaged; null when it is sound. */
export function inventoryDamage(db: InventoryDatabase): string | null {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const found = rows.map((row) => row.quick_check).filter((line) => line !== 'ok');
  return found.length > 0 ? found.join('; ').slice(0, 500) : null;
}
