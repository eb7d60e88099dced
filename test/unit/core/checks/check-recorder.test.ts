// CheckRecorder: a bulk run's checks go into the inventory as they finish, in batches that commit
// within their time limit, give way to every other write, and lose nothing when a write fails or
// the process dies. Real SQLite in a scratch directory; other processes are real processes.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ValidationEntry } from '../../../../src-main/core/checks/check-store.ts';
import { MemorySecretStore } from '../../../../src-main/core/secrets/memory-secret-store.ts';
import { canaryToken } from '../../../support/files.ts';
import { createTestVault, historyOf, type TestVault } from '../../../support/vault.ts';

const CHILD = fileURLToPath(new URL('../../../support/recorder-child.ts', import.meta.url));
const cleanups: (() => unknown)[] = [];
// Awaited: a vault's folder goes once its connection is closed, before the file's worker ends.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function vaultWithKeys(names: string[]): Promise<{ test: TestVault; ids: string[] }> {
  const test = createTestVault(new MemorySecretStore());
  cleanups.push(() => test.dispose());
  test.services.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: 'http://127.0.0.1:1' });
  const ids: string[] = [];
  for (const name of names) ids.push((await test.services.keys.add({ tenant: 'demo', name, secret: canaryToken(), scopes: [] })).id);
  return { test, ids };
}

function entry(keyId: string, second: number, verdict: ValidationEntry['verdict'] = 'valid'): ValidationEntry {
  const at = `2026-11-22T10:00:${String(second).padStart(2, '0')}.000Z`;
  return { keyId, tenant: 'demo', keyName: 'k', fingerprint: 'sha256:0', at, probe: 'config', verdict, status: verdict === 'valid' ? 200 : 401, durationMs: 3, url: 'http://127.0.0.1:1/api/demo/admin/config' };
}

