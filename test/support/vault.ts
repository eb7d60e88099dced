/** Builds a VaultService on real SQLite in a scratch directory, with the given secret store. */
import fs from 'node:fs';
import path from 'node:path';
import { openInventoryDatabase } from '../../src-main/core/inventory/database.ts';
import type { SecretStore } from '../../src-main/core/secrets/secret-store.ts';
import { VaultService } from '../../src-main/core/vault/vault-service.ts';
import type { Clock } from '../../src-main/core/clock.ts';
import { scratchDir } from './files.ts';

export interface TestVault {
  vault: VaultService;
  dataDir: string;
  file: string;
  dispose(): void;
}

export function fixedClock(iso = '2026-11-22T10:00:00.000Z'): Clock {
  return { now: () => new Date(iso) };
}

export function createTestVault(secrets: SecretStore, clock: Clock = fixedClock()): TestVault {
  const dataDir = scratchDir('vault');
  const file = path.join(dataDir, 'inventory.sqlite');
  const vault = new VaultService({ db: openInventoryDatabase(file), secrets, clock, actor: 'cli' });
  return {
    vault,
    dataDir,
    file,
    dispose() {
      try {
        vault.close();
      } catch {
        // already closed by the test
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
