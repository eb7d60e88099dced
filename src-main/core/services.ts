/**
 * The one composition root: every service of the vault, built once from paths and the environment,
 * the same way for the desktop app and for every tkv command, so that both share one inventory, one
 * keychain service and one HTTP client configuration.
 */
import os from 'node:os';
import { AdminService } from './admin/admin-service.ts';
import { UnsavedTokens, type UnsavedToken } from './admin/unsaved-tokens.ts';
import { AuditService, type Actor } from './audit/audit-service.ts';
import { CheckService } from './checks/check-service.ts';
import { clockFromEnv, Stamps, type Clock } from './clock.ts';
import { backupDaily, dailyBackupDue, listBackups, type InventoryBackup } from './db/backups.ts';
import { watchInventory } from './db/change-watcher.ts';
import { Connection } from './db/connection.ts';
import { openInventoryDatabase } from './db/database.ts';
import { inventoryDamage, inventoryLoss, type InventoryLoss } from './db/health.ts';
import { toErrorInfo, VaultError } from './errors.ts';
import { VaultEvents } from './events.ts';
import { HttpClient, type HttpClientOptions } from './http/http-client.ts';
import { JobRunner, type JobEvents } from './jobs/job-runner.ts';
import { KeyService } from './keys/key-service.ts';
import { resolveAppPaths, resolveKeychainService, type AppPaths } from './paths.ts';
import { ReviewService } from './review/review-service.ts';
import { RotationService } from './rotation/rotation-service.ts';
import { AppSandbox, sandboxStateDir } from './sandbox/app-sandbox.ts';
import { DEFAULT_KEYCHAIN_TIMEOUT_MS, KeytarSecretStore } from './secrets/keytar-secret-store.ts';
import { isKeyAccount, type SecretStore } from './secrets/secret-store.ts';
import { SettingsService } from './settings/settings-service.ts';
import { TeamService } from './team/team-service.ts';
import { TenantService } from './tenants/tenant-service.ts';
import { UsageService } from './usage/usage-service.ts';
import { WatchService, type WatchNotice } from './watch/watch-service.ts';

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
  /** Watches for changes another connection (tkv, another window) commits, and announces them as 'changed elsewhere'. */
  watchExternalChanges?: boolean;
  /** Tells the person, through the OS, what a watch round found (the app's notifications); nothing is told without it. */
  notify?: (notice: WatchNotice) => void;
  /** Pause between a scope matrix's probes (tests shorten it). */
  matrixIntervalMs?: number;
  /** A rotation's attempts at verifying its new key, and the pause between them (tests shorten them). */
  rotation?: { verifyAttempts?: number; verifyDelayMs?: number };
}

export interface Services {
  paths: AppPaths;
  /** The open inventory, for diagnostics and tests; the front doors go through the services. */
  db: Connection;
  secrets: SecretStore;
  http: HttpClient;
  /** Every service announces its committed changes here; the app's main process relays them to its windows. */
  events: VaultEvents;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  admin: AdminService;
  checks: CheckService;
  rotations: RotationService;
  jobs: JobRunner;
  /** Tokens waiting to be shown once (with `holdUnsavedTokens`). */
  unsaved: UnsavedTokens;
  /** The built-in sandbox the app can start for a first run; stopped by close(). */
  sandbox: AppSandbox;
  /** The offline review of the inventory. */
  review: ReviewService;
  /** Keys' use: the vendor's logs (Insights) and the vault's own exec runs. */
  usage: UsageService;
  /** The app's background rounds and what they found (started by the app only). */
  watch: WatchService;
  /** The team this vault shares keys with, through a git repository (core/team). */
  team: TeamService;
  /** The schema version of the open inventory. */
  schemaVersion(): number;
  /** What opening found and mended (a data directory open to other users, say), for the person. */
  notices: string[];
  /**
   * Whether the inventory lost its past: no key listed while the keychain holds this vault's secrets
   * (see db/health.ts). Every front door asks before it lets anything change the vault.
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
    (accounts) => accounts.filter(isKeyAccount).length,
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
  const raw = openInventoryDatabase(paths.inventoryFile, { onNotice: (notice) => notices.push(notice) });
  const db = new Connection(raw);
  const stamps = new Stamps(options.clock ?? clockFromEnv(env));
  const events = new VaultEvents();
  const audit = new AuditService({ db, stamps, actor: options.actor });
  // Removing a tenant removes its keys first: the keys domain, built next, does it.
  const tenants: TenantService = new TenantService({ db, secrets, stamps, audit, events, keys: () => keys });
  const keys = new KeyService({ db, secrets, stamps, audit, tenants, events });
  const http = new HttpClient({ ...options.http, env });
  const admin = new AdminService({ db, http, secrets, stamps, audit, tenants, keys, events });
  const checks = new CheckService({ http, vault: { db, stamps, audit, tenants, keys, admin, events }, ...(options.matrixIntervalMs === undefined ? {} : { matrixIntervalMs: options.matrixIntervalMs }) });
  const unsaved = new UnsavedTokens();
  const onUnsavedToken = options.holdUnsavedTokens ? (token: UnsavedToken) => (unsaved.hold(token), true) : options.onUnsavedToken;
  const rotations = new RotationService({ db, secrets, stamps, audit, tenants, keys, events, admin, checks, ...options.rotation, ...(onUnsavedToken ? { onUnsavedToken } : {}) });
  const settings = new SettingsService({ db });
  const usage = new UsageService({ http, vault: { db, stamps, audit, tenants, keys, admin, settings } });
  const review = new ReviewService({ db, secrets, stamps, audit, tenants, keys, admin, rotations, settings, events, usage });
  const watch = new WatchService({ db, stamps, checks, keys, rotations, settings, events }, options.notify ?? (() => undefined));
  const team = new TeamService({ db, secrets, stamps, audit, tenants, keys, checks, settings, events, env });
  const sandbox = new AppSandbox({ tenants, keys, secrets, events, stateDir: sandboxStateDir(paths.dataDir) });
  const jobs = new JobRunner({ emit: options.emitJobEvent ?? (() => undefined) });
  const stopWatching = options.watchExternalChanges ? watchInventory(raw, () => events.changed('changed elsewhere')) : () => undefined;
  const backupIfDue = async () => (db.open && dailyBackupDue(raw, paths.inventoryFile, new Date()) ? backupDaily(raw, paths.inventoryFile, new Date()) : null);
  return {
    paths,
    db,
    secrets,
    http,
    events,
    audit,
    tenants,
    keys,
    admin,
    checks,
    rotations,
    jobs,
    unsaved,
    sandbox,
    review,
    usage,
    watch,
    team,
    notices,
    schemaVersion: () => db.schemaVersion(),
    inventoryLoss: () => inventoryLoss(raw, secrets, paths.inventoryFile),
    inventoryDamage: () => inventoryDamage(raw),
    backups: () => listBackups(paths.inventoryFile),
    backupIfDue,
    async close() {
      stopWatching();
      await watch.stop();
      unsaved.clear();
      await jobs.cancelAll();
      await sandbox.stop();
      await http.close();
      // A backup is a convenience: failing to take one (a full disk) never fails the close.
      await backupIfDue().catch((error: unknown) => notices.push(`The daily backup of the inventory failed: ${toErrorInfo(error).message}`));
      db.close();
    },
  };
}
