// A tenant with no key marked admin, but a stored key that declares admin scopes: the advice is to
// mark that key (one command), not to add a key the vault already holds (which is refused as a
// duplicate). Against the sandbox, with the real keychain and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remedyLines } from '../../../src-main/cli/remedies.ts';
import { remedySentence } from '../../../src-main/shared/remedies.ts';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';

let fixture: AdminFixture;
const admin = { tenant: 'demo', name: 'sandbox-admin' };
const feed = { tenant: 'demo', name: 'feed' };

beforeAll(async () => {
  fixture = await startAdminFixture('mark-admin', ['demo']);
  const token = await fixture.createServerKey('feed', ['tenant.core:read'], { enabled: false });
  await fixture.vault.keys.add({ ...feed, secret: token, scopes: ['tenant.core:read'], remoteName: 'feed' });
  // The admin key stays stored (it declares `*`), but is no longer marked as the tenant's admin credential.
  fixture.vault.keys.edit(admin, { admin: false });
});
afterAll(() => fixture.dispose());

describe('no key marked admin, one that could be', () => {
  it('a refused check advises marking it, first; once marked, the server is asked', async () => {
    const result = await fixture.vault.checks.checkStored(feed);
    expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'no-credential', tenant: 'demo', markable: [{ key: admin, scopes: ['*'] }] } });
    expect(result.nextSteps.slice(-2)).toEqual([{ code: 'mark-admin', key: admin, scopes: ['*'] }, { code: 'server-word-needs-admin', tenant: 'demo', status: 401 }]);
    expect(remedyLines(result.nextSteps.at(-2)!)).toBe("  - demo/sandbox-admin is stored and declares `*`: mark it as demo's admin credential (no new key needed).\n      tkv key edit demo/sandbox-admin --admin");

    fixture.vault.keys.edit(admin, { admin: true });
    const again = await fixture.vault.checks.checkStored(feed);
    expect(again).toMatchObject({ verdict: 'unauthorized', server: { state: 'disabled', remoteName: 'feed' } });
  });

  it('the server listing refused for want of an admin credential says the same', async () => {
    fixture.vault.keys.edit(admin, { admin: false });
    const refused = await fixture.vault.admin.remoteList('demo').then(
      () => null,
      (error: { remedies: unknown[] }) => error.remedies,
    );
    expect(refused).toEqual([{ code: 'mark-admin', key: admin, scopes: ['*'] }, { code: 'store-admin-credential', tenant: 'demo' }]);
  });

  it('adding the tenant’s own stored key again as admin is refused, and says to mark the entry instead', async () => {
    const error = await fixture.vault.keys.add({ tenant: 'demo', name: 'admin-again', secret: fixture.sandbox.adminKey('demo'), scopes: ['*'], admin: true }).then(
      () => null,
      (thrown: { code: string; remedies: unknown[] }) => thrown,
    );
    expect(error).toMatchObject({ code: 'ALREADY_EXISTS', remedies: [{ code: 'mark-admin', key: admin, scopes: [] }] });
    expect(remedySentence({ code: 'mark-admin', key: admin, scopes: [] })).toBe("demo/sandbox-admin is stored: mark it as demo's admin credential (no new key needed).");
  });

  it('an admin key the admin API refuses for want of its scope: the advice is the permission, not the key’s own check (which says valid)', async () => {
    const token = await fixture.createServerKey('weak-admin', ['tenant.core:read']);
    const weak = { tenant: 'demo', name: 'weak-admin' };
    await fixture.vault.keys.add({ ...weak, secret: token, scopes: ['tenant.core:read'], admin: true, remoteName: 'weak-admin' });
    const result = await fixture.vault.checks.checkStored(feed);
    const lacking = { code: 'admin-key-lacks-scope', key: weak, scope: 'tenant.apiKey:read' };
    expect(result).toMatchObject({ verdict: 'unauthorized', server: { state: 'failed', remedies: [lacking] } });
    expect(result.nextSteps).toContainEqual(lacking);
    expect(remedyLines(lacking as never)).toBe(
      "  - demo's admin key, demo/weak-admin, authenticates, but the server denies it the admin API: it lacks `tenant.apiKey:read`. Grant that permission to its server key (in the vendor's admin console, or with another admin credential), or mark another key as demo's admin credential.\n      tkv key list --tenant demo   # their declared scopes: one with * or tenant.apiKey:read may be marked admin instead",
    );
    // Its own check says why the advice is not "check it": it is valid.
    expect((await fixture.vault.checks.checkStored(weak)).verdict).toBe('valid');
    // Marking a key whose declared scopes open no admin API is allowed, with a warning; one declaring `*`, without.
    const warning = /^It is marked as the tenant's admin credential, but its declared scopes hold neither `\*` nor `tenant\.apiKey:read`: if they are right, the server refuses it the admin API/;
    expect(fixture.vault.keys.edit(weak, { admin: true }).warnings).toEqual([expect.stringMatching(warning)]);
    expect(fixture.vault.keys.inputWarnings({ admin: true, scopes: ['tenant.core:read'] })).toEqual([expect.stringMatching(warning)]);
    expect(fixture.vault.keys.edit(admin, { admin: true }).warnings).toEqual([]);
  });
});
