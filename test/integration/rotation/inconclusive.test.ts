// A rotation, and a replace after a regenerate, against an endpoint that lets any key in: the new
// key cannot be confirmed, and the advice names that cause before resuming (which would get the
// same answer) or running again. Against the sandbox, with the real keychain and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../src-main/core/errors.ts';
import { startAdminFixture, type AdminFixture } from '../../support/admin-fixture.ts';
import { canaryToken } from '../../support/files.ts';

let fixture: AdminFixture;
const ref = { tenant: 'demo', name: 'cfg' };

const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as VaultError);

beforeAll(async () => {
  fixture = await startAdminFixture('rotation-inconclusive', ['demo']);
  const token = await fixture.createServerKey('cfg', ['tenant.core:read']);
  await fixture.vault.keys.add({ ...ref, secret: token, scopes: ['tenant.core:read'], remoteName: 'cfg' });
  await fixture.sandbox.control('PUT', '/_sandbox/config', { faults: [{ route: '* /api/demo/admin/config', acceptAnyKey: true }] });
});
afterAll(() => fixture.dispose());

describe('a new key that an endpoint letting any key in cannot confirm', () => {
  it('a rotation stops before the switch, naming the cause before resume and abort, and the server key it left', async () => {
    const error = await failure(fixture.vault.rotations.start(ref));
    expect(error).toBeInstanceOf(VaultError);
    expect(error!.message).toMatch(/could not be confirmed by the config probe \(inconclusive, 200\).*The entry still uses its old key; the new server key "cfg-\d{8}" stays until the rotation is resumed or aborted\.$/);
    expect(error!.remedies.map((remedy) => remedy.code)).toEqual(['endpoint-accepts-any-key', 'resume-rotation', 'abort-rotation']);
    expect(fixture.vault.keys.show(ref).remoteName).toBe('cfg');
    await fixture.vault.rotations.abort(ref);
  });

  it('a replace keeps the key it had, and says what to fix before running it again', async () => {
    const error = await failure(fixture.vault.rotations.replaceAfterRegenerate(ref, canaryToken()));
    expect(error!.message).toMatch(/^The new key could not be confirmed \(inconclusive, 200\): .* demo\/cfg keeps the key it had; run this again once the endpoint refuses a key that cannot exist \(see below\)\.$/);
    expect(error!.remedies.map((remedy) => remedy.code)).toEqual(['endpoint-accepts-any-key']);
  });
});
