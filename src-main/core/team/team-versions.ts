/**
 * A shared key's versions as this vault writes and compares them: the content a version carries
 * (never the secret itself), the writing of a new signed version beside its encrypted secret, and
 * where this vault's entry stands against the team's current version.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeySummary } from '../../shared/contract.ts';
import type { KeyRef } from '../../shared/contract.ts';
import type { RemoveMemberReport, ShareInput, SharedKeyState, SharedTenant } from '../../shared/contract/team.ts';
import { VaultError } from '../errors.ts';
import type { TenantRecord } from '../tenants/tenant-service.ts';
import { armor, dearmor, decrypt, encrypt } from './age.ts';
import type { PrivateIdentity } from './team-identity.ts';
import { FORMATS, keyFolder, newVersionId, sha256Hex, signRecord, writeRecord, type TeamTree, type TrustedVersion, type VersionRecord } from './team-files.ts';

/** What a version says of a key, besides its readers, secret and provenance. */
export type VersionContent = Pick<VersionRecord, 'tenant' | 'name' | 'remoteName' | 'fingerprint' | 'scopes' | 'expiresOn' | 'owner' | 'notes' | 'lastJudgement' | 'formerReaders'>;

export function versionContent(key: KeySummary, tenant: TenantRecord, you: string, heads: readonly TrustedVersion[]): VersionContent {
  // Removed members who saw this very secret stay named until the secret changes (a rotation).
  const formerReaders = [...new Set(heads.filter((head) => head.record.fingerprint === key.fingerprint).flatMap((head) => head.record.formerReaders))];
  return {
    tenant: sharedTenantOf(tenant),
    name: key.name,
    remoteName: key.remoteNameKnown ? key.remoteName : null,
    fingerprint: key.fingerprint,
    scopes: key.scopes,
    expiresOn: key.expiresOn ?? null,
    owner: key.owner ?? null,
    notes: key.notes ?? null,
    lastJudgement: key.lastJudgement && key.lastJudgedAt ? { verdict: key.lastJudgement, at: key.lastJudgedAt, by: you } : null,
    formerReaders,
  };
}

/** A version's content alone, for a new version that carries it on (re-signed, or chosen). */
export function contentOf(record: VersionRecord): VersionContent {
  const { tenant, name, remoteName, fingerprint: print, scopes, expiresOn, owner, notes, lastJudgement, formerReaders } = record;
  return { tenant, name, remoteName, fingerprint: print, scopes, expiresOn, owner, notes, lastJudgement, formerReaders };
}

export function sharedTenantOf(tenant: TenantRecord): SharedTenant {
  return { alias: tenant.alias, tenantId: tenant.tenantId, environment: tenant.environment, baseUrl: tenant.baseUrl, provider: tenant.provider, clientId: tenant.clientId, loginAs: tenant.loginAs };
}

/** What a person writes of a key, and which secret it holds: what two sides can change. */
type Written = Pick<VersionContent, 'fingerprint' | 'remoteName' | 'scopes' | 'expiresOn' | 'owner' | 'notes'>;

/** An entry's written content, as a version would carry it. */
export function localContent(entry: KeySummary): Written {
  return { fingerprint: entry.fingerprint, remoteName: entry.remoteNameKnown ? entry.remoteName : null, scopes: entry.scopes, expiresOn: entry.expiresOn ?? null, owner: entry.owner ?? null, notes: entry.notes ?? null };
}

/** One string per content (scopes in any order): what this vault remembers it last matched. */
export function contentKey(content: Written): string {
  return JSON.stringify([content.fingerprint, content.remoteName, [...content.scopes].sort(), content.expiresOn, content.owner, content.notes]);
}

/** Equal content, the last judgement aside (a newer check is no reason for a new version by itself). */
export function sameContent(record: VersionRecord, content: Written): boolean {
  return (
    record.fingerprint === content.fingerprint && record.remoteName === content.remoteName && sameList(record.scopes, content.scopes) &&
    record.expiresOn === content.expiresOn && record.owner === content.owner && record.notes === content.notes
  );
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((item, index) => item === [...b].sort()[index]);
}

/** Where this vault's entry stands with the team's current version(s) (SharedKeyState). */
export function keyState(heads: TrustedVersion[], entry: KeySummary | null, synced: { version: string; fingerprint: string; content?: string } | undefined): SharedKeyState {
  if (heads.length > 1) return 'conflict';
  const record = heads[0]!.record;
  if (!entry) return 'not-held';
  const local = localContent(entry);
  const same = sameContent(record, local);
  if (synced?.version === record.version) return same ? 'in-step' : 'changed-here';
  if (same) return 'in-step';
  // The team has another version than the one this vault last matched: newer there, unless this vault changed too.
  if (synced === undefined) return 'conflict';
  const unchangedHere = synced.content === undefined ? synced.fingerprint === entry.fingerprint : synced.content === contentKey(local);
  return unchangedHere ? 'incoming' : 'conflict';
}

