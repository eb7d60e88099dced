/**
 * The app's built-in sandbox: the emulator on loopback, started on demand by the main process (a
 * first run with no vendor account) and stopped with it, and a `sandbox` tenant in the vault whose
 * admin key lives in the keychain like any other. The emulator's state (token hashes only) is kept
 * under the data directory; its admin token is never written there: the vault hands it back at each
 * start, and the port the tenant last used is asked for again, so its base URL rarely changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import type { RunningSandbox } from './sandbox-server.ts';

/** The tenant id inside the emulator; the vault's alias is `sandbox` unless a real tenant took it. */
export const SANDBOX_TENANT_ID = 'sandbox';

export interface SandboxStatus {
  running: boolean;
  url: string | null;
  /** The vault's sandbox tenant, if it has one. */
  tenant: string | null;
}

export class AppSandbox {
  private readonly tenants: TenantService;
  private readonly keys: KeyService;
  private readonly secrets: SecretStore;
  private readonly events: VaultEvents;
  private readonly stateDir: string;
  private running: RunningSandbox | null = null;
  private starting: Promise<SandboxStatus> | null = null;

  constructor(options: { tenants: TenantService; keys: KeyService; secrets: SecretStore; events: VaultEvents; stateDir: string }) {
    this.tenants = options.tenants;
    this.keys = options.keys;
    this.secrets = options.secrets;
    this.events = options.events;
    this.stateDir = options.stateDir;
  }

  status(): SandboxStatus {
    return { running: this.running !== null, url: this.running?.url ?? null, tenant: this.tenants.sandbox()?.alias ?? null };
  }

  /** Starts the emulator (once) and makes sure the vault has its tenant and admin key. */
  start(): Promise<SandboxStatus> {
    if (this.running) return Promise.resolve(this.status());
    this.starting ??= this.startOnce().finally(() => (this.starting = null));
    return this.starting;
  }

  /** Stops the emulator; the tenant and its keys stay (they answer again at the next start). */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const running = this.running;
    this.running = null;
    await running?.close();
  }

  /** Removes the sandbox in one action: the emulator, its tenant with every key, and its state. */
  async remove(): Promise<{ removedKeys: number }> {
    await this.stop();
    const tenant = this.tenants.sandbox();
    const result = tenant ? await this.tenants.remove(tenant.alias, { withKeys: true }) : { removedKeys: 0 };
    fs.rmSync(this.stateDir, { recursive: true, force: true });
    return result;
  }

  private async startOnce(): Promise<SandboxStatus> {
    // The emulator's code (and the YAML it keeps state in) loads only when a sandbox is started.
    const { ADMIN_KEY_NAME, startSandbox } = await import('./sandbox-server.ts');
    const existing = this.tenants.sandbox();
    const admin = existing ? this.keys.list({ tenant: existing.alias }).find((key) => key.admin && key.name === ADMIN_KEY_NAME) : undefined;
    const adminSecret = admin ? await this.secrets.get(admin.secretAccount) : null;
    const options = {
      host: '127.0.0.1',
      stateDir: this.stateDir,
      tenants: [SANDBOX_TENANT_ID],
      persistAdminKeys: false,
      ...(adminSecret ? { adminKeys: { [SANDBOX_TENANT_ID]: adminSecret } } : {}),
    };
    const port = existing ? Number(new URL(existing.baseUrl).port) || 0 : 0;
    let sandbox: RunningSandbox;
    try {
      sandbox = await startSandbox({ ...options, port });
    } catch (error) {
      if (port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw sandboxFailure(error);
      // Its last port is taken now: any free one will do, and the tenant follows it.
      sandbox = await startSandbox({ ...options, port: 0 }).catch((again: unknown) => {
        throw sandboxFailure(again);
      });
    }
    try {
      const info = sandbox.tenants.find((tenant) => tenant.tenantId === SANDBOX_TENANT_ID)!;
      let alias = existing?.alias;
      if (!alias) {
        alias = this.freeAlias();
        this.tenants.add({ alias, tenantId: SANDBOX_TENANT_ID, environment: 'custom', baseUrl: sandbox.url, label: 'Built-in sandbox (an emulator on this computer)' }, { sandbox: true });
      } else {
        this.tenants.setBaseUrl(alias, sandbox.url);
      }
      if (adminSecret !== info.adminKey) {
        // No admin key yet, or its secret left the keychain: the emulator drew a new one.
        if (admin) await this.keys.remove({ tenant: alias, name: admin.name });
        await this.keys.add({ tenant: alias, name: ADMIN_KEY_NAME, secret: info.adminKey, scopes: ['*'], admin: true, notes: "The sandbox's admin key: it creates, rotates and deletes the sandbox's keys." }, 'imported', { remoteName: ADMIN_KEY_NAME });
      }
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    this.running = sandbox;
    this.events.changed('sandbox started');
    return this.status();
  }

  private freeAlias(): string {
    for (let n = 1; ; n += 1) {
      const alias = n === 1 ? 'sandbox' : `sandbox-${n}`;
      if (!this.tenants.records().some((tenant) => tenant.alias === alias)) return alias;
    }
  }
}

function sandboxFailure(error: unknown): VaultError {
  return new VaultError('INTERNAL', `The sandbox could not start on this computer: ${(error as Error).message}`);
}

/** Where the app keeps its sandbox's state: under the data directory. */
export function sandboxStateDir(dataDir: string): string {
  return path.join(dataDir, 'sandbox');
}
