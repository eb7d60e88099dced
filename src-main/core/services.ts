/**
 * The one composition root: every service of the vault, built once from paths and the environment,
 * the same way for the desktop app and for every tkv command, so that both share one inventory, one
 * keychain service and one HTTP client configuration.
 */
import os from 'node:os';
import { AdminService } from './admin/admin-service.ts';
import { UnsavedTokens } from './admin/unsaved-tokens.ts';
import { clockFromEnv, type Clock } from './clock.ts';
import { HttpClient, type HttpClientOptions } from './http/http-client.ts';
import { watchInventory } from './inventory/change-watcher.ts';
import { openInventoryDatabase } from './inventory/database.ts';
import type { Actor } from './inventory/inventory.ts';
import { JobRunner, type JobEvents } from './jobs/job-runner.ts';
import { resolveAppPaths, resolveKeychainService, type AppPaths } from './paths.ts';
import { CheckService } from './probe/check-service.ts';
import { RotationService, type UnsavedToken } from './rotation/rotation-service.ts';
import { AppSandbox, sandboxStateDir } from './sandbox/app-sandbox.ts';
import { AuditLog } from './review/audit-log.ts';
import { ReviewService } from './review/review-service.ts';
import { DEFAULT_KEYCHAIN_TIMEOUT_MS, KeytarSecretStore } from './secrets/keytar-secret-store.ts';
import type { SecretStore } from './secrets/secret-store.ts';
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
  /** Closes the HTTP client and the inventory; running jobs are cancelled first. */
  close(): Promise<void>;
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
    async close() {
      stopWatching();
      unsaved.clear();
      await jobs.cancelAll();
      await sandbox.stop();
      await http.close();
      vault.close();
    },
  };
}
