// Validation history: recorded per check run, read per key through the run index, removed with its
// key, and carried over from the version-3 layout (history indexed by key) without loss.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openInventoryDatabase, schemaVersion } from '../../../../src-main/core/db/database.ts';
import { HISTORY_SQL, type ValidationEntry } from '../../../../src-main/core/checks/check-store.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../src-main/core/db/migrations/index.ts';
import { MemorySecretStore } from '../../../../src-main/core/secrets/memory-secret-store.ts';
import { canaryToken, scratchDir } from '../../../support/files.ts';
import { createTestVault, historyOf, type TestVault } from '../../../support/vault.ts';

const cleanups: (() => unknown)[] = [];
// Awaited: a vault's folder goes once its connection is closed, before the file's worker ends.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function vaultWithKeys(names: string[]): Promise<{ test: TestVault; ids: Record<string, string> }> {
  const test = createTestVault(new MemorySecretStore());
  cleanups.push(() => test.dispose());
  test.services.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: 'http://127.0.0.1:1' });
  const ids: Record<string, string> = {};
  for (const name of names) ids[name] = (await test.services.keys.add({ tenant: 'demo', name, secret: canaryToken(), scopes: [] })).id;
  return { test, ids };
}

function entry(keyId: string, at: string, verdict: ValidationEntry['verdict'] = 'valid'): ValidationEntry {
  return { keyId, tenant: 'demo', keyName: 'k', fingerprint: 'sha256:0', at, probe: 'config', verdict, status: verdict === 'valid' ? 200 : 401, durationMs: 3, url: 'http://127.0.0.1:1/api/demo/admin/config' };
}

