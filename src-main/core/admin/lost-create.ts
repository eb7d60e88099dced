import type { KeyRef } from '../../shared/contract.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Connection } from '../db/connection.ts';
import { VaultError } from '../errors.ts';
import type { AdminClient } from '../vendors/wallet-crew/admin-api.ts';
import type { AdminStore } from './admin-store.ts';

/**
 * The answer to a creation was lost on the way back (a reset, a timeout): the server is asked
 * whether it made the key. Made, the key is live and nobody holds its token — the server shows it
 * once, in the answer that was lost — so it serves nobody and is to be deleted; not made, nothing
 * changed; and when the server cannot be asked, the creation stays written down for the next listing.
 */
export async function followUpLostCreate(vault: { db: Connection; store: AdminStore; audit: AuditService }, ref: KeyRef, client: AdminClient, intentId: string, why: string): Promise<VaultError> {
  const looked = await client.get(ref.name);
  // The transport's own words for what happened, without the admin client's framing around them.
  const cause = why.replace(/^Could not [^:]+: /, '').replace(/ The request may have reached the server.*$/, '');
  if (looked.ok) {
    vault.db.transaction(() => {
      vault.store.settleCreateIntent(intentId, 'orphaned');
      vault.audit.record('remote_created', { tenant: ref.tenant, keyName: ref.name, detail: { remoteName: ref.name, answerLost: true, enabled: looked.value.enabled, permissions: looked.value.permissions } });
    });
    return new VaultError(
      'REMOTE_FAILED',
      `The server created "${ref.name}" (it lists it now, ${looked.value.enabled ? 'enabled' : 'disabled'}), but its answer never arrived: ${cause} That answer was the only one to carry the key's token: the key is live and nobody holds its token, so it serves nobody. Delete it on the server, then create it again.`,
      { remedies: [{ code: 'delete-orphan-server-key', tenant: ref.tenant, name: ref.name }] },
    );
  }
  if (looked.error.kind === 'not_found') {
    vault.store.settleCreateIntent(intentId, 'done');
    return new VaultError('REMOTE_FAILED', `The answer to creating "${ref.name}" was lost, and the server lists no such key: nothing was created. Create it again.`);
  }
  return new VaultError(
    'REMOTE_FAILED',
    `The answer to creating "${ref.name}" was lost, and the server could not be asked whether it made the key (${looked.error.message}) The creation stays written down: the next listing of ${ref.tenant}'s server keys says whether "${ref.name}" exists, and then nobody holds its token.`,
    { remedies: [{ code: 'list-server-keys', tenant: ref.tenant }] },
  );
}
