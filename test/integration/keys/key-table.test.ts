// The key table as the main process serves it: filters, search, sorts and pages from SQLite, read
// through indexes; an entry's details and edits; and another connection's change noticed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInventoryDatabase } from '../../../src-main/core/db/database.ts';
import { watchInventory } from '../../../src-main/core/db/change-watcher.ts';
import { keyFilterSql, keySortSql, type CommonTerms } from '../../../src-main/core/keys/key-query.ts';
import { MemorySecretStore } from '../../../src-main/core/secrets/memory-secret-store.ts';
import type { KeyQuery, KeySort } from '../../../src-main/shared/contract.ts';
import type { Verdict } from '../../../src-main/shared/verdicts.ts';
import { KeyStore } from '../../../src-main/core/keys/key-store.ts';
import { createServices } from '../../../src-main/core/services.ts';
import { canaryToken } from '../../support/files.ts';
import { seedInventory } from '../../support/seed-inventory.ts';
import { createTestVault, fixedClock, type TestVault } from '../../support/vault.ts';

let test: TestVault;
const BY_NAME: KeySort = { column: 'name', direction: 'asc' };
const names = (query: KeyQuery, sort: KeySort = BY_NAME, offset = 0, limit = 100) => test.services.keys.page(query, sort, offset, limit).rows.map((key) => `${key.tenant}/${key.name}`);

async function key(tenant: string, name: string, extra: { scopes?: string[]; owner?: string; notes?: string; expiresOn?: string; admin?: boolean; verdicts?: Verdict[] } = {}) {
  const added = await test.services.keys.add({ tenant, name, secret: canaryToken(), scopes: extra.scopes ?? [], ...(extra.owner ? { owner: extra.owner } : {}), ...(extra.notes ? { notes: extra.notes } : {}), ...(extra.expiresOn ? { expiresOn: extra.expiresOn } : {}), admin: extra.admin === true });
  for (const [index, verdict] of (extra.verdicts ?? []).entries()) {
    test.services.checks.recordChecks(test.services.checks.beginRun('check'), [
      { keyId: added.id, tenant, keyName: name, fingerprint: added.fingerprint, at: `2026-11-2${index}T10:00:00.000Z`, probe: 'config', verdict, status: null, durationMs: 1, url: 'u' },
    ]);
  }
}

beforeAll(async () => {
  test = createTestVault(new MemorySecretStore(), fixedClock('2026-12-01T10:00:00.000Z'));
  test.services.tenants.add({ alias: 'acme-prod', tenantId: 'acme', environment: 'production' });
  test.services.tenants.add({ alias: 'acme-qa', tenantId: 'acme', environment: 'staging' });
  await key('acme-prod', 'crm-sync', { scopes: ['Pass.Read'], owner: 'CRM team', expiresOn: '2026-12-05', verdicts: ['valid'] });
  await key('acme-prod', 'Billing', { scopes: ['tenant.core:read'], notes: 'invoices nightly', expiresOn: '2026-11-01', verdicts: ['valid', 'unauthorized'] });
  await key('acme-prod', 'admin', { scopes: ['*'], admin: true, verdicts: ['valid', 'network_error'] });
  await key('acme-qa', 'crm-sync', { scopes: ['Pass.Read', 'Secret.Read'], owner: 'crm team', expiresOn: '2026-12-25' });
  await key('acme-qa', 'webhooks', { scopes: ['*', 'Webhook.Read'], verdicts: ['forbidden'] });
});
afterAll(() => test.dispose());

