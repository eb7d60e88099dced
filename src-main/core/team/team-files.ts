/**
 * The team repository's files, and the rules a vault checks before it trusts one. The repository
 * (a git working tree) holds:
 *
 *   team.json                                   the team's name and its founding member's keys, signed by them
 *   members/ana.json                            a member's public keys; who added them; signed by a member
 *   keys/demo/production/crm/3f9c…e1.json       one signed version of a shared key: metadata, readers, digest of its secret file
 *   keys/demo/production/crm/3f9c…e1.age        its secret, age-encrypted (armored) to the readers' recipients
 *
 * Every JSON file carries `signature`: Ed25519 over canonicalJson of the file without it
 * (signing.ts). Membership goes back to the founder: a member's record is trusted when it is signed
 * by the founder or by a member already trusted; a removed member's record stays (marked removed,
 * signed by who removed them) and they sign nothing more. A version is trusted when its author is a
 * member and signed it, and its secret file's SHA-256 is the one it names. Versions are never
 * edited: a change writes a new version naming the ones it replaces (`parents`) and deletes them,
 * so two members' concurrent changes merge in git without a textual conflict and show here as two
 * current versions ("heads") for a person to choose from.
 *
 * Everything untrusted is refused file by file, with the reason; the rest is used.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RefusedChange, SharedTenant, SharedVersion, TeamMember } from '../../shared/contract/team.ts';
import { ENVIRONMENTS } from '../../shared/rules.ts';
import { VERDICTS } from '../../shared/verdicts.ts';
import { VaultError } from '../errors.ts';
import { parseRecipient } from './age.ts';
import { canonicalJsonBytes, sign, verify } from './signing.ts';

export const TEAM_FILE = 'team.json';
const TEAM_FORMAT = 'tkv-team/1';
const MEMBER_FORMAT = 'tkv-team-member/1';
const KEY_FORMAT = 'tkv-team-key/1';
const SEGMENT = /^(?!\.+$)[A-Za-z0-9._-]{1,128}$/;
const VERSION = /^[0-9a-f]{20}$/;

export interface TeamRecord {
  format: string;
  name: string;
  founder: { name: string; recipient: string; signingKey: string };
  createdAt: string;
  signature: string;
}

export interface MemberRecord {
  format: string;
  name: string;
  recipient: string;
  signingKey: string;
  addedBy: string;
  addedAt: string;
  removedBy: string | null;
  removedAt: string | null;
  /** Who vouches for this record now (the one who added or removed them, or re-signed it after a removal). */
  signedBy: string;
  signature: string;
}

export interface VersionRecord extends Omit<SharedVersion, 'withSecret'> {
  format: string;
  /** SHA-256 (hex) of the secret file's bytes; null when only metadata is shared. */
  secretSha256: string | null;
  signature: string;
}

/** A key version as trusted: its record, where it lives, and its secret file's bytes. */
export interface TrustedVersion {
  record: VersionRecord;
  /** The key's folder, relative to the repository (keys/TENANT-ID/ENVIRONMENT/NAME). */
  keyPath: string;
  file: string;
  secretFile: string | null;
}

export interface TeamTree {
  team: TeamRecord;
  /** Every member record trusted, active or removed. */
  members: MemberRecord[];
  /** Trusted versions by key folder; the heads are the ones no other trusted version replaces. */
  keys: Map<string, { versions: TrustedVersion[]; heads: TrustedVersion[] }>;
  /** Files refused, with the reason (the commit is added by the caller, who has git). */
  refused: Omit<RefusedChange, 'commit' | 'author'>[];
}

/** A signature over a record's content without its `signature` field. */
export function signRecord<T extends { signature: string }>(record: Omit<T, 'signature'>, privateKey: string): T {
  return { ...record, signature: sign(canonicalJsonBytes(record), privateKey) } as T;
}

function signatureHolds(record: { signature?: unknown }, publicKey: string): boolean {
  if (typeof record.signature !== 'string') return false;
  const { signature, ...body } = record;
  try {
    return verify(canonicalJsonBytes(body), signature as string, publicKey);
  } catch {
    return false;
  }
}

