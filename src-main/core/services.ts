/**
 * The one composition root: every service of the vault, built once from paths and the environment,
 * the same way for the desktop app and for every tkv command, so that both share one inventory, one
 * keychain service and one HTTP client configuration.
 */
import os from 'node:os';
import { AdminService } from './admin/admin-service.ts';
import { UnsavedTokens } from './admin/unsaved-tokens.ts';
import { clockFromEnv, type Clock } from './clock.ts';
import { toErrorInfo, VaultError } from './errors.ts';
import { HttpClient, type HttpClientOptions } from './http/http-client.ts';
import { watchInventory } from './inventory/change-watcher.ts';
import { backupDaily, dailyBackupDue, listBackups, type InventoryBackup } from './inventory/backups.ts';
import { openInventoryDatabase } from './inventory/database.ts';
import { inventoryDamage, inventoryLoss, type InventoryLoss } from './inventory/health.ts';
import type { Actor } from './inventory/inventory.ts';
import { JobRunner, type JobEvents } from './jobs/job-runner.ts';
import { resolveAppPaths, resolveKeychainService, type AppPaths } from './paths.ts';
import { CheckService } from './probe/check-service.ts';
import { RotationService, type UnsavedToken } from './rotation/rotation-service.ts';
import { AppSandbox, sandboxStateDir } from './sandbox/app-sandbox.ts';
import { AuditLog } from './review/audit-log.ts';
import { ReviewService } from './review/review-service.ts';
import { DEFAULT_KEYCHAIN_TIMEOUT_MS, KeytarSecretStore } from './secrets/keytar-secret-store.ts';
import { PROBE_ACCOUNT_PREFIX, type SecretStore } from './secrets/secret-store.ts';
import { VaultService } from './vault/vault-service.ts';

type Env = Record<string, string | undefined>;

export interface ServicesOptions {
  /** Who acts, for the audit log. */
  actor: Actor;
  env?: Env;
  platform?: NodeJS.Platform;
  home?: string;
  clock?: Clock;
  /** Overrides the computed paths (the Electron main passes the same ones it gives Electron). */
  paths?: AppPaths;
  /** Replaces the OS keychain; tests and benchmarks only. */
  secrets?: SecretStore;
  /** Timeouts, CA file and connection limits of the one HTTP client. */
  http?: Omit<HttpClientOptions, 'env'>;
  /**
   * Shows a token the keychain refused after a server created it, once, and says whether it could
   * (see RotationService); without it, nobody can be shown one and such keys are deleted again.
   */
  onUnsavedToken?: (token: UnsavedToken) => boolean;
  /** Holds such tokens in `unsaved` for a window to show once (the desktop app), instead of `onUnsavedToken`. */
  holdUnsavedTokens?: boolean;
  /** Where long jobs announce their progress and their end (the app's windows). */
  emitJobEvent?: <E extends keyof JobEvents>(event: E, payload: JobEvents[E]) => void;
  /** Told when another connection (tkv, another window) changed the inventory; the app redraws. */
  onExternalChange?: () => void;
}

export interface Services {
  paths: AppPaths;
  secrets: SecretStore;
  vault: VaultService;
  http: HttpClient;
  checks: CheckService;
  admin: AdminService;
  rotations: RotationService;
  jobs: JobRunner;
  /** Tokens waiting to be shown once (with `holdUnsavedTokens`). */
  unsaved: UnsavedTokens;
  /** The built-in sandbox the app can start for a first run; stopped by close(). */
  sandbox: AppSandbox;
  /** The offline review of the inventory, and the audit log. */
  review: ReviewService;
  audit: AuditLog;
  /** What opening found and mended (a data directory open to other users, say), for the person. */
  notices: string[];
  /**
   * Whether the inventory lost its past: no key listed while the keychain holds this vault's secrets
   * (see inventory/health.ts). Every front door asks before it lets anything change the vault.
   */
  inventoryLoss(): Promise<InventoryLoss | null>;
  /** A damaged page of the inventory (`quick_check`), or null. */
  inventoryDamage(): string | null;
  /** The inventory's backups, newest first. */
  backups(): InventoryBackup[];
  /** Takes the daily backup when it is due (a day since the last, and keys to keep); returns it, or null. */
  backupIfDue(): Promise<InventoryBackup | null>;
  /** Closes the HTTP client and the inventory; running jobs are cancelled first, and a due backup is taken. */
  close(): Promise<void>;
}

/**
 * The inventory could not be opened at all (a damaged or foreign file): the same report as a loss,
 * with what the keychain still holds and the backups there are. Never throws itself.
 */
