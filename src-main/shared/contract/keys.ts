/** Stored keys: metadata only, except for the one explicit reveal. */
import type { KeyFieldEdit, KeyFieldInput, KeyFieldValues } from '../key-fields.ts';
import type { Environment } from '../rules.ts';
import type { Verdict } from '../verdicts.ts';
import { channel } from './channel.ts';

export interface KeyRef {
  tenant: string;
  name: string;
}

/**
 * A stored key's metadata. Never the secret: only its fingerprint. What a person writes of it (its
 * declared scopes, expiry, owner, notes: KeyFieldValues) is declared in ../key-fields.ts.
 */
export interface KeySummary extends KeyFieldValues {
  /** Stable id of the entry. */
  id: string;
  tenant: string;
  /** The tenant's environment (production, staging, or a custom base URL). */
  environment: Environment;
  name: string;
  enabled: boolean;
  admin: boolean;
  /** Short SHA-256 prefix of the token: enough to match, useless to an attacker. */
  fingerprint: string;
  createdAt: string;
  rotatedAt: string | null;
  /** True when `expiresOn` has passed. */
  expired: boolean;
  /** Days from today to `expiresOn` (negative once passed), or null when the key does not expire. */
  expiresInDays: number | null;
  /** The last verdict that judged the key (outcomes that never blame it do not replace it), and when. */
  lastJudgement: Verdict | null;
  lastJudgedAt: string | null;
  /** The last check's verdict, whatever it was (a network error, say), and when: the last time it was checked. */
  lastAttempt: Verdict | null;
  lastAttemptAt: string | null;
  /**
   * The server's name of the key the entry uses now: the one given or learnt from the server, else
   * the entry's own name, presumed.
   */
  remoteName: string;
  /** Whether that name is known (given with the key, or the server's own answer) rather than presumed. */
  remoteNameKnown: boolean;
  /** The keychain account that holds the secret in use (it changes when a rotation switches keys). */
  secretAccount: string;
}

export interface NewKeyInput extends KeyRef, KeyFieldInput {
  /** Travels renderer → main only; no channel sends it back except `keys:reveal`. */
  secret: string;
  admin?: boolean;
  /** Its name on the server, when known and different from `name`: the entry is then linked to that key. */
  remoteName?: string;
}

/** What `reconcile` found; nothing is deleted by it. */
export interface ReconcileReport {
  /** Keychain entries of this vault's service that no key row points to. */
  orphanSecrets: { account: string }[];
  /** Key rows whose keychain entry is gone. */
  missingSecrets: (KeyRef & { id: string })[];
  checkedKeys: number;
}

/** What the key table shows: filters, all optional, combined with AND. */
export interface KeyQuery {
  /** Words searched in name, tenant, owner, notes, scopes and fingerprint (all must match). */
  search?: string;
  tenant?: string;
  environment?: Environment;
  /**
   * The last judgement; `never` for keys without one (never checked, or not judged yet), `not-judged`
   * for those checked with outcomes that never judged the key (a timeout, a 5xx).
   */
  judgement?: Verdict | 'never' | 'not-judged';
  /** The last check's verdict, whatever it was (a bulk run's summary filters by it). */
  attempt?: Verdict;
  /** Expired, or expiring within 7 or 30 days (and not expired yet). */
  expiry?: 'expired' | 'within-7' | 'within-30';
  /** Only the tenants' admin credentials. */
  admin?: boolean;
  /** Only keys holding the `*` scope. */
  wildcard?: boolean;
  /** Only keys never checked at all. */
  neverChecked?: boolean;
  /** Expiring on or after / on or before these dates (`YYYY-MM-DD`). */
  expiresFrom?: string;
  expiresTo?: string;
  /** Created, or last rotated, on or after / on or before these dates (`YYYY-MM-DD`): a key's age. */
  changedFrom?: string;
  changedTo?: string;
  /** Only keys with no owner recorded. */
  noOwner?: boolean;
  /** Only keys declaring this exact scope. */
  scope?: string;
  /** Only these keys (by id): what a review's flag or chart bar shows when no filter says it. */
  ids?: string[];
}