/** A second connection, as another process would see the file: only committed rows. */
function observer(test: TestVault): Database.Database {
  const db = new Database(test.file, { readonly: true });
  cleanups.unshift(() => db.close());
  return db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (db: Database.Database, table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('CheckRecorder', () => {
  it('writes checks as they finish and commits them within its time limit, the run row with the first', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    const other = observer(test);
    const recorder = test.services.checks.recordBulkRun({ chunk: 2, batchMs: 60, gapMs: 10 });
    recorder.add(entry(ids[0]!, 1));
    // Below a chunk: not written yet, not even in this process.
    expect(historyOf(test.services, ids[0]!)).toEqual([]);
    recorder.add(entry(ids[1]!, 2, 'unauthorized'));
    // A chunk: written into the open batch (this connection sees it), not committed (others do not).
    expect(historyOf(test.services, ids[1]!).map((v) => v.verdict)).toEqual(['unauthorized']);
    expect(count(other, 'validations')).toBe(0);
    expect(count(other, 'check_runs')).toBe(0);
    // The batch commits on its own once its time is up, with nothing else happening.
    await sleep(300);
    expect(count(other, 'validations')).toBe(2);
    expect(other.prepare('SELECT kind FROM check_runs').pluck().all()).toEqual(['bulk']);
    expect(other.prepare('SELECT last_verdict FROM key_status WHERE key_id = ?').pluck().get(ids[1])).toBe('unauthorized');

    // A lone check waits at most the time limit before it is written and committed.
    recorder.add(entry(ids[0]!, 3, 'forbidden'));
    await sleep(300);
    expect(other.prepare('SELECT last_verdict FROM key_status WHERE key_id = ?').pluck().get(ids[0])).toBe('forbidden');

    // finish writes the rest and its last write in one transaction, under the same run.
    recorder.add(entry(ids[1]!, 4));
    recorder.finish(() => test.services.audit.record('validated', { tenant: 'demo', detail: { bulk: true, checked: 4, byVerdict: { valid: 2, unauthorized: 1, forbidden: 1 } } }));
    expect(count(other, 'validations')).toBe(4);
    expect(count(other, 'check_runs')).toBe(1);
    expect(other.prepare(`SELECT detail FROM audit_log WHERE action = 'validated'`).pluck().all()).toEqual([JSON.stringify({ bulk: true, checked: 4, byVerdict: { valid: 2, unauthorized: 1, forbidden: 1 } })]);
    expect(test.services.keys.show({ tenant: 'demo', name: 'b' })).toMatchObject({ lastJudgement: 'valid', lastJudgedAt: '2026-11-22T10:00:04.000Z' });
  });

  it('writes no run row for a run that recorded nothing, but still its last write', async () => {
    const { test } = await vaultWithKeys(['a']);
    test.services.checks.recordBulkRun().finish(() => test.services.audit.record('validated', { detail: { bulk: true, checked: 0, byVerdict: {} } }));
    expect(count(test.services.db.raw, 'check_runs')).toBe(0);
    expect(test.services.audit.entries().filter((e) => e.action === 'validated')).toHaveLength(1);
  });

  it('gives way to any other write in this process: the batch commits first, the write is its own', async () => {
    const { test, ids } = await vaultWithKeys(['a']);
    const other = observer(test);
    const recorder = test.services.checks.recordBulkRun({ chunk: 1, batchMs: 60_000, gapMs: 0 });
    recorder.add(entry(ids[0]!, 1));
    expect(count(other, 'validations')).toBe(0);
    // A single check elsewhere in the app, then a new tenant: each durable on its own at once.
    test.services.checks.recordChecks(test.services.checks.beginRun('check'), [entry(ids[0]!, 2, 'forbidden')]);
    expect(count(other, 'validations')).toBe(2);
    recorder.add(entry(ids[0]!, 3));
    test.services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'custom', baseUrl: 'http://127.0.0.1:1' });
    expect(count(other, 'tenants')).toBe(2);
    expect(count(other, 'validations')).toBe(3);
    // Reading does not end the batch.
    recorder.add(entry(ids[0]!, 4));
    test.services.keys.list({});
    expect(count(other, 'validations')).toBe(3);
    recorder.finish();
    expect(historyOf(test.services, ids[0]!).map((v) => v.at.slice(17, 19))).toEqual(['01', '02', '03', '04']);
    // The bulk run's checks stayed under one run, the single check under its own.
    expect(other.prepare('SELECT kind, count(*) AS n FROM check_runs r JOIN validations v ON v.run_id = r.id GROUP BY r.id ORDER BY r.id').all()).toEqual([
      { kind: 'bulk', n: 3 },
      { kind: 'check', n: 1 },
    ]);
  });

  it('writes a full chunk that came during the pause as soon as the pause is over', async () => {
    const { test, ids } = await vaultWithKeys(['a']);
    const recorder = test.services.checks.recordBulkRun({ chunk: 2, batchMs: 5_000, gapMs: 100 });
    recorder.add(entry(ids[0]!, 1));
    recorder.add(entry(ids[0]!, 2));
    // Another write commits the batch; the pause begins, and a full chunk arrives during it.
    test.services.tenants.add({ alias: 'acme', tenantId: 'acme', environment: 'custom', baseUrl: 'http://127.0.0.1:1' });
    recorder.add(entry(ids[0]!, 3));
    recorder.add(entry(ids[0]!, 4));
    expect(historyOf(test.services, ids[0]!)).toHaveLength(2);
    // Nothing else happens, yet the chunk goes in once the pause is over, not at the time limit.
    await sleep(400);
    expect(historyOf(test.services, ids[0]!)).toHaveLength(4);
    recorder.finish();
  });

  it('loses nothing when a write fails: the batch rolls back whole, its checks wait, and finish writes them', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b']);
    const db = test.services.db.raw;
    const recorder = test.services.checks.recordBulkRun({ chunk: 1, batchMs: 60_000, gapMs: 0 });
    recorder.add(entry(ids[0]!, 1));
    // Made inside the open batch, this trigger fails the next write, and goes with the batch's rollback.
    db.exec(`CREATE TRIGGER fail_history BEFORE INSERT ON validations BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    expect(() => recorder.add(entry(ids[1]!, 2))).not.toThrow();
    expect(db.inTransaction).toBe(false);
    expect(count(db, 'validations')).toBe(0);
    recorder.add(entry(ids[0]!, 3));
    recorder.finish();
    expect(historyOf(test.services, ids[0]!).map((v) => v.at.slice(17, 19))).toEqual(['01', '03']);
    expect(historyOf(test.services, ids[1]!).map((v) => v.at.slice(17, 19))).toEqual(['02']);
    expect(count(db, 'check_runs')).toBe(1);

    // A check that still cannot be written at the end is an error, not a silent loss.
    const failing = test.services.checks.recordBulkRun({ chunk: 1, batchMs: 60_000, gapMs: 0 });
    failing.add({ ...entry(ids[0]!, 5), durationMs: 'not a number' as unknown as number });
    expect(() => failing.finish()).toThrow(/INTEGER/);
    expect(db.inTransaction).toBe(false);
    expect(count(db, 'check_runs')).toBe(1);
  });

  it('never starves another process that writes: it waits a batch at most', async () => {
    const { test, ids } = await vaultWithKeys(['a']);
    const audits = count(test.services.db.raw, 'audit_log');
    const recorder = test.services.checks.recordBulkRun({ chunk: 1, batchMs: 120, gapMs: 150 });
    let second = 0;
    const feeding = setInterval(() => recorder.add(entry(ids[0]!, second++ % 60)), 3);
    try {
      // Another process writes 12 times, with SQLite's own busy handler and a 3 s timeout.
      const script = `
        import Database from 'better-sqlite3';
        const db = new Database(process.argv[1], { timeout: 3000 });
        const insert = db.prepare("INSERT INTO audit_log (at, actor, action) VALUES ('now', 'app', 'copied')");
        const waits = [];
        for (let i = 0; i < 12; i += 1) {
          const started = performance.now();
          insert.run();
          waits.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 37));
        }
        console.log(JSON.stringify(waits));`;
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, test.file], { cwd: fileURLToPath(new URL('../../../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`the writer exited with ${code}: ${err}`))));
      });
      // Every write got in: without the gaps between batches the writer never finds the database
      // free and fails at its 3 s timeout. Some met an open batch and waited for it; none waited
      // anywhere near the timeout (a batch and a busy-handler step, plus room for a loaded machine).
      const waits = JSON.parse(output) as number[];
      expect(waits).toHaveLength(12);
      expect(Math.max(...waits)).toBeGreaterThan(5);
      expect(Math.max(...waits)).toBeLessThan(1500);
    } finally {
      clearInterval(feeding);
      recorder.finish();
    }
    expect(count(test.services.db.raw, 'audit_log') - audits).toBe(12);
  });

  it('keeps history and last verdicts consistent when the process is killed mid-run: whole batches or nothing', async () => {
    const { test, ids } = await vaultWithKeys(['a', 'b', 'c']);
    const child = spawn(process.execPath, [CHILD, test.file, ...ids], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`the recorder exited early with ${code}`)));
    });
    await sleep(25);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const db = test.services.db.raw;
    const rows = db.prepare('SELECT key_id AS keyId, at, verdict FROM validations ORDER BY at').all() as { keyId: string; at: string; verdict: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(100);
    // No holes: what was committed is every check from the first up to some point, in order.
    const start = Date.parse('2026-11-22T10:00:00.000Z');
    expect(rows.map((row) => Date.parse(row.at) - start)).toEqual(rows.map((_, index) => index));
    expect(rows.map((row) => row.keyId)).toEqual(rows.map((_, index) => ids[index % ids.length]));
    // Every key's last verdict is its last committed check, never one that was lost.
    for (const id of ids) {
      const last = rows.filter((row) => row.keyId === id).at(-1)!;
      expect(db.prepare('SELECT last_verdict AS verdict, last_checked_at AS at FROM key_status WHERE key_id = ?').get(id)).toEqual({ verdict: last.verdict, at: last.at });
    }
    expect(count(db, 'check_runs')).toBe(1);
  });
});