describe('validation history', () => {
  it('keeps each check under its run with its own time, and the latest as the key’s last verdict', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    const { services } = test;
    const bulk = services.checks.beginRun('bulk');
    services.checks.recordChecks(bulk, [entry(ids.a!, '2026-11-22T10:00:01.000Z'), entry(ids.b!, '2026-11-22T10:00:02.000Z', 'unauthorized')], { auditEach: false });
    const single = services.checks.beginRun('check');
    services.checks.recordChecks(single, [entry(ids.a!, '2026-11-22T10:05:00.000Z', 'unauthorized')]);

    expect(historyOf(services, ids.a!).map((v) => [v.runId, v.at, v.verdict])).toEqual([
      [bulk.id, '2026-11-22T10:00:01.000Z', 'valid'],
      [single.id, '2026-11-22T10:05:00.000Z', 'unauthorized'],
    ]);
    expect(historyOf(services, ids.b!).map((v) => [v.runId, v.verdict])).toEqual([[bulk.id, 'unauthorized']]);
    expect(services.keys.show({ tenant: 'demo', name: 'a' })).toMatchObject({ lastJudgement: 'unauthorized', lastJudgedAt: '2026-11-22T10:05:00.000Z' });
    expect(services.keys.show({ tenant: 'demo', name: 'b' })).toMatchObject({ lastJudgement: 'unauthorized', lastJudgedAt: '2026-11-22T10:00:02.000Z' });
    // Only the single check is audited one by one; a bulk run has its own audit entry.
    expect(services.audit.entries(ids.b!).filter((e) => e.action === 'validated')).toEqual([]);
    expect(services.audit.entries(ids.a!).filter((e) => e.action === 'validated')).toHaveLength(1);
  });

  it('takes a key’s last entry of a batch as its last verdict, whatever the order of the batch', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    // A batch may hold several checks of one key, mixed with other keys' checks.
    test.services.checks.recordChecks(test.services.checks.beginRun('bulk'), [
      entry(ids.b!, '2026-11-22T10:00:01.000Z', 'forbidden'),
      entry(ids.a!, '2026-11-22T10:00:02.000Z', 'valid'),
      entry(ids.b!, '2026-11-22T10:00:03.000Z', 'valid'),
      entry(ids.a!, '2026-11-22T10:00:04.000Z', 'forbidden'),
    ]);
    expect(historyOf(test.services, ids.a!).map((v) => v.verdict)).toEqual(['valid', 'forbidden']);
    expect(historyOf(test.services, ids.b!).map((v) => v.verdict)).toEqual(['forbidden', 'valid']);
    expect(test.services.keys.show({ tenant: 'demo', name: 'a' })).toMatchObject({ lastJudgement: 'forbidden', lastJudgedAt: '2026-11-22T10:00:04.000Z' });
    expect(test.services.keys.show({ tenant: 'demo', name: 'b' })).toMatchObject({ lastJudgement: 'valid', lastJudgedAt: '2026-11-22T10:00:03.000Z' });
  });

  it('leaves a run unwritten when its first checks roll back, so the next ones write it', async () => {
    const { test, ids } = await vaultWithKeys(['a']);
    const run = test.services.checks.beginRun('check');
    test.services.db.raw.exec(`CREATE TRIGGER fail_history BEFORE INSERT ON validations BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    expect(() => test.services.checks.recordChecks(run, [entry(ids.a!, '2026-11-22T10:00:01.000Z')])).toThrow(/disk full/);
    expect(run.id).toBeNull();
    expect(test.services.db.raw.prepare('SELECT count(*) FROM check_runs').pluck().get()).toBe(0);
    test.services.db.raw.exec('DROP TRIGGER fail_history');
    test.services.checks.recordChecks(run, [entry(ids.a!, '2026-11-22T10:00:02.000Z')]);
    expect(historyOf(test.services, ids.a!).map((v) => [v.runId, v.at])).toEqual([[run.id, '2026-11-22T10:00:02.000Z']]);
  });

  it('skips a key removed while its run was going, keeping the rest of the batch', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    const run = test.services.checks.beginRun('bulk');
    await test.services.keys.remove({ tenant: 'demo', name: 'a' });
    test.services.checks.recordChecks(run, [entry(ids.a!, '2026-11-22T10:00:01.000Z'), entry(ids.b!, '2026-11-22T10:00:02.000Z')], { auditEach: false });
    expect(historyOf(test.services, ids.a!)).toEqual([]);
    expect(historyOf(test.services, ids.b!)).toHaveLength(1);
  });

  it('removes a key’s history with the key, and only its own', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    for (let round = 0; round < 3; round += 1) {
      test.services.checks.recordChecks(test.services.checks.beginRun('bulk'), [entry(ids.a!, `2026-11-22T10:0${round}:00.000Z`), entry(ids.b!, `2026-11-22T10:0${round}:01.000Z`)], { auditEach: false });
    }
    await test.services.keys.remove({ tenant: 'demo', name: 'a' });
    const rows = test.services.db.raw.prepare('SELECT key_id AS keyId FROM validations').all() as { keyId: string }[];
    expect(rows.map((row) => row.keyId)).toEqual([ids.b, ids.b, ids.b]);
    expect(test.services.db.raw.prepare('SELECT key_id AS keyId FROM key_status').all()).toEqual([{ keyId: ids.b }]);
  });

  it('reads a key’s history and writes a run through the run index, never scanning all history', async () => {
    const { test } = await vaultWithKeys(['a']);
    const plan = (sql: string) => (test.services.db.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((row) => row.detail);
    const history = plan(HISTORY_SQL);
    expect(history).toContainEqual(expect.stringMatching(/SEARCH v USING (COVERING )?INDEX validations_run_key \(run_id=\? AND key_id=\?\)/));
    expect(history.filter((detail) => /SCAN v\b/.test(detail))).toEqual([]);
    // The trigger that removes a key's history takes the same path.
    const trigger = (test.services.db.raw.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'keys_delete_history'`).get() as { sql: string }).sql;
    const body = /DELETE FROM validations WHERE id IN \(([\s\S]*?)\);\s*END/.exec(trigger)![1]!.replace('old.id', '?');
    const deletion = plan(body);
    expect(deletion).toContainEqual(expect.stringMatching(/SEARCH v USING (COVERING )?INDEX validations_run_key \(run_id=\? AND key_id=\?\)/));
    expect(deletion.filter((detail) => /SCAN v\b/.test(detail))).toEqual([]);
  });
});

