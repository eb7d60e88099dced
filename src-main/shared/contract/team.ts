/**
 * A team: vaults that share keys through a git repository, each secret an age file readable by the
 * members it names, every change signed by its author (core/team/). What crosses IPC here is the
 * repository's metadata and this vault's view of it: never a secret, never a private key.
 */
import type { Environment } from '../rules.ts';
import type { Verdict } from '../verdicts.ts';
import { channel } from './channel.ts';
import type { KeyRef } from './keys.ts';
import type { Provider } from './tenants.ts';

/** This vault's two public keys: what a colleague adds to make it a member. */
export interface TeamIdentity {
  /** The age X25519 recipient (`age1…`): secrets are encrypted to it. */
  recipient: string;
  /** The Ed25519 public key (`ed25519:…`): this vault's changes are signed with its private half. */
  signingKey: string;
}

export interface TeamMember {
  name: string;
  recipient: string;
  signingKey: string;
  addedBy: string;
  addedAt: string;
  /** Set once the member was removed (the record stays, signed by who removed them). */
  removedBy: string | null;
  removedAt: string | null;
  founder: boolean;
  /** This vault's own identity. */
  you: boolean;
}

/** The tenant a shared key belongs to, as its sharer's vault knows it. */
export interface SharedTenant {
  alias: string;
  tenantId: string;
  environment: Environment;
  baseUrl: string;
  provider: Provider;
  /** Airwallex: the client id its keys log in with, and the account they act as. */
  clientId: string | null;
  loginAs: string | null;
}

/** One signed version of a shared key: its metadata, and who may read its secret. */
export interface SharedVersion {
  version: string;
  tenant: SharedTenant;
  name: string;
  remoteName: string | null;
  fingerprint: string;
  scopes: string[];
  expiresOn: string | null;
  owner: string | null;
  notes: string | null;
  lastJudgement: { verdict: Verdict; at: string; by: string } | null;
  /** Who may read the secret; empty when only the metadata is shared. */
  readers: string[];
  /** Members removed since this secret was shared who could read it: until it is rotated, they may hold it. */
  formerReaders: string[];
  /** Whether a secret file goes with it (false: the inventory entry only, for reviewers). */
  withSecret: boolean;
  /** The versions it replaces. */
  parents: string[];
  author: string;
  at: string;
  /** Why it was written: shared, re-encrypted after a removal, a conflict resolved. */
  reason: string;
}

/**
 * Where this vault stands with a shared key:
 * - `in-step`: it holds the team's version;
 * - `changed-here`: its secret or metadata changed since it last matched the team's (share it);
 * - `incoming`: the team has a newer version this vault has not applied (pull);
 * - `conflict`: two members changed it at once (both versions kept), or both this vault and the
 *   team did: a person chooses;
 * - `not-held`: this vault holds no entry for it (metadata only, or not a reader).
 */
export type SharedKeyState = 'in-step' | 'changed-here' | 'incoming' | 'conflict' | 'not-held';

export interface SharedKey {
  /** Its folder in the repository, which names it across vaults (keys/TENANT-ID/ENVIRONMENT/NAME). */
  path: string;
  /** The current versions: one, or more while a conflict waits for a choice. */
  heads: SharedVersion[];
  /** This vault's entry for it, when it holds one. */
  local: (KeyRef & { fingerprint: string }) | null;
  state: SharedKeyState;
  /** Whether this vault's member is a reader of the (first) head's secret. */
  canRead: boolean;
}

/** A file of the repository the vault does not trust, and why; with the commit that last changed it. */
export interface RefusedChange {
  file: string;
  reason: string;
  commit: string | null;
  author: string | null;
}

export interface TeamStatus {
  /** Null when this vault is in no team. */
  team: {
    name: string;
    dir: string;
    founder: { name: string; signingKey: string };
    /** This vault's member name; null until a member adds it. */
    you: string | null;
    joinedAt: string;
    remote: string | null;
    branch: string;
    /** Commits here not on the remote, and on the remote (as last fetched) not here. */
    ahead: number;
    behind: number;
    lastPull: { at: string; commit: string } | null;
  } | null;
  identity: TeamIdentity | null;
  members: TeamMember[];
  keys: SharedKey[];
  refused: RefusedChange[];
}

