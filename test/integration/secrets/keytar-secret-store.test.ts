// The real OS keychain: gnome-keyring on a private D-Bus session on Linux (see with-keyring.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store.ts';
import { canaryToken } from '../../support/files.ts';
import { clearService, uniqueService } from '../../support/keychain.ts';

const service = uniqueService('keytar');
afterAll(() => clearService(service));

describe('KeytarSecretStore on the OS keychain', () => {
  it('writes, reads, lists and deletes an entry', async () => {
    const store = new KeytarSecretStore({ service });
    const token = canaryToken();
    await store.set('account-1', token);
    expect(await store.get('account-1')).toBe(token);
    expect(await store.listAccounts()).toEqual(['account-1']);
    expect(await store.delete('account-1')).toBe(true);
    expect(await store.get('account-1')).toBeNull();
    expect(await store.delete('account-1')).toBe(false);
    expect(await store.listAccounts()).toEqual([]);
  });

  it('keeps services apart', async () => {
    const other = new KeytarSecretStore({ service: uniqueService('other') });
    const store = new KeytarSecretStore({ service });
    await store.set('shared-account', 'mine');
    expect(await other.get('shared-account')).toBeNull();
    await store.delete('shared-account');
  });

  it('round-trips a 4 KiB secret with non-ASCII characters', async () => {
    const store = new KeytarSecretStore({ service });
    const secret = `é${'k'.repeat(4093)}`;
    await store.set('big', secret);
    expect(await store.get('big')).toBe(secret);
    await store.delete('big');
  });

  it('lists while entries come and go in the same process, without a crash and never half an entry', async () => {
    // Listing searches, then loads each secret: an entry deleted in between once killed the process
    // (SIGSEGV in keytar). Bounded: 12 rounds of a listing beside a write, a read of nothing and a delete.
    const store = new KeytarSecretStore({ service });
    await store.set('stays', canaryToken());
    for (let round = 0; round < 12; round += 1) {
      const [listed] = await Promise.all([store.listAccounts(), store.set(`churn-${round}`, canaryToken()), store.get(`missing-${round}`), store.delete(`churn-${round - 1}`)]);
      expect(listed).toContain('stays');
      expect(listed.every((account) => account === 'stays' || account.startsWith('churn-'))).toBe(true);
    }
    await store.delete('churn-11');
    expect(await store.listAccounts()).toEqual(['stays']);
    await store.delete('stays');
  });
});

