/**
 * The health check: checks that everything the vault depends on answers, and says how to fix what
 * does not. Opens nothing it cannot close, and leaves no probe entry behind in the keychain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toErrorInfo } from './errors.ts';
import { listBackups } from './db/backups.ts';
import { inventoryModes, openInventoryDatabase, schemaVersion, tightenModes } from './db/database.ts';
import { inventoryLoss } from './db/health.ts';
import type { Remedy } from '../shared/remedies.ts';
import { SCHEMA_VERSION } from './db/migrations/index.ts';
import type { AppPaths } from './paths.ts';
import { keychainCause, keychainFix } from './secrets/keychain-errors.ts';
import { keychainRoundTrip } from './secrets/round-trip.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import { electronBinary } from './electron-binary.ts';
import { gitVersion } from './team/git.ts';
import { PROBE_ACCOUNT_PREFIX } from './secrets/secret-store.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do, when `ok` is false (or a note when it is true). */
  fix: string | null;
  /** What to do, as data the front door words (a restore, say). */
  remedies?: Remedy[];
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  paths: AppPaths;
  secrets: SecretStore;
  /** Directory of the installed `electron` package, if any; its binary is looked for, not run. */
  electronPackageDir?: string | null;
  env?: Record<string, string | undefined>;
}

/** Runs every check; never throws. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const keychain = await checkKeychain(options.secrets);
  const checks = [
    keychain,
    checkDataDir(options.paths),
    await checkInventory(options.paths, options.secrets, keychain.ok),
    checkBackups(options.paths),
    checkModes(options.paths),
    checkNode(),
    checkElectron(options.electronPackageDir ?? null),
    await checkGit(inTeam(options.paths), options.env ?? process.env),
  ];
  return { ok: checks.every((check) => check.ok), checks };
}

async function checkKeychain(secrets: SecretStore): Promise<DoctorCheck> {
  const name = 'keychain';
  try {
    const { deleted } = await keychainRoundTrip(secrets);
    if (!deleted) return { name, ok: false, detail: 'the probe entry could not be deleted', fix: `Delete entries named ${PROBE_ACCOUNT_PREFIX}* under service "${secrets.service}".` };
    return { name, ok: true, detail: `write, read and delete round trip on service "${secrets.service}"`, fix: null };
  } catch (error) {
    const info = toErrorInfo(error);
    // The message carries the fix too: the cause goes in the detail, the fix once, after it.
    return info.code === 'KEYCHAIN_UNAVAILABLE'
      ? { name, ok: false, detail: `${keychainCause(info.message)}.`, fix: keychainFix(process.platform, secrets.service) }
      : { name, ok: false, detail: info.message, fix: 'Retry; if it persists, report it.' };
  }
}

function checkDataDir(paths: AppPaths): DoctorCheck {
  const name = 'data directory';
  try {
    fs.mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    const scratch = path.join(paths.dataDir, `.doctor-${process.pid}`);
    fs.writeFileSync(scratch, 'ok');
    fs.rmSync(scratch);
    return { name, ok: true, detail: `${paths.dataDir} (writable)`, fix: null };
  } catch (error) {
    return { name, ok: false, detail: `${paths.dataDir}: ${(error as Error).message}`, fix: 'Make the directory writable, or set TKV_DATA_DIR to a writable directory.' };
  }
}

/** The modes of the data directory and the inventory's files, tightened where they were loose. */
function checkModes(paths: AppPaths): DoctorCheck {
  const name = 'permissions';
  if (process.platform === 'win32') return { name, ok: true, detail: 'kept by the profile directory (Windows)', fix: null };
  const fixed: string[] = [];
  try {
    tightenModes(paths.inventoryFile, (notice) => fixed.push(notice));
  } catch (error) {
    return { name, ok: false, detail: `could not set the modes: ${(error as Error).message}`, fix: `chmod 700 "${paths.dataDir}" and chmod 600 the files in it.` };
  }
  const modes = inventoryModes(paths.inventoryFile).map((entry) => `${path.basename(entry.path)} ${entry.mode}`).join(', ');
  return { name, ok: true, detail: `${modes}${fixed.length ? ` (tightened now: ${fixed.join(' ')})` : ''}`, fix: null };
}

