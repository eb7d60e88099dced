/**
 * The tenants table: one row per tenant the vault holds keys of, with where its API answers and,
 * when one is kept, when its pasted admin bearer token was set and when it expires (the token itself
 * is in the keychain).
 *
 *   tenants { id: "6f1c…", alias: "acme-prod", tenant_id: "acme", environment: "production",
 *             base_url: "https://app.neostore.cloud", provider: "wallet-crew", label: null,
 *             created_at: "2026-11-22T09:00:00.000Z", sandbox: 0, client_id: null, login_as: null,
 *             bearer_set_at: null, bearer_expires_at: null }
 */
import type { Provider } from '../../shared/contract.ts';
import type { Environment } from '../../shared/rules.ts';
import { Store } from '../db/connection.ts';

export interface TenantRow {
  id: string;
  alias: string;
  tenant_id: string;
  environment: Environment;
  base_url: string;
  provider: Provider;
  label: string | null;
  created_at: string;
  /** 1 for the app's built-in sandbox tenant. */
  sandbox?: number;
  /** Airwallex: the client id sent with the key to the login endpoint, and the account to act as. */
  client_id?: string | null;
  login_as?: string | null;
  bearer_set_at?: string | null;
  bearer_expires_at?: string | null;
}

export class TenantStore extends Store {
  list(): (TenantRow & { key_count: number })[] {
    return this.statement(`SELECT t.*, (SELECT COUNT(*) FROM keys k WHERE k.tenant_ref = t.id) AS key_count FROM tenants t ORDER BY t.alias`).all() as (TenantRow & { key_count: number })[];
  }

  /** How many keys the tenant holds. */
  keyCount(id: string): number {
    return this.statement(`SELECT count(*) FROM keys WHERE tenant_ref = ?`).pluck().get(id) as number;
  }

  find(alias: string): TenantRow | undefined {
    return this.statement(`SELECT * FROM tenants WHERE alias = ?`).get(alias) as TenantRow | undefined;
  }

  findById(id: string): TenantRow | undefined {
    return this.statement(`SELECT * FROM tenants WHERE id = ?`).get(id) as TenantRow | undefined;
  }

  insert(row: TenantRow): void {
    this
      .statement(
        `INSERT INTO tenants (id, alias, tenant_id, environment, base_url, provider, label, created_at, sandbox, client_id, login_as)
         VALUES (@id, @alias, @tenant_id, @environment, @base_url, @provider, @label, @created_at, @sandbox, @client_id, @login_as)`,
      )
      .run({ ...row, sandbox: row.sandbox ?? 0, client_id: row.client_id ?? null, login_as: row.login_as ?? null });
  }

  setBaseUrl(id: string, baseUrl: string): void {
    this.statement(`UPDATE tenants SET base_url = ? WHERE id = ?`).run(baseUrl, id);
  }

  /** The app's sandbox tenant, if it has one. */
  sandbox(): TenantRow | undefined {
    return this.statement(`SELECT * FROM tenants WHERE sandbox = 1 LIMIT 1`).get() as TenantRow | undefined;
  }

  setBearer(id: string, setAt: string | null, expiresAt: string | null): void {
    this.statement(`UPDATE tenants SET bearer_set_at = ?, bearer_expires_at = ? WHERE id = ?`).run(setAt, expiresAt, id);
  }

  delete(id: string): void {
    this.statement(`DELETE FROM tenants WHERE id = ?`).run(id);
  }
}
