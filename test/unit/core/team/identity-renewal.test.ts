// A new team identity replaces both key pairs in the keychain or neither: a keychain that refuses the
// second write leaves the old identity whole, and one that then refuses to put it back is said so.
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../../src-main/core/errors.ts';
import { MemorySecretStore } from '../../../../src-main/core/secrets/memory-secret-store.ts';
import { privateIdentity, renewIdentity, TEAM_IDENTITY_ACCOUNT, TEAM_SIGNING_ACCOUNT } from '../../../../src-main/core/team/team-identity.ts';

/** A keychain that refuses the writes whose numbers (from 1) are listed. */
class RefusingStore extends MemorySecretStore {
  writes = 0;
  readonly refused: number[];

  constructor(refused: number[]) {
    super();
    this.refused = refused;
  }

  override async set(account: string, secret: string): Promise<void> {
    this.writes += 1;
    if (this.refused.includes(this.writes)) throw new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain refused the write.');
    await super.set(account, secret);
  }
}

function vaultOn(secrets: MemorySecretStore) {
  const audited: unknown[] = [];
  const changes: string[] = [];
  return { vault: { secrets, audit: { record: (action: string, entry: unknown) => void audited.push({ action, entry }) } as never, events: { changed: (why: string) => void changes.push(why) } as never }, audited, changes };
}

describe('a new team identity', () => {
  it('replaces both key pairs, audits both public signing keys, and is refused while the vault is in a team', async () => {
    const secrets = new MemorySecretStore();
    const old = await privateIdentity(secrets, true);
    const { vault, audited, changes } = vaultOn(secrets);
    await expect(renewIdentity(vault, 'support')).rejects.toMatchObject({ code: 'CONFLICT', remedies: [{ code: 'leave-team' }] });
    expect((await privateIdentity(secrets, false)).public).toEqual(old.public);
    const fresh = await renewIdentity(vault, null);
    const now = await privateIdentity(secrets, false);
    expect(now.public).toEqual(fresh);
    expect(now.identity).not.toBe(old.identity);
    expect(now.signingKey).not.toBe(old.signingKey);
    expect(audited).toEqual([{ action: 'team_identity_replaced', entry: { detail: { before: old.public.signingKey, after: fresh.signingKey } } }]);
    expect(changes).toEqual(['team identity replaced']);
  });

  it('keeps the old identity whole when the keychain refuses the new signing key', async () => {
    const secrets = new RefusingStore([]);
    const old = await privateIdentity(secrets, true);
    secrets.writes = 0;
    secrets.refused.push(2);
    const { vault, audited } = vaultOn(secrets);
    await expect(renewIdentity(vault, null)).rejects.toThrow('The keychain refused the write.');
    expect(await secrets.get(TEAM_IDENTITY_ACCOUNT)).toBe(old.identity);
    expect(await secrets.get(TEAM_SIGNING_ACCOUNT)).toBe(old.signingKey);
    expect(audited).toEqual([]);
  });

  it('says the identity is half new when the keychain also refuses the old age key back', async () => {
    const secrets = new RefusingStore([]);
    await privateIdentity(secrets, true);
    secrets.writes = 0;
    secrets.refused.push(2, 3);
    const { vault } = vaultOn(secrets);
    const error = await renewIdentity(vault, null).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', remedies: [{ code: 'fix-keychain' }] });
    expect((error as Error).message).toContain('this vault holds half of each identity now. Make a new identity again once the keychain answers.');
  });
});
