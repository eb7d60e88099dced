/**
 * What the vault knows about a key, beyond its row: where else the same token is held, whether it is
 * an entry's earlier key, what the server's last list said of it. A check's advice is built from it.
 */
import type { KeyRef } from '../../shared/contract.ts';

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
  server: { remoteName: string; state: 'enabled' | 'disabled' | 'missing' | 'unlinked'; snapshotAt: string } | null;
  /** Other entries that hold the very same token (another tenant or environment). */
  elsewhere: { holder: KeyRef; tenantId: string; environment: string }[];
  /** Entries whose earlier key (replaced by a rotation) this token is. */
  previous: { holder: KeyRef; remoteName: string; state: 'overlap' | 'disabled' | 'deleted'; replacedAt: string; retiredAt: string | null }[];
}

/** Knowledge of a key the vault knows nothing about. */
export const NOTHING_KNOWN: KeyKnowledge = Object.freeze({ ref: null, declaredScopes: null, expiredOn: null, server: null, elsewhere: [], previous: [] });

/** Looks knowledge up; one source per operation, so that a bulk run reads each snapshot once. */
export interface KnowledgeSource {
  /** About a stored entry, by its id. */
  of(key: { id: string }): KeyKnowledge;
  /** About a token the vault may hold somewhere, by its fingerprint. */
  ofToken(fingerprint: string): KeyKnowledge;
}
