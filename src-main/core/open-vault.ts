/**
 * Builds the vault from the environment, the same way for the desktop app and for `tkv`, so that
 * both share one inventory and one keychain service.
 */
import os from 'node:os';
import { systemClock, type Clock } from './clock.ts';
import { openInventoryDatabase } from './inventory/database.ts';
import type { Actor } from './inventory/inventory.ts';
import { resolveAppPaths, resolveKeychainService, type AppPaths } from './paths.ts';
import { DEFAULT_KEYCHAIN_TIMEOUT_MS, KeytarSecretStore } from './secrets/keytar-secret-store.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import { VaultService } from './vault/vault-service.ts';

export interface VaultContext {
  paths: AppPaths;
  secrets: SecretStore;
  vault: VaultService;
  /** What opening found and mended (a data directory open to other users, say), for the person. */
  notices: string[];
}

export interface OpenVaultOptions {
  actor: Actor;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
  clock?: Clock;
  /** Replaces the OS keychain; tests of the composition only. */
  secrets?: SecretStore;
  /** Overrides the computed paths (the Electron main passes `app.getPath('userData')`). */
  paths?: AppPaths;
}

/** The keychain store for this environment; `TKV_KEYCHAIN_TIMEOUT_MS` tunes its deadline. */
export function createSecretStore(env: Record<string, string | undefined>, platform: NodeJS.Platform): SecretStore {
  const timeout = Number(env.TKV_KEYCHAIN_TIMEOUT_MS);
  return new KeytarSecretStore({
    service: resolveKeychainService(env),
    platform,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_KEYCHAIN_TIMEOUT_MS,
  });
}

/** Opens the inventory and keychain named by the environment. */
export function openVault(options: OpenVaultOptions): VaultContext {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const paths = options.paths ?? resolveAppPaths(env, platform, options.home ?? os.homedir());
  const secrets = options.secrets ?? createSecretStore(env, platform);
  const notices: string[] = [];
  const db = openInventoryDatabase(paths.inventoryFile, { onNotice: (notice) => notices.push(notice) });
  const vault = new VaultService({ db, secrets, clock: options.clock ?? systemClock, actor: options.actor });
  return { paths, secrets, vault, notices };
}