/** Writes a record as readable JSON (two-space indent, a final newline): diffs in git stay legible. */
export function writeRecord(file: string, record: object): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** A fresh version id: 20 hex characters, never reused. */
export function newVersionId(): string {
  return randomBytes(10).toString('hex');
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The folder of a shared key: keys/TENANT-ID/ENVIRONMENT/NAME; a custom base URL gets a short digest of its own. */
export function keyFolder(tenant: Pick<SharedTenant, 'tenantId' | 'environment' | 'baseUrl'>, name: string): string {
  for (const [what, value] of [['tenant id', tenant.tenantId], ['key name', name]] as const) {
    if (!SEGMENT.test(value)) throw new VaultError('INVALID_INPUT', `The ${what} cannot name a folder of the team repository (letters, digits, '.', '_' and '-' only); rename it before sharing.`);
  }
  const environment = tenant.environment === 'custom' ? `custom-${sha256Hex(tenant.baseUrl).slice(0, 8)}` : tenant.environment;
  return `keys/${tenant.tenantId}/${environment}/${name}`;
}

/** Checks a member name: what a person types and what names a file. */
export function memberNameProblem(name: string): string | null {
  if (!SEGMENT.test(name) || name.length > 64) return 'A member name is 1 to 64 letters, digits, \'.\', \'_\' or \'-\' (not dots only).';
  return null;
}

/** Checks a member's public keys, as their team identity shows them (the CLI and the Team screen). */
export function publicKeysProblem(recipient: string, signingKey: string): string | null {
  try {
    parseRecipient(recipient);
  } catch {
    return 'The first key is not an age recipient (age1…, as the member’s team identity prints it).';
  }
  if (!/^ed25519:[A-Za-z0-9+/]{43}=$/.test(signingKey) || Buffer.from(signingKey.slice(8), 'base64').length !== 32) {
    return 'The second key is not an Ed25519 public key (ed25519:…, as the member’s team identity prints it).';
  }
  return null;
}

function readJson(file: string): Record<string, unknown> | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'it cannot be read';
  }
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : 'it is not a JSON object';
  } catch {
    return 'it is not valid JSON';
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** Reads team.json and checks the founder's own signature; `pinned` is the founder's key this vault pinned at join. */
export function readTeam(dir: string, pinned: string | null): TeamRecord {
  const value = readJson(path.join(dir, TEAM_FILE));
  if (typeof value === 'string') throw new VaultError('CONFLICT', `${path.join(dir, TEAM_FILE)} is not a team file: ${value}. Is this a team repository?`);
  const founder = value.founder as Record<string, unknown> | undefined;
  if (value.format !== TEAM_FORMAT || !isString(value.name) || !founder || !isString(founder.name) || !isString(founder.recipient) || !isString(founder.signingKey) || !isString(value.createdAt)) {
    throw new VaultError('CONFLICT', `${TEAM_FILE} is not of the team format this vault reads (${TEAM_FORMAT}).`);
  }
  if (!signatureHolds(value, founder.signingKey)) throw new VaultError('CONFLICT', `${TEAM_FILE} is not signed by its founding member's key: nothing of this repository is trusted.`);
  if (pinned !== null && founder.signingKey !== pinned) {
    throw new VaultError('CONFLICT', `${TEAM_FILE} names another founding member key than the one this vault pinned when it joined (${pinned}): the team was replaced. Nothing of it is trusted.`);
  }
  return value as unknown as TeamRecord;
}

function listFiles(dir: string, under: string): string[] {
  const root = path.join(dir, under);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Reads and checks the whole tree: what is trusted, and each refused file with its reason. */
/**
 * What this vault has seen of the team's past, which the tree alone cannot prove: git history keeps
 * every file ever signed, so whoever can push could put an old one back (a removed member's record
 * from before the removal, a key's version from before a rotation). Both are refused.
 */
export interface TeamMemory {
  /** The founder's signing key, pinned at join. */
  pinned: string | null;
  /** Signing keys of members this vault saw removed: they come back only under new keys. */
  removedKeys: readonly string[];
  /** Versions this vault saw replaced by another. */
  replaced: readonly string[];
}

export function readTree(dir: string, memory: TeamMemory): TeamTree {
  const team = readTeam(dir, memory.pinned);
  const refused: TeamTree['refused'] = [];
  const members = readMembers(dir, team, refused, new Set(memory.removedKeys));
  const keys = readKeys(dir, members, refused, new Set(memory.replaced));
  return { team, members, keys, refused };
}

/** A name read from a file nobody vouched for yet, safe to print: as it is when it is a plain name, quoted (and cut) otherwise. */
function told(name: unknown): string {
  const text = typeof name === 'string' ? name : String(name);
  return SEGMENT.test(text) ? text : JSON.stringify(text.slice(0, 64));
}

function readMembers(dir: string, team: TeamRecord, refused: TeamTree['refused'], removedKeys: ReadonlySet<string>): MemberRecord[] {
  const candidates: MemberRecord[] = [];
  for (const file of listFiles(dir, 'members')) {
    const stem = /^members\/([^/]+)\.json$/.exec(file)?.[1];
    if (!stem) {
      refused.push({ file, reason: 'not a member record (members/NAME.json)' });
      continue;
    }
    const value = readJson(path.join(dir, file));
    if (typeof value === 'string') {
      refused.push({ file, reason: value });
      continue;
    }
    if (
      value.format !== MEMBER_FORMAT || value.name !== stem || !isString(value.recipient) || !isString(value.signingKey) || !isString(value.addedBy) ||
      !isString(value.addedAt) || !isNullableString(value.removedBy) || !isNullableString(value.removedAt) || !isString(value.signedBy)
    ) {
      refused.push({ file, reason: `not a member record of this format (${MEMBER_FORMAT}, named as its file)` });
      continue;
    }
    if (publicKeysProblem(value.recipient, value.signingKey)) {
      refused.push({ file, reason: 'its public keys are malformed' });
      continue;
    }
    if (value.removedBy === null && removedKeys.has(value.signingKey)) {
      refused.push({ file, reason: `it makes ${stem} a member again under keys this vault saw removed: an old record put back from git's history (a member comes back only with new keys)` });
      continue;
    }
    candidates.push(value as unknown as MemberRecord);
  }

  // The founder first, then whoever a trusted active member vouches for, until nothing changes.
  const trusted = new Map<string, MemberRecord>();
  const founderRecord = candidates.find((member) => member.name === team.founder.name);
  if (
    !founderRecord || founderRecord.signingKey !== team.founder.signingKey || founderRecord.recipient !== team.founder.recipient ||
    founderRecord.signedBy !== founderRecord.name || founderRecord.removedBy !== null || !signatureHolds(founderRecord, team.founder.signingKey)
  ) {
    throw new VaultError('CONFLICT', `members/${team.founder.name}.json is not the founding member's own signed record, as ${TEAM_FILE} names it: nothing of this repository is trusted.`);
  }
  trusted.set(founderRecord.name, founderRecord);
  let pending = candidates.filter((member) => member !== founderRecord);
  for (let grew = true; grew; ) {
    grew = false;
    for (const member of pending) {
      const signer = trusted.get(member.signedBy);
      if (!signer || signer.removedBy !== null || signer.name === member.name) continue;
      if (signatureHolds(member, signer.signingKey)) {
        trusted.set(member.name, member);
        grew = true;
      }
    }
    pending = pending.filter((member) => !trusted.has(member.name));
  }
  for (const member of pending) {
    const file = `members/${member.name}.json`;
    const signer = candidates.find((candidate) => candidate.name === member.signedBy);
    if (member.signedBy === member.name) refused.push({ file, reason: `signed by ${member.name} alone: a member is added by a member already in the team` });
    else if (!signer || !trusted.has(signer.name)) refused.push({ file, reason: `signed as ${told(member.signedBy)}, who is not a member of the team` });
    else if (trusted.get(signer.name)!.removedBy !== null) refused.push({ file, reason: `signed by ${member.signedBy}, who was removed from the team` });
    else refused.push({ file, reason: `its signature is not ${member.signedBy}'s over this content: it was changed after signing, or forged` });
  }
  return [...trusted.values()].sort((a, b) => (a.name === team.founder.name ? -1 : b.name === team.founder.name ? 1 : a.name.localeCompare(b.name)));
}

function versionShapeProblem(value: Record<string, unknown>): string | null {
  const tenant = value.tenant as Record<string, unknown> | undefined;
  const judgement = value.lastJudgement as Record<string, unknown> | null | undefined;
  const ok =
    value.format === KEY_FORMAT && isString(value.version) && VERSION.test(value.version) && isString(value.name) && !!tenant &&
    isString(tenant.alias) && isString(tenant.tenantId) && (ENVIRONMENTS as readonly unknown[]).includes(tenant.environment) && isString(tenant.baseUrl) &&
    (tenant.provider === 'wallet-crew' || tenant.provider === 'airwallex') && isNullableString(tenant.clientId) && isNullableString(tenant.loginAs) && isNullableString(value.remoteName) && isString(value.fingerprint) &&
    isStringList(value.scopes) && isNullableString(value.expiresOn) && isNullableString(value.owner) && isNullableString(value.notes) &&
    (judgement === null || (typeof judgement === 'object' && judgement !== undefined && (VERDICTS as readonly unknown[]).includes(judgement.verdict) && isString(judgement.at) && isString(judgement.by))) &&
    isStringList(value.readers) && isStringList(value.formerReaders) && isNullableString(value.secretSha256) && isStringList(value.parents) && isString(value.author) && isString(value.at) && isString(value.reason);
  return ok ? null : `not a shared key version of this format (${KEY_FORMAT})`;
}

function readKeys(dir: string, members: MemberRecord[], refused: TeamTree['refused'], replaced: ReadonlySet<string>): TeamTree['keys'] {
  const files = listFiles(dir, 'keys');
  const ageFiles = new Set(files.filter((file) => file.endsWith('.age')));
  const byFolder = new Map<string, TrustedVersion[]>();
  for (const file of files) {
    if (file.endsWith('.age')) continue;
    const match = /^(keys\/[^/]+\/[^/]+\/[^/]+)\/([^/]+)\.json$/.exec(file);
    if (!match) {
      refused.push({ file, reason: 'not a shared key version (keys/TENANT-ID/ENVIRONMENT/NAME/VERSION.json)' });
      continue;
    }
    const [, folder, stem] = match as unknown as [string, string, string];
    const secretFile = `${folder}/${stem}.age`;
    ageFiles.delete(secretFile);
    const value = readJson(path.join(dir, file));
    const shape = typeof value === 'string' ? value : versionShapeProblem(value);
    if (shape !== null) {
      refused.push({ file, reason: shape });
      continue;
    }
    const record = value as unknown as VersionRecord;
    let folderOfRecord: string | null;
    try {
      folderOfRecord = keyFolder(record.tenant, record.name);
    } catch {
      folderOfRecord = null;
    }
    if (record.version !== stem || folderOfRecord !== folder) {
      refused.push({ file, reason: 'its content names another key or version than its place in the repository' });
      continue;
    }
    const author = members.find((member) => member.name === record.author);
    if (!author) {
      refused.push({ file, reason: `signed as ${told(record.author)}, who is not a member of the team` });
      continue;
    }
    if (!signatureHolds(record, author.signingKey)) {
      refused.push({ file, reason: `its signature is not ${record.author}'s over this content: it was changed after signing, or forged` });
      continue;
    }
    if (replaced.has(record.version)) {
      refused.push({ file, reason: 'a version this vault saw replaced, put back from git’s history: an older key or metadata is not the current one again' });
      continue;
    }
    // A removed member signs nothing any more: whoever removed them re-signed what they had written.
    if (author.removedBy !== null) {
      refused.push({ file, reason: `signed by ${record.author}, who was removed from the team` });
      continue;
    }
    if (record.secretSha256 !== null) {
      let bytes: Buffer | null;
      try {
        bytes = fs.readFileSync(path.join(dir, secretFile));
      } catch {
        bytes = null;
      }
      if (bytes === null) {
        refused.push({ file, reason: `its secret file ${secretFile} is missing` });
        continue;
      }
      if (sha256Hex(bytes) !== record.secretSha256) {
        refused.push({ file: secretFile, reason: `its content is not the one ${file} was signed with: it was changed after sharing` });
        continue;
      }
    }
    const list = byFolder.get(folder) ?? [];
    list.push({ record, keyPath: folder, file, secretFile: record.secretSha256 === null ? null : secretFile });
    byFolder.set(folder, list);
  }
  for (const file of ageFiles) refused.push({ file, reason: 'a secret file without its signed metadata' });

  const keys: TeamTree['keys'] = new Map();
  for (const [folder, versions] of [...byFolder.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const replaced = new Set(versions.flatMap((version) => version.record.parents));
    const heads = versions.filter((version) => !replaced.has(version.record.version)).sort((a, b) => a.record.at.localeCompare(b.record.at) || a.record.author.localeCompare(b.record.author));
    keys.set(folder, { versions, heads });
  }
  return keys;
}

/** A trusted version as the contract shows it. */
export function sharedVersion(version: TrustedVersion): SharedVersion {
  const { format: _format, secretSha256, signature: _signature, ...rest } = version.record;
  return { ...rest, withSecret: secretSha256 !== null };
}

/** A member record as the contract shows it. */
export function teamMember(record: MemberRecord, team: TeamRecord, you: string | null): TeamMember {
  return {
    name: record.name,
    recipient: record.recipient,
    signingKey: record.signingKey,
    addedBy: record.addedBy,
    addedAt: record.addedAt,
    removedBy: record.removedBy,
    removedAt: record.removedAt,
    founder: record.name === team.founder.name,
    you: record.name === you,
  };
}

export const FORMATS = { team: TEAM_FORMAT, member: MEMBER_FORMAT, key: KEY_FORMAT };

/** The README of a new team repository: what its files are, for whoever opens it. */
export function repositoryReadme(name: string): string {
  return [
    `# ${name}: a Tenant Key Vault team`,
    '',
    'This repository is written by Tenant Key Vault. It shares API keys between the members of a team:',
    '',
    '- `team.json`: the team and its founding member, whose signature every member record goes back to;',
    '- `members/NAME.json`: each member’s public keys (an age recipient, an Ed25519 signing key), signed by a member;',
    '- `keys/TENANT-ID/ENVIRONMENT/NAME/VERSION.json`: a shared key’s metadata and readers, signed by who shared it;',
    '- `keys/…/VERSION.age`: its secret, age-encrypted to its readers only (any age implementation opens it with a reader’s identity).',
    '',
    'No secret is ever written here unencrypted, nor any private key. Edit nothing by hand: a change that is not',
    'signed by a member is refused by every vault that pulls it.',
    '',
  ].join('\n');
}
