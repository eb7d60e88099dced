import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppPaths, resolveKeychainService } from '../../../src-main/core/paths.ts';

describe('resolveAppPaths', () => {
  // Electron's userData is appData joined with the app name; these are Electron's appData rules.
  it('matches Electron userData for "Tenant Key Vault" on each platform', () => {
    expect(resolveAppPaths({}, 'linux', '/home/ann').dataDir).toBe('/home/ann/.config/Tenant Key Vault');
    expect(resolveAppPaths({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ann').dataDir).toBe('/cfg/Tenant Key Vault');
    expect(resolveAppPaths({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/ann').dataDir).toBe('/home/ann/.config/Tenant Key Vault');
    expect(resolveAppPaths({}, 'darwin', '/Users/ann').dataDir).toBe('/Users/ann/Library/Application Support/Tenant Key Vault');
    expect(resolveAppPaths({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann').dataDir).toBe(
      path.join('C:\\Users\\ann\\AppData\\Roaming', 'Tenant Key Vault'),
    );
  });

  it('lets TKV_DATA_DIR override, and puts the inventory inside the data directory', () => {
    const paths = resolveAppPaths({ TKV_DATA_DIR: '/tmp/vault' }, 'linux', '/home/ann');
    expect(paths).toEqual({ dataDir: '/tmp/vault', inventoryFile: '/tmp/vault/inventory.sqlite' });
  });

  it('uses the tenant-key-vault keychain service unless TKV_KEYCHAIN_SERVICE says otherwise', () => {
    expect(resolveKeychainService({})).toBe('tenant-key-vault');
    expect(resolveKeychainService({ TKV_KEYCHAIN_SERVICE: 'tkv-test-1' })).toBe('tkv-test-1');
  });
});
