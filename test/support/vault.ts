/** Builds the vault's services on real SQLite in a scratch directory, with the given secret store. */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../src-main/core/clock.ts';
import type { SecretStore } from '../../src-main/core/secrets/secret-store.ts';
import { createServices, type Services, type ServicesOptions } from '../../src-main/core/services.ts';
import { scratchDir } from './files.ts';

export interface TestVault {
  services: Services;
  dataDir: string;
  file: string;
  dispose(): Promise<void>;
}

export function fixedClock(iso = '2026-11-22T10:00:00.000Z'): Clock {
  return { now: () => new Date(iso) };
}

export function createTestVault(secrets: SecretStore, clock: Clock = fixedClock(), options: Partial<ServicesOptions> = {}): TestVault {
  const dataDir = scratchDir('vault');
  const file = path.join(dataDir, 'inventory.sqlite');
  const services = createServices({ actor: 'cli', env: {}, secrets, clock, paths: { dataDir, inventoryFile: file }, ...options });
  return {
    services,
    dataDir,
    file,
    async dispose() {
      try {
        await services.close();
      } catch {
        // already closed by the test
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A key's check history, oldest first, as the inventory holds it. */
export function historyOf(services: Services, keyId: string): { runId: number; keyId: string; at: string; probe: string; verdict: string; status: number | null; durationMs: number; url: string }[] {
  return services.db.raw
    .prepare(`SELECT v.run_id AS runId, v.key_id AS keyId, v.at, v.probe, v.verdict, v.status, v.duration_ms AS durationMs, v.url FROM validations v WHERE v.key_id = ? ORDER BY v.id`)
    .all(keyId) as ReturnType<typeof historyOf>;
}

/** Writes a server listing as if the vault had taken it (a snapshot), for tests of what follows from one. */
export function insertSnapshot(services: Services, tenantAlias: string, takenAt: string, keys: { name: string; enabled: boolean; permissions: string[] }[]): void {
  services.db.raw.prepare('INSERT INTO remote_snapshots (tenant_ref, taken_at, keys) VALUES (?, ?, ?)').run(services.tenants.require(tenantAlias).ref, takenAt, JSON.stringify(keys));
}