/** What a pull brought, for the person to read. */
export interface PullReport {
  fetched: boolean;
  commits: { commit: string; author: string; subject: string }[];
  membersAdded: string[];
  membersRemoved: string[];
  /** New entries in this vault (secret stored in the keychain). */
  received: { key: KeyRef; from: string }[];
  /** Entries whose metadata changed to the team's. */
  updated: { key: KeyRef; from: string; fields: string[] }[];
  /** Entries whose secret was replaced by the team's newer one, checked first. */
  replaced: { key: KeyRef; from: string; verdict: Verdict; oldDropped: boolean }[];
  /** The team's newer secret did not pass its check: this vault kept its own. */
  notReplaced: { key: KeyRef; from: string; reason: string }[];
  conflicts: { path: string; key: KeyRef | null; shared: KeyRef; authors: string[] }[];
  /** Keys a member removed since the last pull could read: rotate each (they may have kept a copy). */
  seenByRemoved: { key: KeyRef | null; shared: KeyRef; members: string[] }[];
  /** Changed here since last shared: the team's version was not applied over it. */
  changedHere: KeyRef[];
  refused: RefusedChange[];
  status: TeamStatus;
}

export interface RemoveMemberReport {
  removed: string;
  /** Secrets the removed member could read, now encrypted to the remaining readers only. */
  reencrypted: string[];
  /** Secrets this vault cannot read, so could not re-encrypt: a reader must share them again. */
  notReencrypted: { path: string; readers: string[] }[];
  /**
   * Every key whose secret the removed member could read: they may have kept a copy, so each
   * should be rotated. `key` is this vault's entry when it holds one.
   */
  seenBy: { path: string; key: KeyRef | null; name: string; tenant: string }[];
  /** Members the removed one had added, still members: their records are now signed by this vault's member. */
  addedByThem: string[];
}

/** A shared key as the review of the team's inventory lists it: its metadata, whose vaults hold it, what to look at. */
export interface TeamInventoryRow {
  path: string;
  tenant: SharedTenant;
  name: string;
  fingerprint: string;
  scopes: string[];
  expiresOn: string | null;
  owner: string | null;
  lastJudgement: SharedVersion['lastJudgement'];
  sharedBy: string;
  sharedAt: string;
  /** The members whose vaults may hold its secret (its readers; its sharer alone when only metadata is shared). */
  holders: string[];
  metadataOnly: boolean;
  /** This vault's entry for it, when it holds one. */
  heldHere: KeyRef | null;
  /** What a reviewer should look at, as sentences (none: nothing). */
  notes: string[];
}

export interface TeamInventory {
  team: string;
  members: string[];
  rows: TeamInventoryRow[];
}

export interface ShareInput {
  key: KeyRef;
  /** Member names who may read the secret; 'all' for every member; omitted: the readers it had. */
  to?: string[] | 'all';
  metadataOnly?: boolean;
}

export const teamChannels = {
  'team:status': channel<void, TeamStatus>(),
  /** Founds a team in a new or empty folder, with this vault as its founding member. */
  'team:init': channel<{ dir: string; name: string; member: string; remote?: string }, TeamStatus>(),
  /** Joins the team of a working copy, or clones its remote into `into` (default: team/ in the data directory). */
  'team:join': channel<{ source: string; into?: string }, PullReport & { founderKey: string }>(),
  /** Creates this vault's identity when it has none, and returns its public keys. */
  'team:identity': channel<void, TeamIdentity>(),
  /** Replaces this vault's identity with a new one (a vault in no team only), and returns its public keys. */
  'team:new-identity': channel<void, TeamIdentity>(),
  'team:pull': channel<void, PullReport>(),
  'team:push': channel<void, { pushed: number; status: TeamStatus }>(),
  'team:share': channel<ShareInput, { version: string | null; status: TeamStatus }>(),
  'team:add-member': channel<{ name: string; recipient: string; signingKey: string }, TeamStatus>(),
  'team:remove-member': channel<{ name: string }, RemoveMemberReport & { status: TeamStatus }>(),
  /** Forgets the team: this vault stops pulling from it (its working copy, keys and identity stay). */
  'team:leave': channel<void, { name: string; dir: string }>(),
  /** The review of the whole team's inventory (null when this vault is in no team). */
  'team:inventory': channel<void, TeamInventory | null>(),
  /** Chooses a version of a key in conflict (`version`), or this vault's own (`mine`). */
  'team:resolve': channel<{ path: string; choice: { version: string } | 'mine' }, PullReport>(),
};
