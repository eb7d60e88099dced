// What the app's Watch screen and navigation read: a vault where thousands of keys need a person
// carries the newest WATCH_ITEMS_SHOWN of them and the count of all, never the whole list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../src-main/core/secrets/memory-secret-store.ts';
import { WATCH_ITEMS_SHOWN } from '../../../src-main/shared/contract/watch.ts';
import { canaryToken } from '../../support/files.ts';
import { createTestVault, fixedClock, type TestVault } from '../../support/vault.ts';

let test: TestVault;
const EXPIRING = WATCH_ITEMS_SHOWN + 25;

beforeAll(async () => {
  test = createTestVault(new MemorySecretStore(), fixedClock('2026-12-01T10:00:00.000Z'));
  test.services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'production' });
  // Keys that expire within the watch's window (7 days by default), and one that does not.
  for (let index = 0; index < EXPIRING; index += 1) await test.services.keys.add({ tenant: 'acme', name: `feed-${String(index).padStart(3, '0')}`, secret: canaryToken(), scopes: [], expiresOn: '2026-12-04' });
  await test.services.keys.add({ tenant: 'acme', name: 'calm', secret: canaryToken(), scopes: [], expiresOn: '2027-06-01' });
});
afterAll(() => test.dispose());

describe('the watch status', () => {
  it(`lists at most ${WATCH_ITEMS_SHOWN} things that need a person, and counts them all`, () => {
    const status = test.services.watch.status();
    expect(status.itemCount).toBe(EXPIRING);
    expect(status.items).toHaveLength(WATCH_ITEMS_SHOWN);
    expect(status.unseen).toBe(EXPIRING);
    expect(new Set(status.items.map((item) => item.attention.kind))).toEqual(new Set(['expiring']));
    expect(status.items.some((item) => item.attention.key.name === 'calm')).toBe(false);
  });

  it('counts what is new against all of them once the person has looked', () => {
    const seen = test.services.watch.seen();
    expect([seen.unseen, seen.itemCount, seen.items.length]).toEqual([0, EXPIRING, WATCH_ITEMS_SHOWN]);
  });
});
