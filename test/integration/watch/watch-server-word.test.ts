// The watch says what the server's admin API said of a refused key at its last judgement (deleted,
// disabled, its token replaced, what it holds against what was needed), not only "refused": against
// the sandbox, with the real keychain and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionWords, watchRound } from '../../../src-main/core/watch/watch-round.ts';
import type { Attention } from '../../../src-main/shared/contract/watch.ts';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';
import { canaryToken } from '../../support/files.ts';

let fixture: AdminFixture;

const serverKey = (name: string, permissions: string[]) => fixture.createServerKey(name, permissions);
const admin = (method: string, path: string, body?: unknown) => fixture.adminApi(method, path, body);

/** A watch round now, checking every key judged before now; the words of what needs a person, by key name. */
async function round(): Promise<Record<string, { item: Attention; words: string }>> {
  const { attention } = await watchRound(fixture.vault, { now: new Date(Date.now() + 1000), staleHours: 0 });
  return Object.fromEntries(attention.map((item) => [item.key.name, { item, words: attentionWords(item) }]));
}

beforeAll(async () => {
  fixture = await startAdminFixture('watch-word', ['demo']);
  const add = (name: string, secret: string, scopes: string[]) => fixture.vault.keys.add({ tenant: 'demo', name, secret, scopes, remoteName: name });
  await add('w-disabled', await serverKey('w-disabled', ['tenant.core:read']), ['tenant.core:read']);
  await admin('PUT', '/w-disabled', { enabled: false, permissions: ['tenant.core:read'] });
  await add('w-deleted', await serverKey('w-deleted', ['tenant.core:read']), ['tenant.core:read']);
  await admin('DELETE', '/w-deleted');
  await serverKey('w-regenerated', ['tenant.core:read']);
  await add('w-regenerated', canaryToken(), ['tenant.core:read']);
  await add('w-lacking', await serverKey('w-lacking', ['Pass.Read']), ['tenant.core:read']);
  await add('w-healthy', await serverKey('w-healthy', ['tenant.core:read']), ['tenant.core:read']);
});
afterAll(() => fixture.dispose());

describe("the watch and the server's word", () => {
  it("says what the server said of each refused key at its last judgement", async () => {
    const found = await round();
    expect(Object.keys(found).sort()).toEqual(['w-deleted', 'w-disabled', 'w-lacking', 'w-regenerated']);
    expect(found['w-disabled']!.item).toMatchObject({ kind: 'unauthorized', server: { state: 'disabled', remoteName: 'w-disabled' } });
    const at = (name: string) => found[name]!.item.kind === 'unauthorized' || found[name]!.item.kind === 'forbidden' ? (found[name]!.item as { since: string }).since.slice(0, 16).replace('T', ' ') : '';
    expect(found['w-disabled']!.words).toBe(`refused by the server (401) when last judged, ${at('w-disabled')} UTC: its admin API lists "w-disabled" as disabled`);
    expect(found['w-deleted']!.words).toBe(`refused by the server (401) when last judged, ${at('w-deleted')} UTC: its admin API has no key "w-deleted", so it was deleted on the server`);
    expect(found['w-regenerated']!.words).toBe(
      `refused by the server (401) when last judged, ${at('w-regenerated')} UTC, yet its admin API lists "w-regenerated" as enabled: the vault's secret is not that key's token (regenerated or rotated elsewhere)`,
    );
    expect(found['w-lacking']!.words).toBe(`lacks a scope the check needed (403) when last judged, ${at('w-lacking')} UTC: the server lists "w-lacking" with Pass.Read; the check needed tenant.core:read`);
  });

  it('keeps the word while later checks judge nothing (an endpoint letting any key in): the refusal stands', async () => {
    await fixture.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: '* /api/demo/admin/config', acceptAnyKey: true }] });
    try {
      const found = await round();
      expect(fixture.vault.keys.show({ tenant: 'demo', name: 'w-disabled' })).toMatchObject({ lastJudgement: 'unauthorized', lastAttempt: 'inconclusive' });
      expect(found['w-disabled']!.item).toMatchObject({ kind: 'unauthorized', server: { state: 'disabled', remoteName: 'w-disabled' } });
    } finally {
      await fixture.sandbox.control('DELETE', '/_sandbox/config');
    }
  });

  it('drops a word once the key works again, and never shows an older word for a later refusal', async () => {
    await admin('PUT', '/w-disabled', { enabled: true, permissions: ['tenant.core:read'] });
    // Without an admin credential the server is not asked: the refusals are judged again, without a word.
    await fixture.vault.keys.remove({ tenant: 'demo', name: 'sandbox-admin' });
    const found = await round();
    expect(Object.keys(found).sort()).toEqual(['w-deleted', 'w-lacking', 'w-regenerated']);
    for (const { item, words } of Object.values(found)) {
      expect(item).not.toHaveProperty('server');
      expect(words).toMatch(/^(refused by the server \(401: missing, invalid or revoked\)|lacks a scope the check needed \(403\)) when last judged, \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    }
  });
});
