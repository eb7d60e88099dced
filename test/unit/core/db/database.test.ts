import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, openInventoryDatabase, schemaVersion } from '../../../../src-main/core/db/database.ts';
import { SCHEMA_VERSION } from '../../../../src-main/core/db/migrations/index.ts';
import { VaultError } from '../../../../src-main/core/errors.ts';
import { scratchDir } from '../../../support/files.ts';

const dirs: string[] = [];
function inventoryFile(): string {
  const dir = scratchDir('db');
  dirs.push(dir);
  return path.join(dir, 'nested', 'inventory.sqlite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('openInventoryDatabase', () => {
  it('creates the directory and opens in WAL with synchronous=FULL, a busy timeout, foreign keys and temporary data in memory', () => {
    const db = openInventoryDatabase(inventoryFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // 2 = MEMORY: statement journals never spill to a temporary file (see CheckRecorder's chunks).
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    db.close();
  });

  it('migrates to the current schema once, and reopens without migrating again', () => {
    const file = inventoryFile();
    const first = openInventoryDatabase(file);
    expect(schemaVersion(first)).toBe(SCHEMA_VERSION);
    const tables = (first.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['audit_log', 'keys', 'tenants']));
    first.prepare(`INSERT INTO tenants (id, alias, tenant_id, environment, base_url, created_at) VALUES ('1', 'a', 'a', 'production', 'https://x', 'now')`).run();
    first.close();
    const second = openInventoryDatabase(file);
    expect(second.prepare('SELECT COUNT(*) AS n FROM tenants').get()).toEqual({ n: 1 });
    second.close();
  });

  it('lets two connections (app and CLI) open the same file at once', () => {
    const file = inventoryFile();
    const app = openInventoryDatabase(file);
    const cli = openInventoryDatabase(file);
    cli.prepare(`INSERT INTO tenants (id, alias, tenant_id, environment, base_url, created_at) VALUES ('1', 'a', 'a', 'production', 'https://x', 'now')`).run();
    expect(app.prepare('SELECT alias FROM tenants').all()).toEqual([{ alias: 'a' }]);
    app.close();
    cli.close();
  });

  it('refuses an inventory written by a newer schema, with advice', () => {
    const file = inventoryFile();
    openInventoryDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    let error: unknown;
    try {
      openInventoryDatabase(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('STORAGE_ERROR');
    expect((error as VaultError).message).toMatch(/newer than this build understands.*Update/);
  });

  it('reports an unusable location as STORAGE_ERROR naming TKV_DATA_DIR', () => {
    const dir = scratchDir('db');
    dirs.push(dir);
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, 'not a directory');
    expect(() => openInventoryDatabase(path.join(blocker, 'inventory.sqlite'))).toThrow(/TKV_DATA_DIR/);
  });
});