export async function unreadableInventoryError(error: unknown, paths: AppPaths, secrets: SecretStore): Promise<VaultError> {
  const info = toErrorInfo(error);
  const held = await secrets.listAccounts().then(
    (accounts) => accounts.filter((account) => !account.startsWith(PROBE_ACCOUNT_PREFIX)).length,
    () => null,
  );
  const newest = listBackups(paths.inventoryFile)[0];
  const secretsLine = held === null ? 'The keychain could not be asked what it holds.' : held > 0 ? `${held} secret${held === 1 ? '' : 's'} of this vault ${held === 1 ? 'is' : 'are'} in the keychain (service "${secrets.service}") and safe there.` : `The keychain (service "${secrets.service}") holds no secret of this vault.`;
  return new VaultError('STORAGE_ERROR', `${info.message} ${secretsLine} Nothing was changed.`, {
    cause: error,
    remedies: newest ? [{ code: 'restore-inventory', backup: newest.file, takenAt: newest.takenAt }, { code: 'run-doctor' }] : [{ code: 'run-doctor' }],
  });
}

/** The error every front door stops on when the inventory lost its past; it says what to do. */
export function inventoryLostError(loss: InventoryLoss, inventoryFile: string): VaultError {
  const newest = loss.backups[0];
  return new VaultError(
    'INVENTORY_LOST',
    `Inventory lost: ${loss.secrets} secret${loss.secrets === 1 ? '' : 's'} of this vault ${loss.secrets === 1 ? 'is' : 'are'} in the keychain (service "${loss.service}"), but the inventory at ${inventoryFile} lists no key: it was deleted, emptied or replaced. Nothing was changed, and nothing will be until it is restored.`,
    { remedies: newest ? [{ code: 'restore-inventory', backup: newest.file, takenAt: newest.takenAt }] : [{ code: 'rebuild-inventory', service: loss.service }] },
  );
}

/** The keychain store for this environment; `TKV_KEYCHAIN_TIMEOUT_MS` tunes its deadline. */
export function createSecretStore(env: Env, platform: NodeJS.Platform): SecretStore {
  const timeout = Number(env.TKV_KEYCHAIN_TIMEOUT_MS);
  return new KeytarSecretStore({
    service: resolveKeychainService(env),
    platform,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_KEYCHAIN_TIMEOUT_MS,
  });
}

/** Builds every service; the inventory is opened (and migrated) now, the keychain on first use. */
export function createServices(options: ServicesOptions): Services {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const paths = options.paths ?? resolveAppPaths(env, platform, options.home ?? os.homedir());
  const secrets = options.secrets ?? createSecretStore(env, platform);
  const notices: string[] = [];
  const db = openInventoryDatabase(paths.inventoryFile, { onNotice: (notice) => notices.push(notice) });
  const vault = new VaultService({ db, secrets, clock: options.clock ?? clockFromEnv(env), actor: options.actor });
  const http = new HttpClient({ ...options.http, env });
  const checks = new CheckService({ http, vault });
  const admin = new AdminService({ vault, http });
  const unsaved = new UnsavedTokens();
  const onUnsavedToken = options.holdUnsavedTokens ? (token: UnsavedToken) => (unsaved.hold(token), true) : options.onUnsavedToken;
  const rotations = new RotationService({ vault, admin, checks, ...(onUnsavedToken ? { onUnsavedToken } : {}) });
  const sandbox = new AppSandbox({ vault, stateDir: sandboxStateDir(paths.dataDir) });
  const jobs = new JobRunner({ emit: options.emitJobEvent ?? (() => undefined) });
  const stopWatching = options.onExternalChange ? watchInventory(db, options.onExternalChange) : () => undefined;
  const backupIfDue = async () => (db.open && dailyBackupDue(db, paths.inventoryFile, new Date()) ? backupDaily(db, paths.inventoryFile, new Date()) : null);
  return {
    paths,
    secrets,
    vault,
    http,
    checks,
    admin,
    rotations,
    jobs,
    unsaved,
    sandbox,
    review: new ReviewService({ vault }),
    audit: new AuditLog({ vault }),
    notices,
    inventoryLoss: () => inventoryLoss(db, secrets, paths.inventoryFile),
    inventoryDamage: () => inventoryDamage(db),
    backups: () => listBackups(paths.inventoryFile),
    backupIfDue,
    async close() {
      stopWatching();
      unsaved.clear();
      await jobs.cancelAll();
      await sandbox.stop();
      await http.close();
      // A backup is a convenience: failing to take one (a full disk) never fails the close.
      await backupIfDue().catch((error: unknown) => notices.push(`The daily backup of the inventory failed: ${toErrorInfo(error).message}`));
      vault.close();
    },
  };
}
