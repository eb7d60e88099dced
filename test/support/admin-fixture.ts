/**
 * What the admin and rotation suites share: the sandbox, a vault on the real keychain (a unique
 * service) and SQLite in a scratch dir, with the sandbox's first tenant added as `demo` and its admin
 * key stored as the tenant's admin credential.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HttpClient } from '../../src-main/core/http/http-client.ts';
import { KeytarSecretStore } from '../../src-main/core/secrets/keytar-secret-store.ts';
import type { SecretStore } from '../../src-main/core/secrets/secret-store.ts';
import { createServices, type Services, type ServicesOptions } from '../../src-main/core/services.ts';
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
  vault: Services;
  /** Another connection to the same inventory, with another secret store. */
  openVault(store: SecretStore, options?: Partial<ServicesOptions>): Services;
  /** The server's key list, read with the sandbox's own admin key. */
  serverKeys(tenantId?: string): Promise<ServerKey[]>;
  /** Creates a key on the server with the sandbox's own admin key; its token. */
  createServerKey(name: string, permissions: string[], options?: { tenantId?: string; enabled?: boolean }): Promise<string>;
  /** Calls the server's admin API for keys (`/api/{tenant}/admin/apiKeys{path}`) with the sandbox's own admin key; throws unless it succeeds. */
  adminApi(method: string, path: string, body?: unknown, tenantId?: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function startAdminFixture(label: string, tenants: string[]): Promise<AdminFixture> {
  const service = uniqueService(label);
  const dataDir = scratchDir(label);
  const secrets = new KeytarSecretStore({ service });
  const sandbox = await startTestSandbox({ tenants });
  const http = new HttpClient({ env: {} });
  const openVault = (store: SecretStore, options: Partial<ServicesOptions> = {}) => createServices({ actor: 'cli', env: {}, secrets: store, paths: { dataDir, inventoryFile: path.join(dataDir, 'inventory.sqlite') }, ...options });
  const vault = openVault(secrets);
  vault.tenants.add({ alias: 'demo', tenantId: 'demo', environment: 'custom', baseUrl: sandbox.url });
  await vault.keys.add({ tenant: 'demo', name: 'sandbox-admin', secret: sandbox.adminKey('demo'), scopes: ['*'], admin: true });
  return {
    sandbox,
    http,
    service,
    dataDir,
    secrets,
    vault,
    openVault,
    async createServerKey(name, permissions, options = {}) {
      const tenantId = options.tenantId ?? 'demo';
      const body = { name, permissions, ...(options.enabled === undefined ? {} : { enabled: options.enabled }) };
      const response = await sandbox.call('POST', `/api/${tenantId}/admin/apiKeys`, { key: sandbox.adminKey(tenantId), body });
      if (response.status !== 201) throw new Error(`creating the server key ${name}: ${response.status}`);
      return ((await response.json()) as { token: string }).token;
    },
    async adminApi(method, path, body, tenantId = 'demo') {
      const response = await sandbox.call(method, `/api/${tenantId}/admin/apiKeys${path}`, { key: sandbox.adminKey(tenantId), ...(body === undefined ? {} : { body }) });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
    },
    async serverKeys(tenantId = 'demo') {
      const response = await sandbox.call('GET', `/api/${tenantId}/admin/apiKeys`, { key: sandbox.adminKey(tenantId) });
      return (await response.json()) as ServerKey[];
    },
    async dispose() {
      await vault.close();
      await http.close();
      await sandbox.dispose();
      await clearService(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