describe('the key table', () => {
  it('filters by tenant, environment, judgement, attempt, expiry, admin, * and never checked', () => {
    expect(names({ tenant: 'acme-qa' })).toEqual(['acme-qa/crm-sync', 'acme-qa/webhooks']);
    expect(names({ environment: 'production' })).toEqual(['acme-prod/admin', 'acme-prod/Billing', 'acme-prod/crm-sync']);
    expect(names({ judgement: 'valid' })).toEqual(['acme-prod/admin', 'acme-prod/crm-sync']);
    expect(names({ judgement: 'never' })).toEqual(['acme-qa/crm-sync']);
    expect(names({ attempt: 'network_error' })).toEqual(['acme-prod/admin']);
    expect(names({ expiry: 'expired' })).toEqual(['acme-prod/Billing']);
    expect(names({ expiry: 'within-7' })).toEqual(['acme-prod/crm-sync']);
    expect(names({ expiry: 'within-30' })).toEqual(['acme-prod/crm-sync', 'acme-qa/crm-sync']);
    expect(names({ admin: true })).toEqual(['acme-prod/admin']);
    expect(names({ wildcard: true })).toEqual(['acme-prod/admin', 'acme-qa/webhooks']);
    expect(names({ neverChecked: true })).toEqual(['acme-qa/crm-sync']);
    expect(names({ tenant: 'acme-prod', judgement: 'valid', expiry: 'within-7' })).toEqual(['acme-prod/crm-sync']);
  });

  it('searches as you type over name, tenant, owner, notes, scopes and fingerprint, any case', () => {
    expect(names({ search: 'crm' })).toEqual(['acme-prod/crm-sync', 'acme-qa/crm-sync']);
    expect(names({ search: 'CRM TEAM' })).toEqual(['acme-prod/crm-sync', 'acme-qa/crm-sync']);
    expect(names({ search: 'nightly' })).toEqual(['acme-prod/Billing']);
    expect(names({ search: 'Secret.Read' })).toEqual(['acme-qa/crm-sync']);
    expect(names({ search: 'qa hook' })).toEqual(['acme-qa/webhooks']);
    const fingerprint = test.services.keys.find({ tenant: 'acme-qa', name: 'webhooks' })!.fingerprint;
    expect(names({ search: fingerprint.slice(2, 9) })).toEqual(['acme-qa/webhooks']);
    // One or two letters are compared directly (the index needs three).
    expect(names({ search: 'bi' })).toEqual(['acme-prod/Billing']);
    expect(names({ search: '"; DROP TABLE keys; --' })).toEqual([]);
    expect(names({ search: '%' })).toEqual([]);
  });

  it('sorts by any column, either way, empty values last, and pages', () => {
    expect(names({}, { column: 'name', direction: 'desc' })).toEqual(['acme-qa/webhooks', 'acme-qa/crm-sync', 'acme-prod/crm-sync', 'acme-prod/Billing', 'acme-prod/admin']);
    expect(names({}, { column: 'expires', direction: 'asc' })).toEqual(['acme-prod/Billing', 'acme-prod/crm-sync', 'acme-qa/crm-sync', 'acme-prod/admin', 'acme-qa/webhooks']);
    // Descending is the exact reverse: keys that never expire come first, as the latest to expire.
    expect(names({}, { column: 'expires', direction: 'desc' })).toEqual(['acme-qa/webhooks', 'acme-prod/admin', 'acme-qa/crm-sync', 'acme-prod/crm-sync', 'acme-prod/Billing']);
    expect(names({}, { column: 'judgement', direction: 'asc' }).at(-1)).toBe('acme-qa/crm-sync');
    expect(names({}, { column: 'tenant', direction: 'asc' })).toEqual(['acme-prod/admin', 'acme-prod/Billing', 'acme-prod/crm-sync', 'acme-qa/crm-sync', 'acme-qa/webhooks']);
    const page = test.services.keys.page({}, BY_NAME, 2, 2);
    expect(page.rows.map((row) => row.name)).toEqual(['crm-sync', 'crm-sync']);
    expect(page.hasMore).toBe(true);
    expect(test.services.keys.page({}, BY_NAME, 4, 2).hasMore).toBe(false);
    expect(test.services.keys.count({ search: 'crm' })).toBe(2);
    expect(test.services.keys.count({})).toBe(5);
    // Where a key stands, to scroll the table to it; null when the filter leaves it out.
    const billing = { tenant: 'acme-prod', name: 'Billing' };
    expect(test.services.keys.position(billing, {}, BY_NAME)).toBe(1);
    expect(test.services.keys.position(billing, {}, { column: 'name', direction: 'desc' })).toBe(3);
    expect(test.services.keys.position(billing, { tenant: 'acme-qa' }, BY_NAME)).toBeNull();
  });

  it('reads a first page through an index, and a search through the trigram index, never sorting every key', () => {
    const plan = (query: KeyQuery, sort: KeySort) => {
      const filter = keyFilterSql(query, '2026-12-01');
      const sql = `EXPLAIN QUERY PLAN SELECT k.id FROM keys k JOIN tenants t ON t.id = k.tenant_ref LEFT JOIN key_status s ON s.key_id = k.id ${filter.where} ${keySortSql(sort)} LIMIT 51`;
      return (test.services.db.raw.prepare(sql).all(filter.params) as { detail: string }[]).map((row) => row.detail).join('\n');
    };
    for (const direction of ['asc', 'desc'] as const) {
      const byName = plan({}, { column: 'name', direction });
      expect(byName).toMatch(/SCAN k USING INDEX keys_name/);
      expect(byName).not.toMatch(/TEMP B-TREE/);
    }
    for (const [column, index] of [['expires', 'keys_expires'], ['created', 'keys_created'], ['owner', 'keys_owner']] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const sorted = plan({}, { column, direction });
        expect(sorted, `${column} ${direction}`).toMatch(new RegExp(`USING INDEX ${index}`));
        expect(sorted, `${column} ${direction}`).not.toMatch(/TEMP B-TREE/);
      }
    }
    expect(plan({ tenant: 'acme-qa' }, BY_NAME)).toMatch(/USING INDEX keys_tenant_name/);
    expect(plan({ search: 'crm-sync' }, BY_NAME)).toMatch(/VIRTUAL TABLE INDEX .*keys_search|SCAN f VIRTUAL TABLE/);
  });
});