/** The inventory opens, its pages are sound, its schema current, and it has not lost its past. */
async function checkInventory(paths: AppPaths, secrets: SecretStore, keychainAnswers: boolean): Promise<DoctorCheck> {
  const name = 'inventory';
  const restore = (): Remedy[] => {
    const newest = listBackups(paths.inventoryFile)[0];
    return newest ? [{ code: 'restore-inventory', backup: newest.file, takenAt: newest.takenAt }] : [];
  };
  try {
    const db = openInventoryDatabase(paths.inventoryFile);
    try {
      const version = schemaVersion(db);
      const integrity = db.pragma('quick_check', { simple: true }) as string;
      if (integrity !== 'ok') return { name, ok: false, detail: `${paths.inventoryFile} is damaged: ${integrity}`, fix: 'Restore a backup of it.', remedies: restore() };
      const loss = keychainAnswers ? await inventoryLoss(db, secrets, paths.inventoryFile) : null;
      if (loss) {
        return {
          name,
          ok: false,
          detail: `lost: ${loss.secrets} secret${loss.secrets === 1 ? '' : 's'} of this vault ${loss.secrets === 1 ? 'is' : 'are'} in the keychain, but ${paths.inventoryFile} lists no key (deleted, emptied or replaced)`,
          fix: loss.backups.length ? 'Restore its newest backup.' : 'No backup is left: add each key again; keep the keychain entries meanwhile.',
          remedies: restore(),
        };
      }
      return { name, ok: true, detail: `schema version ${version} of ${SCHEMA_VERSION}, pages sound, ${paths.inventoryFile}`, fix: null };
    } finally {
      db.close();
    }
  } catch (error) {
    return { name, ok: false, detail: toErrorInfo(error).message, fix: 'Restore a backup of it, or move it aside to start a new one.', remedies: restore() };
  }
}

function checkBackups(paths: AppPaths): DoctorCheck {
  const backups = listBackups(paths.inventoryFile);
  const newest = backups[0];
  return {
    name: 'backups',
    ok: true,
    detail: newest ? `${backups.length} in ${path.dirname(newest.file)}; newest ${newest.takenAt.slice(0, 16).replace('T', ' ')} UTC (${newest.kind === 'daily' ? 'daily' : 'before a migration'})` : 'none yet (one is taken each day the vault holds keys, and before each migration)',
    fix: null,
  };
}

function checkNode(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 22 || (major === 22 && minor >= 18);
  return {
    name: 'node',
    ok,
    detail: `Node ${process.versions.node}${process.versions.electron ? `, Electron ${process.versions.electron}` : ''}`,
    fix: ok ? null : 'Tenant Key Vault needs Node 22.18 or newer (see .nvmrc).',
  };
}

function checkElectron(packageDir: string | null): DoctorCheck {
  const name = 'electron';
  if (process.versions.electron) return { name, ok: true, detail: `running inside Electron ${process.versions.electron}`, fix: null };
  if (!packageDir) return { name, ok: true, detail: 'electron package not installed (only the command line is available)', fix: null };
  try {
    const found = electronBinary(packageDir);
    if (found.present && (found.override || found.installedVersion === found.version)) {
      return { name, ok: true, detail: `electron ${found.version}; binary ${found.binary}${found.override ? ' (ELECTRON_OVERRIDE_DIST_PATH)' : ''}`, fix: null };
    }
    // The command line works without it; the desktop app downloads it on its first start.
    const state = found.present ? `binary ${found.installedVersion ?? 'of unknown version'} is stale` : 'binary not downloaded yet';
    return {
      name,
      ok: true,
      detail: `electron ${found.version}; ${state} (${found.binary})`,
      fix: 'The desktop app downloads it on its first start (npm start), from the internet or from ELECTRON_MIRROR; the command line does not need it.',
    };
  } catch (error) {
    return { name, ok: true, detail: `electron package unreadable: ${(error as Error).message}`, fix: null };
  }
}

/** Whether the vault is in a team (core/team keeps it in the setting "team"); false when the inventory cannot say. */
function inTeam(paths: AppPaths): boolean {
  try {
    const db = openInventoryDatabase(paths.inventoryFile);
    try {
      return db.prepare(`SELECT 1 FROM settings WHERE name = 'team'`).get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/** Git carries a team's repository (core/team): needed once the vault is in a team. */
async function checkGit(inTeam: boolean, env: Record<string, string | undefined>): Promise<DoctorCheck> {
  const version = await gitVersion(env);
  if (version) return { name: 'git', ok: true, detail: version, fix: null };
  return {
    name: 'git',
    ok: !inTeam,
    detail: inTeam ? 'git is not installed (or not on PATH), and this vault is in a team' : 'git is not installed (or not on PATH)',
    fix: 'Install git (your system’s package, or git-scm): a team shares its keys through a git repository. Nothing else needs it.',
  };
}
