/**
 * What the admin and rotation suites share: the sandbox, a vault on the real keychain (a unique
 * service) and SQLite in a scratch dir, with the sandbox's first tenant added as `demo` and its admin
 * key stored as the tenant's admin credential.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HttpClient } from '../../src-main/core/http/http-client.ts';
import { openInventoryDatabase } from '../../src-main/core/inventory/database.ts';
import { KeytarSecretStore } from '../../src-main/core/secrets/keytar-secret-store.ts';
import type { SecretStore } from '../../src-main/core/secrets/secret-store.ts';
import { VaultService } from '../../src-main/core/vault/vault-service.ts';
import { scratchDir } from './files.ts';
import { clearService, uniqueService } from './keychain.ts';
import { startTestSandbox, type TestSandbox } from './sandbox.ts';

export interface ServerKey {
  name: string;
  enabled: boolean;
  permissions: string[];
}

export interface AdminFixture {
  sandbox: TestSandbox;
  http: HttpClient;
  service: string;
  dataDir: string;
  secrets: KeytarSecretStore;
  vault: VaultService;
  /** Another connection to the same inventory, with another secret store. */
  openVault(store: SecretStore): VaultService;
  /** The server's key list, read with the sandbox's own admin key. */
  serverKeys(tenantId?: string): Promise<ServerKey[]>;
  dispose(): Promise<void>;
}

export async function startAdminFixture(label: string, tenants: string[]): Promise<AdminFixture> {
  const service = uniqueService(label);
  const dataDir = scratchDir(label);
  const secrets = new KeytarSecretStore({ service });
  const sandbox = await startTestSandbox({ tenants });
  const http = new HttpClient({ env: {} });
  const openVault = (store: SecretStore) =>
    new VaultService({ db: openInventoryDatabase(path.join(dataDir, 'inventory.sqlite')), secrets: store, clock: { now: () => new Date() }, actor: 'cli' });
  const vault = openVault(secrets);
  vault.addTenant({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  await vault.addKey({ tenant: 'demo', name: 'sandbox-admin', secret: sandbox.adminKey('demo'), scopes: ['*'], admin: true });
  return {
    sandbox,
    http,
    service,
    dataDir,
    secrets,
    vault,
    openVault,
    async serverKeys(tenantId = 'demo') {
      const response = await sandbox.call('GET', `/api/${tenantId}/admin/apiKeys`, { key: sandbox.adminKey(tenantId) });
      return (await response.json()) as ServerKey[];
    },
    async dispose() {
      vault.close();
      await http.close();
      await sandbox.dispose();
      await clearService(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