describe('a large inventory', () => {
  let big: TestVault;
  beforeAll(async () => {
    const empty = createTestVault(new MemorySecretStore(), fixedClock('2026-12-01T10:00:00.000Z'));
    await empty.services.close();
    seedInventory(empty.file, { keys: 3000, today: '2026-12-01' });
    big = { ...empty, services: createServices({ actor: 'cli', env: {}, secrets: new MemorySecretStore(), clock: fixedClock('2026-12-01T10:00:00.000Z'), paths: { dataDir: empty.dataDir, inventoryFile: empty.file } }) };
  });
  afterAll(() => big.dispose());

  it('reads a term many keys match key by key in order, a rare one through its index, with the same result', () => {
    // The key store itself: its query for a term read key by key, and for one read through its index.
    const store = new KeyStore(big.services.db);
    const page = (query: KeyQuery, common: CommonTerms) =>
      store.page(keyFilterSql(query, '2026-12-01', common), keySortSql(BY_NAME), 0, 3000).map((row) => row.id);
    const plan = (query: KeyQuery, common: CommonTerms) => {
      const filter = keyFilterSql(query, '2026-12-01', common);
      return (big.services.db.raw.prepare(`EXPLAIN QUERY PLAN SELECT k.id FROM keys k JOIN tenants t ON t.id = k.tenant_ref LEFT JOIN key_status s ON s.key_id = k.id ${filter.where} ${keySortSql(BY_NAME)} LIMIT 101`).all(filter.params) as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
    };
    for (const query of [{ search: 'loyalty' }, { search: 'STORE 1' }, { search: 'webhook relay' }, { judgement: 'valid' }, { attempt: 'timeout' }] as KeyQuery[]) {
      const byIndex = page(query, {});
      expect(byIndex.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(page(query, { search: true, judgement: true, attempt: true }), JSON.stringify(query)).toEqual(byIndex);
      expect(big.services.keys.count(query)).toBe(byIndex.length);
    }
    // Most notes name a store: read in name order, tested one by one, no sort of all matches.
    expect(store.commonTerms({ search: 'store' })).toEqual({ search: true });
    expect(plan({ search: 'store' }, { search: true })).toMatch(/SCAN k USING INDEX keys_name/);
    expect(plan({ search: 'store' }, { search: true })).not.toMatch(/TEMP B-TREE/);
    // One key's fingerprint: through the trigram index.
    const fingerprint = big.services.keys.page({}, BY_NAME, 10, 1).rows[0]!.fingerprint;
    expect(store.commonTerms({ search: fingerprint })).toEqual({ search: false });
    expect(big.services.keys.page({ search: fingerprint }, BY_NAME, 0, 10).rows).toHaveLength(1);
    expect(store.commonTerms({ judgement: 'valid' })).toEqual({ judgement: true });
    expect(plan({ judgement: 'valid' }, { judgement: true })).toMatch(/SCAN k USING INDEX keys_name/);
    expect(store.commonTerms({ judgement: 'forbidden' })).toEqual({ judgement: false });
    // The admin credentials (one per tenant) have an index of their own.
    expect(plan({ admin: true }, {})).toMatch(/keys_admin_name/);
  });
});

describe('one key', () => {
  it('shows where its secret is kept, its checks and its audit trail, newest first', () => {
    const detail = test.services.keys.detail({ tenant: 'acme-prod', name: 'Billing' });
    expect(detail.storage).toEqual({ backend: 'memory (tests only)', service: 'tkv-memory', account: detail.key.secretAccount });
    expect(detail.history.map((check) => check.verdict)).toEqual(['unauthorized', 'valid']);
    expect(detail.audit.map((entry) => entry.action)).toEqual(['validated', 'validated', 'added']);
    expect(detail.credentials).toEqual([]);
  });

  it('edits notes, owner, expiry, scopes, server name and the admin mark, warning about what deserves a look', () => {
    const ref = { tenant: 'acme-qa', name: 'crm-sync' };
    const { key, warnings } = test.services.keys.edit(ref, { notes: 'line one\nline two', owner: null, expiresOn: '2020-01-01', scopes: ['Pass.Raed', 'Secret.Read'], remoteName: 'crm-sync-v2', admin: true });
    expect(key).toMatchObject({ notes: 'line one\nline two', owner: null, expiresOn: '2020-01-01', expired: true, scopes: ['Pass.Raed', 'Secret.Read'], remoteName: 'crm-sync-v2', admin: true });
    // Marked admin with scopes that open no admin API: said too.
    expect(warnings).toEqual(['Pass.Raed is not a scope The Wallet Crew is known to have; did you mean Pass.Read?', 'The expiry date 2020-01-01 has passed: the key shows as expired.', expect.stringMatching(/^It is marked as the tenant's admin credential, but its declared scopes hold neither/)]);
    // One admin credential per tenant; the search index follows the edit.
    expect(names({ search: 'line two' })).toEqual(['acme-qa/crm-sync']);
    test.services.keys.edit({ tenant: 'acme-qa', name: 'webhooks' }, { admin: true });
    expect(test.services.keys.find(ref)!.admin).toBe(false);
    const audit = test.services.keys.detail(ref).audit[0]!;
    expect(audit).toMatchObject({ action: 'edited', detail: { fields: ['scopes', 'expires_on', 'owner', 'notes', 'remote_name', 'is_admin'] } });
    expect(JSON.stringify(audit)).not.toContain('line two');
    expect(() => test.services.keys.edit(ref, { notes: 'bell\u0007' })).toThrow(/control characters/);
    expect(() => test.services.keys.edit(ref, {})).toThrow(/Nothing to change/);
    expect(() => test.services.keys.edit(ref, { expiresOn: '2026-02-30' })).toThrow(/not a real calendar date/);
  });

  it('notices a commit made by another connection (tkv, another window) within a second', async () => {
    let changes = 0;
    const stop = watchInventory(test.services.db.raw, () => (changes += 1), 50);
    try {
      test.services.tenants.add({ alias: 'same-connection', tenantId: 'x', environment: 'staging' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(changes).toBe(0);
      const other = openInventoryDatabase(path.join(test.dataDir, 'inventory.sqlite'));
      other.prepare(`UPDATE keys SET notes = 'from tkv' WHERE name = 'admin'`).run();
      other.close();
      await expect.poll(() => changes, { timeout: 1000 }).toBe(1);
    } finally {
      stop();
    }
  });
});
