/**
 * The keychain beside the inventory: each kind of stray (a secret no entry refers to, an entry whose
 * secret is gone) found, and this vault's strays deleted when asked, never while the inventory has
 * lost its past (its secrets would all look like strays then).
 */
import type { ReconcileReport } from '../../shared/contract.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Connection } from '../db/connection.ts';
import { inventoryLoss } from '../db/health.ts';
import { VaultError } from '../errors.ts';
import { isKeyAccount, type SecretStore } from '../secrets/secret-store.ts';
import { bearerAccount, type TenantService } from '../tenants/tenant-service.ts';
import type { KeyStore } from './key-store.ts';

/** What reconciling reads and writes through. */
export interface Reconciling {
  db: Connection;
  store: KeyStore;
  secrets: SecretStore;
  tenants: TenantService;
  audit: AuditService;
}

/**
 * Compares keychain entries with key rows and reports both kinds of stray; deletes nothing, since
 * either side may be the one a person still needs.
 */
export async function reconcileKeychain(vault: Reconciling): Promise<ReconcileReport> {
  const accounts = new Set((await vault.secrets.listAccounts()).filter(isKeyAccount));
  const keys = vault.store.list();
  const missingSecrets: ReconcileReport['missingSecrets'] = [];
  for (const key of keys) {
    if (accounts.has(key.secret_account)) accounts.delete(key.secret_account);
    else missingSecrets.push({ tenant: key.tenant_alias, name: key.name, id: key.secret_account });
  }
  // Earlier credentials kept for an overlap or a disabled key, a rotation's new token before the
  // switch, and pasted admin bearer tokens are known too.
  for (const account of knownAccounts(vault)) accounts.delete(account);
  return { orphanSecrets: [...accounts].sort().map((account) => ({ account })), missingSecrets, checkedKeys: keys.length };
}

/**
 * The keychain accounts the vault refers to besides its entries' current secrets: earlier
 * credentials, an open rotation's new token, the tenants' bearer tokens.
 */
export function knownAccounts(vault: Reconciling): string[] {
  return [...vault.store.credentials().map((credential) => credential.account), ...vault.store.rotatingAccounts(), ...vault.tenants.records().map((tenant) => bearerAccount(tenant.ref))];
}

/**
 * Deletes keychain entries of this vault's service that nothing in the inventory refers to (found
 * afresh, so an entry that became known since a report is kept). Returns the accounts deleted.
 */
export async function removeOrphanSecrets(vault: Reconciling): Promise<{ removed: string[] }> {
  // An inventory that lost its past makes every secret an "orphan": deleting them would finish the loss.
  const loss = await inventoryLoss(vault.db.raw, vault.secrets, vault.db.file);
  if (loss) {
    throw new VaultError('INVENTORY_LOST', `The inventory lists no key while the keychain holds ${loss.secrets} secret${loss.secrets === 1 ? '' : 's'} of this vault: they are what a lost inventory leaves, not strays, and they are not deleted. Restore the inventory first.`, {
      remedies: loss.backups[0] ? [{ code: 'restore-inventory', backup: loss.backups[0].file, takenAt: loss.backups[0].takenAt }] : [{ code: 'rebuild-inventory', service: loss.service }],
    });
  }
  const { orphanSecrets } = await reconcileKeychain(vault);
  const removed: string[] = [];
  for (const { account } of orphanSecrets) {
    if (await vault.secrets.delete(account)) removed.push(account);
  }
  if (removed.length > 0) vault.audit.record('orphans_removed', { detail: { accounts: removed.length } });
  return { removed };
}