describe('migration to version 4', () => {
  it('carries history indexed by key over to runs: each batch that shared its time becomes one run', () => {
    const dir = scratchDir('history');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'inventory.sqlite');
    const raw = new Database(file);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) raw.exec(migration.sql);
    raw.pragma('user_version = 3');
    raw.exec(`
      INSERT INTO tenants (id, alias, tenant_id, environment, base_url, created_at) VALUES ('t', 'demo', 'demo', 'custom', 'http://127.0.0.1:1', 'now');
      INSERT INTO keys (id, tenant_ref, name, fingerprint, created_at, secret_account, last_verdict, last_checked_at) VALUES
        ('ka', 't', 'a', 'sha256:a', 'now', 'ka', 'forbidden', '2026-11-02T00:00:00.000Z'),
        ('kb', 't', 'b', 'sha256:b', 'now', 'kb', 'unauthorized', '2026-11-01T00:00:00.000Z'),
        ('kc', 't', 'c', 'sha256:c', 'now', 'kc', NULL, NULL);
      INSERT INTO validations (key_id, at, probe, verdict, status, duration_ms, url) VALUES
        ('ka', '2026-11-01T00:00:00.000Z', 'config', 'valid', 200, 4, 'u'),
        ('kb', '2026-11-01T00:00:00.000Z', 'config', 'unauthorized', 401, 5, 'u'),
        ('ka', '2026-11-02T00:00:00.000Z', 'config', 'forbidden', 403, 6, 'u');
    `);
    raw.close();

    const db = openInventoryDatabase(file);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id, started_at AS startedAt, kind FROM check_runs ORDER BY id').all()).toEqual([
      { id: 1, startedAt: '2026-11-01T00:00:00.000Z', kind: 'bulk' },
      { id: 2, startedAt: '2026-11-02T00:00:00.000Z', kind: 'check' },
    ]);
    expect(db.prepare('SELECT id, run_id AS runId, key_id AS keyId, verdict, status, duration_ms AS ms FROM validations ORDER BY id').all()).toEqual([
      { id: 1, runId: 1, keyId: 'ka', verdict: 'valid', status: 200, ms: 4 },
      { id: 2, runId: 1, keyId: 'kb', verdict: 'unauthorized', status: 401, ms: 5 },
      { id: 3, runId: 2, keyId: 'ka', verdict: 'forbidden', status: 403, ms: 6 },
    ]);
    // Last verdicts moved to key_status; a key never checked has none.
    expect(db.prepare('SELECT key_id AS keyId, last_verdict AS verdict, last_checked_at AS at FROM key_status ORDER BY key_id').all()).toEqual([
      { keyId: 'ka', verdict: 'forbidden', at: '2026-11-02T00:00:00.000Z' },
      { keyId: 'kb', verdict: 'unauthorized', at: '2026-11-01T00:00:00.000Z' },
    ]);
    // Removing a key still removes its history, now by the trigger instead of the foreign key.
    db.prepare(`DELETE FROM keys WHERE id = 'ka'`).run();
    expect(db.prepare('SELECT key_id AS keyId FROM validations').all()).toEqual([{ keyId: 'kb' }]);
    expect(db.prepare('SELECT key_id AS keyId FROM key_status').all()).toEqual([{ keyId: 'kb' }]);
    db.close();
  });
});