export const KEY_SORT_COLUMNS = ['name', 'tenant', 'environment', 'scopes', 'enabled', 'expires', 'owner', 'notes', 'judgement', 'attempt', 'checked', 'created'] as const;
export type KeySortColumn = (typeof KEY_SORT_COLUMNS)[number];

export interface KeySort {
  column: KeySortColumn;
  direction: 'asc' | 'desc';
}

/** One page of the key table; the renderer never holds all keys. */
export interface KeyPage {
  offset: number;
  rows: KeySummary[];
  /** More rows follow this page. */
  hasMore: boolean;
}

/** Everything about one key but its secret: where the secret is kept, its earlier keys, its checks, its audit trail. */
export interface KeyDetail {
  key: KeySummary;
  storage: { backend: string; service: string; account: string };
  /** Earlier keys of the entry, replaced by rotations, newest first. */
  credentials: { remoteName: string; fingerprint: string; state: 'overlap' | 'disabled' | 'deleted'; replacedAt: string; retiredAt: string | null }[];
  /** Its latest checks, newest first. */
  history: { at: string; probe: string; verdict: Verdict; status: number | null; durationMs: number }[];
  /** Its latest audit entries, newest first. */
  audit: { at: string; actor: string; action: string; detail: Record<string, unknown> | null }[];
}

/** The fields of an entry a person may change; null clears one. */
export interface KeyEdit extends KeyFieldEdit {
  /** The server's name of the key the entry uses. */
  remoteName?: string;
  /** Makes the key the tenant's admin credential (and no other), or not. */
  admin?: boolean;
}

/**
 * What became of a copied secret at its clear: `cleared` (confirmed gone), `replaced` (the person
 * copied something else meanwhile; left alone), `not-cleared` (still there: tried again when the
 * window has the focus), `unconfirmed` (written over, but nothing here can read the clipboard back).
 */
export type ClipboardClearState = 'cleared' | 'replaced' | 'not-cleared' | 'unconfirmed';

export interface KeyEvents {
  /** A secret the app copied was (or could not be) taken off the clipboard. */
  'clipboard:cleared': { state: ClipboardClearState };
}

export const keysChannels = {
  /** A page of the key table, filtered and sorted in the main process. */
  'keys:page': channel<{ query: KeyQuery; sort: KeySort; offset: number; limit: number }, KeyPage>(),
  /** How many keys a query matches (apart from the page, which must not wait for it). */
  'keys:count': channel<{ query: KeyQuery }, { total: number }>(),
  /** Where a key stands in the table a query and sort show (to scroll to it), or null when the query leaves it out. */
  'keys:position': channel<{ key: KeyRef; query: KeyQuery; sort: KeySort }, { index: number | null }>(),
  'keys:detail': channel<KeyRef, KeyDetail>(),
  /** Changes an entry's metadata; warnings say what deserves a second look (an unknown scope, a past expiry). */
  'keys:edit': channel<KeyRef & { changes: KeyEdit }, { key: KeySummary; warnings: string[] }>(),
  /** Copies the secret to the clipboard in the main process (it never reaches the page); cleared after 30 s if still there. Audited. */
  'keys:copy': channel<KeyRef, { clearsAt: string }>(),
  'keys:add': channel<NewKeyInput, KeySummary>(),
  /** The one explicit reveal: returns the secret, and is audited. */
  'keys:reveal': channel<KeyRef, { secret: string }>(),
  'keys:remove': channel<KeyRef, { removed: KeyRef; keychainEntry: 'deleted' | 'already-gone' }>(),
  /**
   * Replace after regenerate (Airwallex): the regenerated key is checked, and only when it passes
   * does the entry switch to it and drop the old one. The secret travels renderer → main only.
   */
  'keys:replace': channel<KeyRef & { secret: string }, { key: KeySummary; oldFingerprint: string; probe: string; verdict: Verdict; trimmed: boolean; oldDropped: boolean }>(),
};
