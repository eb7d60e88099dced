/**
 * What a pull brings into this vault: the trusted versions of the team repository applied to the
 * inventory and the keychain. A key this member may read and does not hold is stored; metadata
 * follows the team's newer version; a secret a member rotated replaces this vault's only after it
 * passes a check (rotation/replace.ts), the old one kept otherwise; what changed on both sides is
 * listed for a person, never overwritten.
 */
import type { KeySummary } from '../../shared/contract.ts';
import type { PullReport, SharedKey, SharedTenant } from '../../shared/contract/team.ts';
import { VaultError } from '../errors.ts';
import { fingerprint } from '../keys/fingerprint.ts';
import { replaceAfterRegenerate } from '../rotation/replace.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { CheckService } from '../checks/check-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import type { VaultEvents } from '../events.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { TenantRecord, TenantService } from '../tenants/tenant-service.ts';
import type { PrivateIdentity } from './team-identity.ts';
import type { Git } from './git.ts';
import { canonicalJsonBytes, verify } from './signing.ts';
import { sharedVersion, type TeamMemory, type TeamTree, type TrustedVersion, type VersionRecord } from './team-files.ts';
import { contentKey, decryptVersion, keyState, localContent, sameList } from './team-versions.ts';

/** What the team domain reads and writes through: the vault's services, and the environment git runs in. */
export interface TeamVault {
  db: Connection;
  secrets: SecretStore;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  checks: CheckService;
  settings: SettingsService;
  events: VaultEvents;
  env: Record<string, string | undefined>;
}

/** What this vault remembers of its team (a setting): where, who founded it, what it last matched. */
export interface TeamState {
  dir: string;
  name: string;
  founder: { name: string; signingKey: string };
  joinedAt: string;
  lastPull: { at: string; commit: string } | null;
  /** The members as the last pull saw them, to say who was added or removed since. */
  members: string[];
  /** Per entry id: the team version this vault's entry last matched, and its fingerprint then. */
  synced: Record<string, { version: string; fingerprint: string; content?: string }>;
  /** What this vault saw of the team's past (team-files.ts's TeamMemory): removed members' signing keys, replaced versions. */
  removedKeys?: string[];
  replaced?: string[];
}

/**
 * The signing keys of every member a trusted member ever removed, read from git's whole history:
 * a vault that joins after a removal knows it too, so a removed member's older record put back in
 * the tree is refused by every vault, not only by those that saw the removal happen.
 */
export async function removalsInHistory(git: Git, tree: TeamTree): Promise<string[]> {
  const removed: string[] = [];
  for (const text of await git.contentsEver('members')) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof record.removedBy !== 'string' || typeof record.signingKey !== 'string' || typeof record.signature !== 'string') continue;
    const signer = tree.members.find((member) => member.name === record.signedBy);
    const { signature, ...body } = record;
    if (signer && signer.name !== record.name && verify(canonicalJsonBytes(body), signature as string, signer.signingKey)) removed.push(record.signingKey);
  }
  return [...new Set(removed)];
}

/** What readTree needs to know of this vault's memory of the team. */
export function memoryOf(state: TeamState): TeamMemory {
  return { pinned: state.founder.signingKey, removedKeys: state.removedKeys ?? [], replaced: state.replaced ?? [] };
}

/** The state with what the tree shows added to its memory: members removed, versions replaced. */
export function remembering(state: TeamState, tree: TeamTree, replaced: readonly string[] = []): TeamState {
  const removedKeys = tree.members.filter((member) => member.removedBy !== null).map((member) => member.signingKey);
  const parents = [...tree.keys.values()].flatMap(({ versions }) => versions.flatMap((version) => version.record.parents));
  return { ...state, removedKeys: [...new Set([...(state.removedKeys ?? []), ...removedKeys])], replaced: [...new Set([...(state.replaced ?? []), ...parents, ...replaced])] };
}

export interface Inbox {
  report: Omit<PullReport, 'status' | 'refused' | 'fetched' | 'commits'>;
  refused: TeamTree['refused'];
  /** The active members' names. */
  active: string[];
}

export class TeamInbox {
  private readonly vault: TeamVault;

  constructor(vault: TeamVault) {
    this.vault = vault;
  }

