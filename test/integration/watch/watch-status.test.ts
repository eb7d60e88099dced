// What the app's Watch screen and navigation read: a vault where thousands of keys need a person
// carries the newest WATCH_ITEMS_SHOWN of them and the count of all, never the whole list; and what
// needs a person is found from the keys that can (through indexes), not from the whole inventory.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_FILE } from '../../../src-main/core/paths.ts';
import { MemorySecretStore } from '../../../src-main/core/secrets/memory-secret-store.ts';
import { createServices } from '../../../src-main/core/services.ts';
import { needsAPerson } from '../../../src-main/core/watch/watch-round.ts';
import { WatchStore } from '../../../src-main/core/watch/watch-store.ts';
import { WATCH_ITEMS_SHOWN } from '../../../src-main/shared/contract/watch.ts';
import { canaryToken, scratchDir } from '../../support/files.ts';
import { seedInventory } from '../../support/seed-inventory.ts';
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

describe('what needs a person, at scale', () => {
  it('is found from the keys that can need one, and is what every key would have said', async () => {
    const dir = scratchDir('watch-scale');
    const file = path.join(dir, INVENTORY_FILE);
    // Expiries from 20 days ago to 76 days ahead, verdicts of every kind.
    seedInventory(file, { keys: 3000, tenants: 6, today: '2026-12-01' });
    // And attempts the negative control found inconclusive, on keys last judged valid that never expire.
    const raw = new Database(file);
    const inconclusive = raw.prepare(`UPDATE key_status SET last_attempt = 'inconclusive' WHERE key_id IN (SELECT k.id FROM keys k JOIN key_status s ON s.key_id = k.id WHERE s.last_verdict = 'valid' AND k.expires_on IS NULL LIMIT 5)`).run().changes;
    raw.close();
    expect(inconclusive).toBe(5);
    const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dir }, secrets: new MemorySecretStore(), clock: fixedClock('2026-12-01T10:00:00.000Z') });
    try {
      const all = services.keys.list();
      const store = new WatchStore(services.db);
      const now = new Date('2026-12-01T10:00:00.000Z');
      for (const expiringDays of [0, 7, 30]) {
        const found = needsAPerson((days) => store.candidates('2026-12-01', days), services.rotations, { now, expiringDays });
        // The same function over every key of the vault: what the watch said before it read only candidates.
        const fromAll = needsAPerson(() => services.keys.list(), services.rotations, { now, expiringDays });
        expect(found).toEqual(fromAll);
        expect(found.filter((item) => item.kind === 'inconclusive')).toHaveLength(5);
        expect(new Set(found.map((item) => item.kind))).toEqual(new Set(['unauthorized', 'forbidden', 'inconclusive', 'expired', 'expiring']));
        // The keys read are those that can need a person, far fewer than the inventory's.
        expect(store.candidates('2026-12-01', expiringDays).length).toBeLessThan(all.length * 0.75);
      }
    } finally {
      await services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
