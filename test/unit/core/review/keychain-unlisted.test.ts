// The review stands without the keychain's listing (a locked or busy keychain): it says so, and
// flags nothing that only the listing could tell.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../../src-main/core/errors.ts';
import { MemorySecretStore } from '../../../../src-main/core/secrets/memory-secret-store.ts';
import { createServices } from '../../../../src-main/core/services.ts';
import { scratchDir } from '../../../support/files.ts';

const dataDir = scratchDir('review-unlisted');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('the review without the keychain', () => {
  it('keeps every other flag, adds a finding that says why, and claims no missing entry', async () => {
    const secrets = new MemorySecretStore();
    const services = createServices({ actor: 'cli', env: { TKV_DATA_DIR: dataDir }, secrets });
    services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'staging' });
    await services.keys.add({ tenant: 'acme', name: 'wild', secret: 'x'.repeat(40), scopes: ['*'] });
    const before = await services.review.report();
    expect(before.findings).toEqual([]);

    secrets.failWith = new VaultError('KEYCHAIN_UNAVAILABLE', 'The keychain is locked.');
    const report = await services.review.report();
    expect(report.findings).toEqual([expect.objectContaining({ code: 'keychain-unlisted', severity: 'warning', reason: expect.stringContaining('The keychain is locked') })]);
    const codes = report.keys[0]!.flags.map((flag) => flag.code);
    expect(codes).toContain('wildcard');
    expect(codes).not.toContain('secret-missing');
    await services.close();
  });
});