  /**
   * Applies the trusted tree to this vault: stores what this member may read and does not hold,
   * updates metadata, replaces a secret a member rotated once the new one passes a check, and
   * lists what a person must settle. Changes `state.synced`; the caller saves it.
   */
  async apply(tree: TeamTree, state: TeamState, me: PrivateIdentity, you: string | null): Promise<Inbox> {
    const refused = [...tree.refused];
    const report: Inbox['report'] = { membersAdded: [], membersRemoved: [], received: [], updated: [], replaced: [], notReplaced: [], conflicts: [], changedHere: [], seenByRemoved: [] };
    const active = tree.members.filter((member) => member.removedBy === null).map((member) => member.name);
    if (state.lastPull !== null || state.members.length > 0) {
      report.membersAdded = active.filter((name) => !state.members.includes(name));
      report.membersRemoved = state.members.filter((name) => !active.includes(name));
    }
    for (const [keyPath, { heads }] of tree.keys) {
      const first = heads[0]!.record;
      const entry = this.localEntry(first.tenant, first.name);
      const ref = entry ? { tenant: entry.tenant, name: entry.name } : null;
      const shared = { tenant: first.tenant.alias, name: first.name };
      const saw = report.membersRemoved.filter((name) => heads.some((head) => head.record.formerReaders.includes(name)));
      if (saw.length > 0) report.seenByRemoved.push({ key: ref, shared, members: saw });
      if (heads.length > 1) {
        report.conflicts.push({ path: keyPath, key: ref, shared, authors: heads.map((head) => head.record.author) });
        continue;
      }
      // One key's trouble (a rule of this vault its metadata breaks, the keychain) is said, and the others go on.
      try {
        await this.applyOne(keyPath, heads[0]!, entry, state, me, you, report, refused);
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        report.notReplaced.push({ key: ref ?? shared, from: first.author, reason: `not applied: ${error.message}` });
      }
    }
    return { report, refused, active };
  }

  private async applyOne(keyPath: string, head: TrustedVersion, entry: KeySummary | null, state: TeamState, me: PrivateIdentity, you: string | null, report: Inbox['report'], refused: TeamTree['refused']): Promise<void> {
    const record = head.record;
    const ref = entry ? { tenant: entry.tenant, name: entry.name } : null;
    const canRead = you !== null && record.secretSha256 !== null && record.readers.includes(you);
    const synced = entry ? state.synced[entry.id] : undefined;
    if (!entry) {
      if (!canRead) return;
      const secret = openSecret(state.dir, head, me, refused);
      if (secret === null) return;
      const twin = this.vault.keys.byFingerprint(record.fingerprint)[0];
      if (twin) {
        report.notReplaced.push({ key: { tenant: twin.tenant, name: twin.name }, from: record.author, reason: `this vault holds the very same key as ${twin.tenant}/${twin.name}, so ${record.tenant.alias}/${record.name} was not stored twice` });
        return;
      }
      const tenant = this.localTenant(record.tenant) ?? this.addTenant(record.tenant);
      const added = await this.vault.keys.add(
        {
          tenant: tenant.alias,
          name: record.name,
          secret,
          scopes: record.scopes,
          ...(record.expiresOn === null ? {} : { expiresOn: record.expiresOn }),
          ...(record.owner === null ? {} : { owner: record.owner }),
          ...(record.notes === null ? {} : { notes: record.notes }),
          ...(record.remoteName === null ? {} : { remoteName: record.remoteName }),
        },
        'received',
      );
      state.synced[added.id] = { version: record.version, fingerprint: record.fingerprint, content: contentKey(record) };
      report.received.push({ key: { tenant: added.tenant, name: added.name }, from: record.author });
      return;
    }
    if (entry.fingerprint === record.fingerprint) {
      if (synced?.version === record.version) return;
      const mine = contentKey(localContent(entry));
      // Edited here since it last matched the team, and changed in the team too: both kept, a person chooses.
      if (synced?.content !== undefined && mine !== synced.content && mine !== contentKey(record)) {
        report.conflicts.push({ path: keyPath, key: ref, shared: { tenant: record.tenant.alias, name: record.name }, authors: [record.author, you ?? 'this vault'] });
        return;
      }
      const fields = this.applyMetadata(entry, record);
      if (fields.length > 0) report.updated.push({ key: ref!, from: record.author, fields });
      state.synced[entry.id] = { version: record.version, fingerprint: record.fingerprint, content: contentKey(record) };
      return;
    }
    if (synced?.version === record.version) {
      report.changedHere.push(ref!);
      return;
    }
    if (synced?.fingerprint !== entry.fingerprint) {
      report.conflicts.push({ path: keyPath, key: ref, shared: { tenant: record.tenant.alias, name: record.name }, authors: [record.author, you ?? 'this vault'] });
      return;
    }
    if (!canRead) {
      const why = record.secretSha256 === null ? `${record.author} shared a newer key for it (fingerprint ${record.fingerprint}) without its secret` : `${record.author} shared a newer secret for it that you are not a reader of`;
      report.notReplaced.push({ key: ref!, from: record.author, reason: `${why}; ask them to share it with you` });
      return;
    }
    const secret = openSecret(state.dir, head, me, refused);
    if (secret === null) return;
    try {
      const replaced = await replaceAfterRegenerate(this.vault, ref!, secret, { ...(record.remoteName ? { remoteName: record.remoteName } : {}), from: record.author });
      this.applyMetadata(this.vault.keys.show(ref!), record);
      state.synced[entry.id] = { version: record.version, fingerprint: record.fingerprint, content: contentKey(record) };
      report.replaced.push({ key: ref!, from: record.author, verdict: replaced.result.verdict, oldDropped: replaced.oldDropped });
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      report.notReplaced.push({ key: ref!, from: record.author, reason: error.message });
    }
  }

