/**
 * Opens the inventory: one SQLite file in the data directory, in WAL mode with synchronous=FULL
 * (a confirmed write survives a power cut) and a busy timeout (the app and `tkv` may have it open at
 * once), migrated to the current schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VaultError } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

export type InventoryDatabase = Database.Database;

export const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating if needed) and migrates the inventory file. */
export function openInventoryDatabase(file: string): InventoryDatabase {
  let db: InventoryDatabase;
  try {
    // The data directory holds metadata only, but it is nobody else's business either.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new VaultError(
      'STORAGE_ERROR',
      `Cannot open the inventory at ${file} (${(error as Error).message}). Check that the directory is writable, or set TKV_DATA_DIR to one that is.`,
      { cause: error },
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Statement journals (the undo of one statement inside a transaction) stay in memory instead of
    // spilling to a temporary file past 64 KiB: a bulk run's writes made a file of them per chunk.
    db.pragma('temp_store = MEMORY');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof VaultError) throw error;
    throw new VaultError('STORAGE_ERROR', `Cannot prepare the inventory at ${file}: ${(error as Error).message}.`, { cause: error });
  }
}

/** The schema version stored in the file. */
export function schemaVersion(db: InventoryDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: InventoryDatabase): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new VaultError(
      'STORAGE_ERROR',
      `The inventory has schema version ${current}, newer than this build understands (${SCHEMA_VERSION}). Update Tenant Key Vault and tkv to the same, newest version.`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    // IMMEDIATE takes the write lock first, so two processes opening a fresh file migrate once.
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
