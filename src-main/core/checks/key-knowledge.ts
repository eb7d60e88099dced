/**
 * What the vault knows about a key, beyond its row: where else the same token is held, whether it is
 * an entry's earlier key, what the server's last list said of it. A check's advice is built from it.
 */
import type { KeyRef, KeySummary } from '../../shared/contract.ts';
import type { AdminService, RemoteKey } from '../admin/admin-service.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { TenantService } from '../tenants/tenant-service.ts';

export interface KeyKnowledge {
  /** The stored entry checked, or null for a pasted key. */
  ref: KeyRef | null;
  /** Its declared scopes, when it is a stored key. */
  declaredScopes: string[] | null;
  /** Its expiry date, when the vault records one that has passed. */
  expiredOn: string | null;
  /**
   * What the last server snapshot said of it, when there is one: `unlinked` when the snapshot has no
   * key of its presumed name and the vault does not know its real name (not a sign of deletion).
   */
  server: {
    remoteName: string;
    state: 'enabled' | 'disabled' | 'missing' | 'unlinked';
    snapshotAt: string;
    /** When unlinked: the listed server keys no entry of the tenant uses, one of which is likely this key. */
    unclaimed?: string[];
  } | null;
  /**
   * Other entries that hold the very same token (another tenant or environment); for a pasted key,
   * an entry of the very tenant id checked says where its key goes (`baseUrl`, `baseUrlHere`) or how
   * it is sent (`sentAs`, `sentHere`) when that is what differs.
   */
  elsewhere: { holder: KeyRef; tenantId: string; environment: string; sentAs?: string; sentHere?: string; baseUrl?: string; baseUrlHere?: string }[];
  /** Entries whose earlier key (replaced by a rotation) this token is. */
  previous: { holder: KeyRef; remoteName: string; state: 'overlap' | 'disabled' | 'deleted'; replacedAt: string; retiredAt: string | null }[];
}

/** Knowledge of a key the vault knows nothing about. */
export const NOTHING_KNOWN: KeyKnowledge = Object.freeze({ ref: null, declaredScopes: null, expiredOn: null, server: null, elsewhere: [], previous: [] });

/** What a check holds of the entry it checks: enough to say what the vault knows without reading it again. */
export type KnownKeyFacts = Pick<KeySummary, 'id' | 'tenant' | 'name' | 'scopes' | 'expiresOn' | 'remoteName' | 'remoteNameKnown' | 'fingerprint'>;

/** Looks knowledge up; one source per operation, so that a bulk run reads each snapshot once. */
export interface KnowledgeSource {
  /** About a stored entry, from the facts of it the caller holds. */
  of(key: KnownKeyFacts): KeyKnowledge;
  /** About a token the vault may hold somewhere, by its fingerprint. */
  ofToken(fingerprint: string): KeyKnowledge;
}

/** Where knowledge comes from: the keys domain, the tenants, and the servers' last listings (admin). */
export interface KnowledgeSources {
  keys: Pick<KeyService, 'holdersOf' | 'list' | 'credentials'>;
  tenants: Pick<TenantService, 'require'>;
  admin: Pick<AdminService, 'snapshotOf'>;
}

/**
 * What the vault knows about keys, for a check's advice: where else a token is held, whose earlier
 * key it is, what the server's last list said. One source per operation: snapshots are read once.
 */
export function vaultKnowledge(sources: KnowledgeSources, today: string): KnowledgeSource {
  const snapshots = new Map<string, { takenAt: string; keys: Map<string, RemoteKey> } | null>();
  const snapshotOf = (alias: string) => {
    if (!snapshots.has(alias)) {
      const snapshot = sources.admin.snapshotOf(sources.tenants.require(alias).ref);
      snapshots.set(alias, snapshot ? { takenAt: snapshot.takenAt, keys: new Map(snapshot.keys.map((key) => [key.name, key])) } : null);
    }
    return snapshots.get(alias)!;
  };
  /** The listed server keys no entry of the tenant uses, now or before a rotation. */
  const unclaimedOf = (alias: string, listed: Iterable<string>): string[] => {
    const entries = sources.keys.list({ tenant: alias });
    const ids = new Set(entries.map((entry) => entry.id));
    const used = new Set([...entries.map((entry) => entry.remoteName), ...sources.keys.credentials().filter((credential) => ids.has(credential.key_id)).map((credential) => credential.remote_name)]);
    return [...listed].filter((name) => !used.has(name)).sort();
  };
  return {
    of: (key) => {
      const snapshot = snapshotOf(key.tenant);
      const listed = snapshot?.keys.get(key.remoteName);
      const state = listed ? (listed.enabled ? 'enabled' : 'disabled') : key.remoteNameKnown ? 'missing' : 'unlinked';
      return {
        ref: { tenant: key.tenant, name: key.name },
        declaredScopes: key.scopes,
        expiredOn: key.expiresOn !== null && key.expiresOn < today ? key.expiresOn : null,
        server: snapshot ? { remoteName: key.remoteName, state, snapshotAt: snapshot.takenAt, ...(state === 'unlinked' ? { unclaimed: unclaimedOf(key.tenant, snapshot.keys.keys()) } : {}) } : null,
        ...sources.keys.holdersOf(key.fingerprint, key.id),
      };
    },
    ofToken: (print) => ({ ...NOTHING_KNOWN, ...sources.keys.holdersOf(print, null) }),
  };
}
