/**
 * Copies of the inventory, so that a lost, emptied or damaged file loses nothing: SQLite's online
 * backup once a day (while the app runs, or when tkv closes the vault) and before each migration,
 * kept beside the inventory in `backups/` (0700, each file 0600), the newest few of each kind.
 *
 *   <data dir>/backups/inventory-2026-12-01T09-00-00Z-daily.sqlite
 *   <data dir>/backups/inventory-2026-12-01T09-00-00Z-before-v10.sqlite
 *
 * A backup holds metadata only, as the inventory does: never a secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VaultError } from '../errors.ts';
import { DIR_MODE, FILE_MODE, INVENTORY_SUFFIXES, type InventoryDatabase } from './database.ts';

/** How many backups of each kind are kept; older ones are removed when a new one is taken. */
export const KEEP = { daily: 7, migration: 3 } as const;
/** A daily backup is due when the newest one is older than this. */
export const DAILY_MS = 24 * 60 * 60 * 1000;

export interface InventoryBackup {
  file: string;
  kind: 'daily' | 'migration';
  takenAt: string;
  bytes: number;
}

/** The backups directory of an inventory file. */
export function backupsDir(inventoryFile: string): string {
  return path.join(path.dirname(inventoryFile), 'backups');
}

/** Every backup of the inventory, newest first. */
export function listBackups(inventoryFile: string): InventoryBackup[] {
  const dir = backupsDir(inventoryFile);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const backups: InventoryBackup[] = [];
  for (const name of names) {
    const match = /^inventory-(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})Z-(daily|before-v\d+)\.sqlite$/.exec(name);
    if (!match) continue;
    const [, hour = '', minute = '', second = '', kind] = match;
    const file = path.join(dir, name);
    backups.push({ file, kind: kind === 'daily' ? 'daily' : 'migration', takenAt: `${hour}:${minute}:${second}Z`, bytes: fs.statSync(file).size });
  }
  return backups.sort((a, b) => b.takenAt.localeCompare(a.takenAt) || b.file.localeCompare(a.file));
}

/** True when the newest daily backup is older than a day (or there is none) and the inventory holds keys (an empty one is nothing to keep, and a lost one must not push out the good copies). */
export function dailyBackupDue(db: InventoryDatabase, inventoryFile: string, now: Date): boolean {
  const newest = listBackups(inventoryFile).find((backup) => backup.kind === 'daily');
  if (newest && now.getTime() - Date.parse(newest.takenAt) < DAILY_MS) return false;
  return (db.prepare('SELECT count(*) AS n FROM keys').get() as { n: number }).n > 0;
}

function target(inventoryFile: string, label: string, now: Date): string {
  const dir = backupsDir(inventoryFile);
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (process.platform !== 'win32') fs.chmodSync(dir, DIR_MODE);
  const stamp = now.toISOString().slice(0, 19).replaceAll(':', '-');
  return path.join(dir, `inventory-${stamp}Z-${label}.sqlite`);
}

function prune(inventoryFile: string, kind: InventoryBackup['kind']): void {
  for (const old of listBackups(inventoryFile).filter((backup) => backup.kind === kind).slice(KEEP[kind])) fs.rmSync(old.file, { force: true });
}

/** A daily backup with SQLite's online backup API: pages copied while the inventory stays usable. */
export async function backupDaily(db: InventoryDatabase, inventoryFile: string, now: Date): Promise<InventoryBackup> {
  const file = target(inventoryFile, 'daily', now);
  const partial = `${file}.partial`;
  fs.closeSync(fs.openSync(partial, 'w', FILE_MODE));
  try {
    await db.backup(partial);
    fs.chmodSync(partial, FILE_MODE);
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  prune(inventoryFile, 'daily');
  return listBackups(inventoryFile).find((backup) => backup.file === file)!;
}

/**
 * A backup before migrating to `version`, synchronous (migrations run as the inventory opens):
 * `VACUUM INTO` writes a consistent copy of the live database, WAL included.
 */
export function backupBeforeMigration(db: InventoryDatabase, inventoryFile: string, version: number, now: Date): void {
  const file = target(inventoryFile, `before-v${version}`, now);
  fs.rmSync(file, { force: true });
  db.prepare('VACUUM INTO ?').run(file);
  fs.chmodSync(file, FILE_MODE);
  prune(inventoryFile, 'migration');
}

/**
 * Puts `backup` in place of the inventory. The current file (and its WAL) is kept aside as
 * `inventory.sqlite.replaced-<time>`, never deleted; the backup is checked before anything moves.
 * The inventory must not be open anywhere (the app closed, no tkv command running).
 */
export function restoreBackup(inventoryFile: string, backup: string, now: Date): { replacedKeptAs: string | null } {
  const known = listBackups(inventoryFile).some((candidate) => path.resolve(candidate.file) === path.resolve(backup));
  if (!known) throw new VaultError('NOT_FOUND', `${backup} is not one of this inventory's backups (they are in ${backupsDir(inventoryFile)}).`);
  let check: Database.Database;
  try {
    check = new Database(backup, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new VaultError('STORAGE_ERROR', `The backup ${backup} cannot be opened (${(error as Error).message}); choose another.`, { cause: error });
  }
  try {
    const integrity = check.pragma('quick_check', { simple: true }) as string;
    if (integrity !== 'ok') throw new VaultError('STORAGE_ERROR', `The backup ${backup} is damaged too (${integrity}); choose another.`);
  } finally {
    check.close();
  }
  let replacedKeptAs: string | null = null;
  if (fs.existsSync(inventoryFile)) {
    replacedKeptAs = `${inventoryFile}.replaced-${now.toISOString().slice(0, 19).replaceAll(':', '-')}Z`;
    for (const suffix of INVENTORY_SUFFIXES) if (fs.existsSync(`${inventoryFile}${suffix}`)) fs.renameSync(`${inventoryFile}${suffix}`, `${replacedKeptAs}${suffix}`);
  }
  const partial = `${inventoryFile}.restoring`;
  fs.copyFileSync(backup, partial);
  fs.chmodSync(partial, FILE_MODE);
  fs.renameSync(partial, inventoryFile);
  return { replacedKeptAs };
}
