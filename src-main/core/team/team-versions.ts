/**
 * A shared key's versions as this vault writes and compares them: the content a version carries
 * (never the secret itself), the writing of a new signed version beside its encrypted secret, and
 * where this vault's entry stands against the team's current version.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeySummary } from '../../shared/contract.ts';
import type { ShareInput, SharedKeyState, SharedTenant } from '../../shared/contract/team.ts';
import { VaultError } from '../errors.ts';
import type { TenantRecord } from '../tenants/tenant-service.ts';
import { armor, dearmor, decrypt, encrypt } from './age.ts';
import type { PrivateIdentity } from './team-identity.ts';
import { FORMATS, keyFolder, newVersionId, sha256Hex, signRecord, writeRecord, type TeamTree, type TrustedVersion, type VersionRecord } from './team-files.ts';

/** What a version says of a key, besides its readers, secret and provenance. */
export type VersionContent = Pick<VersionRecord, 'tenant' | 'name' | 'remoteName' | 'fingerprint' | 'scopes' | 'expiresOn' | 'owner' | 'notes' | 'lastJudgement'>;

export function versionContent(key: KeySummary, tenant: TenantRecord, you: string): VersionContent {
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
  };
}

/** A version's content alone, for a new version that carries it on (re-signed, or chosen). */
export function contentOf(record: VersionRecord): VersionContent {
  const { tenant, name, remoteName, fingerprint: print, scopes, expiresOn, owner, notes, lastJudgement } = record;
  return { tenant, name, remoteName, fingerprint: print, scopes, expiresOn, owner, notes, lastJudgement };
}

export function sharedTenantOf(tenant: TenantRecord): SharedTenant {
  return { alias: tenant.alias, tenantId: tenant.tenantId, environment: tenant.environment, baseUrl: tenant.baseUrl, provider: tenant.provider, clientId: tenant.clientId, loginAs: tenant.loginAs };
}

/** Equal content, the last judgement aside (a newer check is no reason for a new version by itself). */
export function sameContent(record: VersionRecord, content: VersionContent): boolean {
  return (
    record.fingerprint === content.fingerprint && record.remoteName === content.remoteName && sameList(record.scopes, content.scopes) &&
    record.expiresOn === content.expiresOn && record.owner === content.owner && record.notes === content.notes
  );
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((item, index) => item === [...b].sort()[index]);
}

export function keyState(heads: TrustedVersion[], entry: KeySummary | null, synced: { version: string; fingerprint: string } | undefined, you: string | null): SharedKeyState {
  if (heads.length > 1) return 'conflict';
  const record = heads[0]!.record;
  if (!entry) return 'not-held';
  const local = { fingerprint: entry.fingerprint, remoteName: entry.remoteNameKnown ? entry.remoteName : null, scopes: entry.scopes, expiresOn: entry.expiresOn ?? null, owner: entry.owner ?? null, notes: entry.notes ?? null };
  if (entry.fingerprint === record.fingerprint) {
    if (synced?.version === record.version) return sameContent(record, { ...local, tenant: record.tenant, name: record.name, lastJudgement: null }) ? 'in-step' : 'changed-here';
    return sameContent(record, { ...local, tenant: record.tenant, name: record.name, lastJudgement: null }) ? 'in-step' : 'incoming';
  }
  if (synced?.version === record.version) return 'changed-here';
  if (synced?.fingerprint === entry.fingerprint) return you !== null && record.readers.includes(you) ? 'incoming' : 'in-step';
  return 'conflict';
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
