/** Stored keys: metadata only, except for the one explicit reveal. */
import type { Verdict } from '../verdicts.ts';
import { channel } from './channel.ts';

export interface KeyRef {
  tenant: string;
  name: string;
}

/** A stored key's metadata. Never the secret: only its fingerprint. */
export interface KeySummary {
  /** Stable id of the entry. */
  id: string;
  tenant: string;
  name: string;
  scopes: string[];
  enabled: boolean;
  admin: boolean;
  /** Short SHA-256 prefix of the token: enough to match, useless to an attacker. */
  fingerprint: string;
  createdAt: string;
  rotatedAt: string | null;
  /** `YYYY-MM-DD`, or null when the key does not expire. */
  expiresOn: string | null;
  /** True when `expiresOn` has passed. */
  expired: boolean;
  notes: string | null;
  owner: string | null;
  /** The last verdict that judged the key (outcomes that never blame it do not replace it), and when. */
  lastJudgement: Verdict | null;
  lastJudgedAt: string | null;
  /** The last check's verdict, whatever it was (a network error, say), and when: the last time it was checked. */
  lastAttempt: Verdict | null;
  lastAttemptAt: string | null;
  /** The server's name of the key the entry uses now: its own name unless created or rotated otherwise. */
  remoteName: string;
  /** The keychain account that holds the secret in use (it changes when a rotation switches keys). */
  secretAccount: string;
}

export interface NewKeyInput extends KeyRef {
  /** Travels renderer → main only; no channel sends it back except `keys:reveal`. */
  secret: string;
  scopes?: string[];
  notes?: string;
  expiresOn?: string;
  owner?: string;
  admin?: boolean;
}

/** What `reconcile` found; nothing is deleted by it. */
export interface ReconcileReport {
  /** Keychain entries of this vault's service that no key row points to. */
  orphanSecrets: { account: string }[];
  /** Key rows whose keychain entry is gone. */
  missingSecrets: (KeyRef & { id: string })[];
  checkedKeys: number;
}

export const keysChannels = {
  'keys:list': channel<{ tenant?: string }, KeySummary[]>(),
  'keys:add': channel<NewKeyInput, KeySummary>(),
  /** The one explicit reveal: returns the secret, and is audited. */
  'keys:reveal': channel<KeyRef, { secret: string }>(),
  'keys:remove': channel<KeyRef, { removed: KeyRef; keychainEntry: 'deleted' | 'already-gone' }>(),
};
