/**
 * Where the vault keeps its data. The desktop app and `tkv` must agree, so both compute the
 * directory here, exactly as Electron computes `app.getPath('userData')` for an app named
 * "Tenant Key Vault"; `TKV_DATA_DIR` overrides it (tests always set it).
 */
import path from 'node:path';

export const APP_NAME = 'Tenant Key Vault';
/** The keychain service every secret is filed under; `TKV_KEYCHAIN_SERVICE` overrides it. */
export const DEFAULT_KEYCHAIN_SERVICE = 'tenant-key-vault';
export const INVENTORY_FILE = 'inventory.sqlite';

export interface AppPaths {
  dataDir: string;
  inventoryFile: string;
}

type Env = Record<string, string | undefined>;

/** Electron's `appData` directory for the platform. */
export function appDataDir(env: Env, platform: NodeJS.Platform, home: string): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  if (platform === 'win32') return env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  return env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
}

/** The data directory and inventory file for this environment. */
export function resolveAppPaths(env: Env, platform: NodeJS.Platform, home: string): AppPaths {
  const override = env.TKV_DATA_DIR?.trim();
  const dataDir = override ? path.resolve(override) : path.join(appDataDir(env, platform, home), APP_NAME);
  return { dataDir, inventoryFile: path.join(dataDir, INVENTORY_FILE) };
}

/** The keychain service name for this environment. */
export function resolveKeychainService(env: Env): string {
  return env.TKV_KEYCHAIN_SERVICE?.trim() || DEFAULT_KEYCHAIN_SERVICE;
}
