/**
 * This vault's member identity: an age X25519 identity (secrets are encrypted to its recipient) and
 * an Ed25519 signing key (its changes are signed with it). Both private halves live in the OS
 * keychain under accounts of their own, never in the inventory nor the team repository; they are
 * read for one operation and dropped after it.
 */
import type { TeamIdentity } from '../../shared/contract/team.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import { TEAM_ACCOUNT_PREFIX, type SecretStore } from '../secrets/secret-store.ts';
import { generateIdentity, recipientOf } from './age.ts';
import { generateSigningKey, publicKeyOf } from './signing.ts';
import { FORMATS, signRecord, type MemberRecord, type TeamTree } from './team-files.ts';

export const TEAM_IDENTITY_ACCOUNT = `${TEAM_ACCOUNT_PREFIX}age-identity`;
export const TEAM_SIGNING_ACCOUNT = `${TEAM_ACCOUNT_PREFIX}signing-key`;

export interface PrivateIdentity {
  identity: string;
  signingKey: string;
  public: TeamIdentity;
}

/** The identity from the keychain; created and stored there first when `create` (else NOT_FOUND without one). */
export async function privateIdentity(secrets: SecretStore, create: boolean): Promise<PrivateIdentity> {
  let identity = await secrets.get(TEAM_IDENTITY_ACCOUNT);
  let signingKey = await secrets.get(TEAM_SIGNING_ACCOUNT);
  if ((identity === null || signingKey === null) && !create) throw new VaultError('NOT_FOUND', 'This vault has no team identity yet.');
  if (identity === null) {
    identity = generateIdentity().identity;
    await secrets.set(TEAM_IDENTITY_ACCOUNT, identity);
  }
  if (signingKey === null) {
    signingKey = generateSigningKey().privateKey;
    await secrets.set(TEAM_SIGNING_ACCOUNT, signingKey);
  }
  return { identity, signingKey, public: { recipient: recipientOf(identity), signingKey: publicKeyOf(signingKey) } };
}

/**
 * Replaces this vault's identity with a new one, for a vault in no team (`team` is the one it is in,
 * or null): a member who was removed comes back under new keys, since every vault of the team refuses
 * the old ones. Refused while the vault is in a team: what was shared with it is encrypted to the
 * identity it has. Audited with both public signing keys.
 */
export async function renewIdentity(vault: { secrets: SecretStore; audit: AuditService; events: VaultEvents }, team: string | null): Promise<TeamIdentity> {
  if (team !== null) {
    throw new VaultError('CONFLICT', `This vault is in team ${team}, and what was shared with it is encrypted to its identity: leave the team first (its working copy and the keys it received stay), then make a new identity.`, {
      remedies: [{ code: 'leave-team' }],
    });
  }
  // Each private half read once: the keychain is asked over D-Bus, at a few milliseconds a read.
  const before = { identity: await vault.secrets.get(TEAM_IDENTITY_ACCOUNT), signingKey: await vault.secrets.get(TEAM_SIGNING_ACCOUNT) };
  const identity = await replaceIdentity(vault.secrets, before.identity);
  vault.audit.record('team_identity_replaced', { detail: { before: before.signingKey === null ? null : publicKeyOf(before.signingKey), after: identity.signingKey } });
  vault.events.changed('team identity replaced');
  return identity;
}

/**
 * Replaces the identity in the keychain with a new pair of key pairs, and returns its public keys;
 * the old private halves are gone. Both pairs change or neither: when the second write fails, the
 * first is put back as it was, `before` (and when that fails too, the error says the identity is
 * half new).
 */
async function replaceIdentity(secrets: SecretStore, before: string | null): Promise<TeamIdentity> {
  const identity = generateIdentity().identity;
  const signingKey = generateSigningKey().privateKey;
  await secrets.set(TEAM_IDENTITY_ACCOUNT, identity);
  try {
    await secrets.set(TEAM_SIGNING_ACCOUNT, signingKey);
  } catch (error) {
    // The age key is new and the signing key old: the old age key goes back, so the pair stays whole.
    try {
      await (before === null ? secrets.delete(TEAM_IDENTITY_ACCOUNT) : secrets.set(TEAM_IDENTITY_ACCOUNT, before));
    } catch {
      throw new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain took the new age identity, refused the new signing key, then refused the old age identity back: this vault holds half of each identity now. Make a new identity again once the keychain answers.', { remedies: [{ code: 'fix-keychain' }] });
    }
    throw error;
  }
  return { recipient: recipientOf(identity), signingKey: publicKeyOf(signingKey) };
}

/** The public keys when the vault has an identity, else null; never creates one. */
export async function publicIdentityIfAny(secrets: SecretStore): Promise<TeamIdentity | null> {
  try {
    return (await privateIdentity(secrets, false)).public;
  } catch (error) {
    if (error instanceof VaultError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** The active member whose keys these are. */
export function memberOf(tree: TeamTree, identity: TeamIdentity): MemberRecord | undefined {
  return tree.members.find((member) => member.removedBy === null && member.recipient === identity.recipient && member.signingKey === identity.signingKey);
}

/** A member record signed by this identity (whatever fields the record came with, only the format's are kept). */
export function signedMemberRecord(me: PrivateIdentity, record: Omit<MemberRecord, 'format' | 'signature'> & { format?: string; signature?: string }): MemberRecord {
  const { name, recipient, signingKey, addedBy, addedAt, removedBy, removedAt, signedBy } = record;
  return signRecord<MemberRecord>({ format: FORMATS.member, name, recipient, signingKey, addedBy, addedAt, removedBy, removedAt, signedBy }, me.signingKey);
}