  /** Sets the entry's written fields to the version's; returns the names of those that changed. */
  private applyMetadata(entry: KeySummary, record: VersionRecord): string[] {
    const edit: Record<string, unknown> = {};
    if (!sameList(entry.scopes, record.scopes)) edit.scopes = record.scopes;
    if ((entry.expiresOn ?? null) !== record.expiresOn) edit.expiresOn = record.expiresOn;
    if ((entry.owner ?? null) !== record.owner) edit.owner = record.owner;
    if ((entry.notes ?? null) !== record.notes) edit.notes = record.notes;
    const fields = Object.keys(edit);
    if (fields.length > 0) this.vault.keys.edit({ tenant: entry.tenant, name: entry.name }, edit);
    return fields;
  }

  private localTenant(shared: SharedTenant): TenantRecord | undefined {
    return this.vault.tenants
      .records()
      .find((tenant) => tenant.tenantId === shared.tenantId && tenant.environment === shared.environment && tenant.provider === shared.provider && (tenant.environment !== 'custom' || tenant.baseUrl === shared.baseUrl));
  }

  private addTenant(shared: SharedTenant): TenantRecord {
    const taken = new Set(this.vault.tenants.records().map((tenant) => tenant.alias));
    let alias = shared.alias;
    for (let n = 2; taken.has(alias); n += 1) alias = `${shared.alias}-${n}`;
    this.vault.tenants.add({
      alias,
      tenantId: shared.tenantId,
      environment: shared.environment,
      ...(shared.environment === 'custom' ? { baseUrl: shared.baseUrl } : {}),
      provider: shared.provider,
      ...(shared.clientId ? { clientId: shared.clientId } : {}),
      ...(shared.loginAs ? { loginAs: shared.loginAs } : {}),
    });
    return this.vault.tenants.require(alias);
  }

  /** A shared key as the team status lists it: its current versions and where this vault stands. */
  sharedKey(state: TeamState, keyPath: string, heads: TrustedVersion[], you: string | null): SharedKey {
    const first = heads[0]!.record;
    const entry = this.localEntry(first.tenant, first.name);
    const local = entry ? { tenant: entry.tenant, name: entry.name, fingerprint: entry.fingerprint } : null;
    return { path: keyPath, heads: heads.map(sharedVersion), local, state: keyState(heads, entry, entry ? state.synced[entry.id] : undefined), canRead: you !== null && first.readers.includes(you) };
  }

  localEntry(shared: SharedTenant, name: string): KeySummary | null {
    const tenant = this.localTenant(shared);
    return tenant ? this.vault.keys.find({ tenant: tenant.alias, name }) : null;
  }
}

/** The secret of a version this member reads, checked against its signed fingerprint; null (and refused) when it fails. */
function openSecret(dir: string, head: TrustedVersion, me: PrivateIdentity, refused: TeamTree['refused']): string | null {
  try {
    const secret = decryptVersion(dir, head, me);
    if (fingerprint(secret) !== head.record.fingerprint) {
      refused.push({ file: head.secretFile!, reason: `the secret in it is not the key its signed metadata names (fingerprint ${head.record.fingerprint})` });
      return null;
    }
    return secret;
  } catch (error) {
    refused.push({ file: head.secretFile!, reason: `it cannot be decrypted with this vault's identity (${error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : 'unreadable'})` });
    return null;
  }
}
