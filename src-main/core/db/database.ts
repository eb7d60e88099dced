/**
 * Opens the inventory: one SQLite file in the data directory, in WAL mode with synchronous=FULL
 * (a confirmed write survives a power cut) and a busy timeout (the app and `tkv` may have it open at
 * once), migrated to the current schema. On POSIX the directory is 0700 and the files 0600: the
 * inventory holds no secret, but who holds which key is nobody else's business. Looser modes found
 * on an existing directory or file are tightened, and said so (`onNotice`).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { storageFailure, VaultError } from '../errors.ts';
import { registerAuditHash } from './audit-hash.ts';
import { backupBeforeMigration } from './backups.ts';
import { rememberInventoryDir } from './disk.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.ts';

export type InventoryDatabase = Database.Database;

export const BUSY_TIMEOUT_MS = 5000;

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
/** The inventory and the files SQLite keeps beside it. */
export const INVENTORY_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Opens (creating if needed) and migrates the inventory file. A full disk is said as such, with
 * the assurance that nothing was written (SQLite's own words are "disk I/O error").
 */
export function openInventoryDatabase(file: string, options: { onNotice?: (notice: string) => void } = {}): InventoryDatabase {
  let db: InventoryDatabase;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: DIR_MODE });
    rememberInventoryDir(path.dirname(file));
    tightenModes(file, options.onNotice ?? (() => undefined));
    // SQLite gives the -wal and -shm files the main file's mode, so creating it 0600 covers them.
    fs.closeSync(fs.openSync(file, 'a', FILE_MODE));
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
    // Every connection appends to the audit chain the same way (in SQL, inside the INSERT).
    registerAuditHash(db);
    migrate(db, file);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof VaultError) throw error;
    throw new VaultError('STORAGE_ERROR', storageFailure(error) ?? `Cannot prepare the inventory at ${file}: ${(error as Error).message}.`, { cause: error });
  }
}

/**
 * Tightens the data directory to 0700 and the inventory's files to 0600 where they are looser
 * (POSIX only; Windows has ACLs, and the profile directory is private already).
 */
export function tightenModes(file: string, notice: (text: string) => void): void {
  if (process.platform === 'win32') return;
  const dir = path.dirname(file);
  const fix = (target: string, mode: number, what: string) => {
    let current: number;
    try {
      current = fs.statSync(target).mode & 0o777;
    } catch {
      return; // not there (yet)
    }
    if ((current & ~mode) === 0) return;
    fs.chmodSync(target, mode);
    notice(`${what} ${target} was open to other users (mode ${current.toString(8).padStart(4, '0')}); it is now ${mode.toString(8).padStart(4, '0')}.`);
  };
  fix(dir, DIR_MODE, 'The data directory');
  for (const suffix of INVENTORY_SUFFIXES) fix(`${file}${suffix}`, FILE_MODE, 'The inventory file');
}

/** The permission bits of the data directory and of each inventory file present, for `doctor`. */
export function inventoryModes(file: string): { path: string; mode: string; ok: boolean }[] {
  const entries: { path: string; mode: string; ok: boolean }[] = [];
  for (const [target, wanted] of [[path.dirname(file), DIR_MODE] as const, ...INVENTORY_SUFFIXES.map((suffix) => [`${file}${suffix}`, FILE_MODE] as const)]) {
    try {
      const mode = fs.statSync(target).mode & 0o777;
      entries.push({ path: target, mode: mode.toString(8).padStart(4, '0'), ok: process.platform === 'win32' || (mode & ~wanted) === 0 });
    } catch {
      // not there
    }
  }
  return entries;
}

/** The schema version stored in the file. */
export function schemaVersion(db: InventoryDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: InventoryDatabase, file: string): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new VaultError(
      'STORAGE_ERROR',
      `The inventory has schema version ${current}, newer than this build understands (${SCHEMA_VERSION}). Update Tenant Key Vault and tkv to the same, newest version.`,
    );
  }
  const pending = MIGRATIONS.filter((migration) => migration.version > current);
  // An inventory with a past is copied before its schema changes: a migration cannot lose it.
  if (current > 0 && pending.length > 0) backupBeforeMigration(db, file, pending.at(-1)!.version, new Date());
  for (const migration of pending) {
    // IMMEDIATE takes the write lock first, so two processes opening a fresh file migrate once.
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      migration.run?.(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