/** Writes a version's files, signed by `you`, and deletes the ones it replaces; returns its id. */
export function writeVersion(
  dir: string,
  tree: TeamTree,
  me: PrivateIdentity,
  you: string,
  options: { from: VersionContent; parents: string[]; readers: string[]; secret: { plaintext: string } | { copyFrom: TrustedVersion } | null; reason: string; at: string },
): string {
  const keyPath = keyFolder(options.from.tenant, options.from.name);
  const version = newVersionId();
  let secretBytes: Buffer | null = null;
  if (options.secret && 'plaintext' in options.secret) {
    const recipients = options.readers.map((reader) => {
      const member = tree.members.find((candidate) => candidate.name === reader && candidate.removedBy === null);
      if (!member) throw new VaultError('NOT_FOUND', `${reader} is not a member of the team.`);
      return member.recipient;
    });
    secretBytes = Buffer.from(armor(encrypt(new TextEncoder().encode(options.secret.plaintext), recipients)), 'utf8');
  } else if (options.secret && 'copyFrom' in options.secret && options.secret.copyFrom.secretFile) {
    secretBytes = fs.readFileSync(path.join(dir, options.secret.copyFrom.secretFile));
  }
  const record = signRecord<VersionRecord>(
    {
      format: FORMATS.key,
      version,
      ...options.from,
      readers: secretBytes === null ? [] : options.readers,
      secretSha256: secretBytes === null ? null : sha256Hex(secretBytes),
      parents: options.parents,
      author: you,
      at: options.at,
      reason: options.reason,
    },
    me.signingKey,
  );
  if (secretBytes !== null) {
    fs.mkdirSync(path.join(dir, keyPath), { recursive: true });
    fs.writeFileSync(path.join(dir, keyPath, `${version}.age`), secretBytes);
  }
  writeRecord(path.join(dir, keyPath, `${version}.json`), record);
  for (const parent of options.parents) {
    for (const ext of ['json', 'age']) fs.rmSync(path.join(dir, keyPath, `${parent}.${ext}`), { force: true });
  }
  return version;
}

/** The secret of a version, decrypted with this member's identity (age checks its integrity). */
export function decryptVersion(dir: string, head: TrustedVersion, me: PrivateIdentity): string {
  const bytes = fs.readFileSync(path.join(dir, head.secretFile!));
  return new TextDecoder('utf-8', { fatal: true }).decode(decrypt(dearmor(bytes), [me.identity]));
}

/** Who may read a shared secret: as asked, or the readers it had (this vault's member always one). */
export function readersFor(tree: TeamTree, you: string, input: ShareInput, head: TrustedVersion | null): string[] {
  if (input.metadataOnly) {
    if (input.to !== undefined) throw new VaultError('INVALID_INPUT', 'Share the metadata only, or name who may read the secret: not both.');
    return [];
  }
  const active = tree.members.filter((member) => member.removedBy === null).map((member) => member.name);
  if (input.to === 'all') return active;
  if (input.to !== undefined) {
    const unknown = input.to.filter((name) => !active.includes(name));
    if (unknown.length > 0) throw new VaultError('NOT_FOUND', `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a member of the team (members: ${active.join(', ')}).`);
    return [...new Set([you, ...input.to])];
  }
  if (head && head.record.readers.length > 0) return [...new Set([you, ...head.record.readers.filter((reader) => active.includes(reader))])];
  throw new VaultError('INVALID_INPUT', `No one is named to read ${input.key.tenant}/${input.key.name}'s secret, and it was not shared before.`, { remedies: [{ code: 'choose-team-readers', key: input.key }] });
}

/**
 * A member's removal, for every key's current versions: what they could read and this member can is
 * encrypted again to the remaining readers; what they wrote is signed again by this member (their
 * signature is trusted no more); every key they could read is listed to rotate, and their name stays
 * in its version's `formerReaders` until the key's secret changes. Returns the versions replaced too.
 */
export function rewriteWithout(
  dir: string,
  tree: TeamTree,
  me: PrivateIdentity,
  you: string,
  name: string,
  at: string,
  entryOf: (record: VersionRecord) => KeyRef | null,
): RemoveMemberReport & { parents: string[] } {
  const report: RemoveMemberReport & { parents: string[] } = { removed: name, reencrypted: [], notReencrypted: [], seenBy: [], addedByThem: [], parents: [] };
  const active = (reader: string) => reader !== name && tree.members.some((member) => member.name === reader && member.removedBy === null);
  for (const [keyPath, { heads }] of tree.keys) {
    for (const head of heads) {
      const record = head.record;
      const sawIt = record.readers.includes(name);
      if (sawIt) report.seenBy.push({ path: keyPath, key: entryOf(record), name: record.name, tenant: record.tenant.alias });
      if (!sawIt && record.author !== name) continue;
      let secret: string | null = null;
      if (record.secretSha256 !== null && sawIt) {
        if (record.readers.includes(you)) {
          secret = decryptVersion(dir, head, me);
          report.reencrypted.push(keyPath);
        } else report.notReencrypted.push({ path: keyPath, readers: record.readers.filter(active) });
      }
      writeVersion(dir, tree, me, you, {
        from: { ...contentOf(record), formerReaders: sawIt ? [...new Set([...record.formerReaders, name])] : record.formerReaders },
        parents: [record.version],
        // A file this member cannot open again still names who can open it: the removed member too.
        readers: secret === null && record.secretSha256 !== null && sawIt ? record.readers : record.readers.filter(active),
        secret: secret === null ? { copyFrom: head } : { plaintext: secret },
        reason: `${name} removed`,
        at,
      });
      report.parents.push(record.version);
    }
  }
  report.addedByThem = tree.members.filter((member) => member.addedBy === name && member.removedBy === null && member.name !== name).map((member) => member.name);
  return report;
}