describe('last judgement and last attempt', () => {
  it('keeps the judgement when a later check never blames the key, and records the attempt', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    const { services } = test;
    services.checks.recordChecks(services.checks.beginRun('check'), [entry(ids.a!, '2026-11-22T10:00:00.000Z', 'valid')]);
    for (const [verdict, at] of [['network_error', '2026-11-22T11:00:00.000Z'], ['intercepted', '2026-11-22T12:00:00.000Z'], ['throttled', '2026-11-22T13:00:00.000Z']] as const) {
      services.checks.recordChecks(services.checks.beginRun('check'), [entry(ids.a!, at, verdict)]);
      expect(services.keys.show({ tenant: 'demo', name: 'a' })).toMatchObject({ lastJudgement: 'valid', lastJudgedAt: '2026-11-22T10:00:00.000Z', lastAttempt: verdict, lastAttemptAt: at });
    }
    // A key only ever reached through a failing network has an attempt and no judgement.
    services.checks.recordChecks(services.checks.beginRun('bulk'), [entry(ids.b!, '2026-11-22T10:00:00.000Z', 'timeout'), entry(ids.a!, '2026-11-22T14:00:00.000Z', 'unauthorized')]);
    expect(services.keys.show({ tenant: 'demo', name: 'b' })).toMatchObject({ lastJudgement: null, lastJudgedAt: null, lastAttempt: 'timeout' });
    expect(services.keys.show({ tenant: 'demo', name: 'a' })).toMatchObject({ lastJudgement: 'unauthorized', lastAttempt: 'unauthorized', lastJudgedAt: '2026-11-22T14:00:00.000Z' });
  });

  it('agrees with a check-by-check model over runs mixing confirmations, changes, first checks and repeats', async () => {
    // Most checks of a bulk run confirm the status a key has (only its times move, a path of its
    // own); the others change it or are its first. Every kind, with repeats of a key in one write.
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { test, ids } = await vaultWithKeys(names);
    const { services } = test;
    const verdicts = ['valid', 'valid', 'valid', 'unauthorized', 'forbidden', 'timeout', 'throttled'] as const;
    const model = new Map<string, { judgement: string | null; judgedAt: string | null; attempt: string; attemptAt: string }>();
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    // A key checked twice in one write, first changing its status and then back to the one stored,
    // at the very time stored: its last check stands, not the one before.
    services.checks.recordChecks(services.checks.beginRun('check'), [entry(ids.f!, '2026-11-22T09:00:00.000Z', 'valid')]);
    services.checks.recordChecks(services.checks.beginRun('bulk'), [entry(ids.f!, '2026-11-22T09:00:01.000Z', 'forbidden'), entry(ids.f!, '2026-11-22T09:00:00.000Z', 'valid')], { auditEach: false });
    model.set('f', { judgement: 'valid', judgedAt: '2026-11-22T09:00:00.000Z', attempt: 'valid', attemptAt: '2026-11-22T09:00:00.000Z' });
    for (let run = 0; run < 40; run += 1) {
      const entries: ValidationEntry[] = [];
      for (let n = 1 + random(8); n > 0; n -= 1) {
        const name = names[random(run < 3 ? 3 : names.length)]!;
        // Early runs leave some keys alone, so later runs record first checks too.
        const verdict = verdicts[random(verdicts.length)]!;
        // Times from a small pool: checks in the same millisecond are common in a bulk run.
        const at = new Date(Date.UTC(2026, 10, 22, 10, 0, random(3))).toISOString();
        entries.push(entry(ids[name]!, at, verdict));
        const judged = verdict !== 'timeout' && verdict !== 'throttled';
        const before = model.get(name);
        model.set(name, { judgement: judged ? verdict : (before?.judgement ?? null), judgedAt: judged ? at : (before?.judgedAt ?? null), attempt: verdict, attemptAt: at });
      }
      services.checks.recordChecks(services.checks.beginRun('bulk'), entries, { auditEach: false });
      for (const name of names) {
        const expected = model.get(name);
        const shown = services.keys.show({ tenant: 'demo', name });
        expect([name, shown.lastJudgement, shown.lastJudgedAt, shown.lastAttempt, shown.lastAttemptAt]).toEqual([name, expected?.judgement ?? null, expected?.judgedAt ?? null, expected?.attempt ?? null, expected?.attemptAt ?? null]);
      }
    }
  });

  it('leaves both alone when a run is recorded as history only (a scope matrix)', async () => {
    const { test, ids } = await vaultWithKeys(['a']);
    test.services.checks.recordChecks(test.services.checks.beginRun('check'), [entry(ids.a!, '2026-11-22T10:00:00.000Z', 'valid')]);
    test.services.checks.recordChecks(test.services.checks.beginRun('matrix'), [entry(ids.a!, '2026-11-22T10:01:00.000Z', 'forbidden'), entry(ids.a!, '2026-11-22T10:02:00.000Z', 'forbidden')], { keyStatus: false });
    expect(test.services.keys.show({ tenant: 'demo', name: 'a' })).toMatchObject({ lastJudgement: 'valid', lastAttempt: 'valid', lastAttemptAt: '2026-11-22T10:00:00.000Z' });
    expect(historyOf(test.services, ids.a!)).toHaveLength(3);
  });

  it('migrates to version 5 finding each key’s last judgement in its history', () => {
    const dir = scratchDir('history');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'inventory.sqlite');
    const raw = new Database(file);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 4)) raw.exec(migration.sql);
    raw.pragma('user_version = 4');
    raw.exec(`
      INSERT INTO tenants (id, alias, tenant_id, environment, base_url, created_at) VALUES ('t', 'demo', 'demo', 'custom', 'http://127.0.0.1:1', 'now');
      INSERT INTO keys (id, tenant_ref, name, fingerprint, created_at, secret_account) VALUES ('ka', 't', 'a', 'a', 'now', 'ka'), ('kb', 't', 'b', 'b', 'now', 'kb'), ('kc', 't', 'c', 'c', 'now', 'kc');
      INSERT INTO check_runs (id, started_at, kind) VALUES (1, 'r1', 'bulk'), (2, 'r2', 'bulk');
      INSERT INTO validations (run_id, key_id, at, probe, verdict, status, duration_ms, url) VALUES
        (1, 'ka', '2026-11-01T00:00:00.000Z', 'config', 'forbidden', 403, 1, 'u'),
        (1, 'kb', '2026-11-01T00:00:00.000Z', 'config', 'timeout', NULL, 1, 'u'),
        (2, 'ka', '2026-11-02T00:00:00.000Z', 'config', 'network_error', NULL, 1, 'u'),
        (2, 'kc', '2026-11-02T00:00:00.000Z', 'config', 'valid', 200, 1, 'u');
      INSERT INTO key_status (key_id, last_verdict, last_checked_at) VALUES
        ('ka', 'network_error', '2026-11-02T00:00:00.000Z'), ('kb', 'timeout', '2026-11-01T00:00:00.000Z'), ('kc', 'valid', '2026-11-02T00:00:00.000Z');
    `);
    raw.close();
    const db = openInventoryDatabase(file);
    try {
      expect(db.prepare('SELECT key_id AS k, last_verdict AS j, last_checked_at AS jat, last_attempt AS a, last_attempt_at AS aat FROM key_status ORDER BY key_id').all()).toEqual([
        { k: 'ka', j: 'forbidden', jat: '2026-11-01T00:00:00.000Z', a: 'network_error', aat: '2026-11-02T00:00:00.000Z' },
        { k: 'kb', j: null, jat: null, a: 'timeout', aat: '2026-11-01T00:00:00.000Z' },
        { k: 'kc', j: 'valid', jat: '2026-11-02T00:00:00.000Z', a: 'valid', aat: '2026-11-02T00:00:00.000Z' },
      ]);
    } finally {
      db.close();
    }
  });
});
