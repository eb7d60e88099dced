/**
 * A server's keys beside the vault's: which entry uses each server key (now, before a rotation, or
 * being created by one), whether the keychain holds its secret, where permissions or the enabled
 * flag differ, which entries the server no longer lists, which are not linked to a server name, and
 * which keys a lost creation left live with nobody holding their token.
 */
import type { KeyRef, KeySummary, ServerKey } from '../../shared/contract.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import type { AdminStore, RemoteKey } from './admin-store.ts';

export interface RemoteKeyView extends RemoteKey {
  /** The vault entry that uses this server key, and how. */
  local: ServerKey['local'];
}

export interface RemoteListing {
  tenant: string;
  takenAt: string;
  snapshotId: number;
  credential: string;
  keys: RemoteKeyView[];
  /** Vault entries whose server key (its name known) the server no longer lists. */
  missingOnServer: { ref: KeyRef; remoteName: string }[];
  /** Vault entries whose name on the server is not known, and that the server does not list under their own name. */
  notLinked: KeyRef[];
  /** Keys a creation made whose answer (with the token) was lost: live, and nobody holds their token. */
  orphaned: { name: string; since: string }[];
}

/** What a comparison reads. */
export interface ListingSources {
  keys: KeyService;
  tenants: TenantService;
  store: AdminStore;
  secrets: SecretStore;
}

/** Compares a server's keys with the vault's entries of the tenant; `held` gives secrets already read, by account. */
export async function compareWithVault(vault: ListingSources, alias: string, remote: RemoteKey[], withMissing = true, held?: Map<string, string | null>): Promise<Pick<RemoteListing, 'keys' | 'missingOnServer' | 'notLinked' | 'orphaned'>> {
  const entries = vault.keys.list({ tenant: alias });
  const rotating = new Map(vault.store.openRotations(alias).map((rotation) => [rotation.key_id, rotation]));
  // A name an entry uses now is that entry's key, whatever an earlier creation of it left behind.
  const used = new Set(entries.map((entry) => entry.remoteName));
  const orphaned = vault.store
    .createIntents(vault.tenants.require(alias).ref)
    .filter((intent) => intent.state === 'orphaned' && !used.has(intent.remote_name) && remote.some((key) => key.name === intent.remote_name))
    .map((intent) => ({ name: intent.remote_name, since: intent.started_at }));
  const byRemote = new Map<string, { entry: KeySummary; role: 'current' | 'previous' | 'rotating'; account: string }>();
  for (const entry of entries) {
    byRemote.set(entry.remoteName, { entry, role: 'current', account: entry.secretAccount });
    for (const credential of vault.keys.credentials(entry.id)) {
      if (credential.state !== 'deleted') byRemote.set(credential.remote_name, { entry, role: 'previous', account: credential.account });
    }
    const rotation = rotating.get(entry.id);
    if (rotation?.state === 'started') byRemote.set(rotation.new_remote_name, { entry, role: 'rotating', account: rotation.new_account });
  }
  const keys: RemoteKeyView[] = [];
  for (const key of remote) {
    const match = byRemote.get(key.name);
    if (!match) {
      keys.push({ ...key, local: null });
      continue;
    }
    const declared = match.entry.scopes;
    keys.push({
      ...key,
      local: {
        ref: { tenant: alias, name: match.entry.name },
        role: match.role,
        hasSecret: (held?.has(match.account) ? (held.get(match.account) ?? null) : await vault.secrets.get(match.account)) !== null,
        declaredScopes: declared,
        permissionsDiffer: match.role === 'current' && [...declared].sort().join('\n') !== [...key.permissions].sort().join('\n'),
        enabledDiffers: match.role === 'current' && match.entry.enabled !== key.enabled,
      },
    });
  }
  const listed = new Set(remote.map((key) => key.name));
  const absent = withMissing ? entries.filter((entry) => !listed.has(entry.remoteName)) : [];
  // A name only presumed (the entry's own) that the server does not list is not a deleted key: it is unknown.
  const missingOnServer = absent.filter((entry) => entry.remoteNameKnown).map((entry) => ({ ref: { tenant: alias, name: entry.name }, remoteName: entry.remoteName }));
  const notLinked = absent.filter((entry) => !entry.remoteNameKnown).map((entry) => ({ tenant: alias, name: entry.name }));
  return { keys, missingOnServer, notLinked, orphaned };
}
