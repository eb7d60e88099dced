/**
 * Tenants as the main process lists them. Shape kept: Tenant[] (alias, tenantId, environment, baseUrl,
 * provider, label, createdAt, keyCount).
 */
import type { NewTenantInput, Tenant } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export class TenantsStore {
  /** Replaced whole on every load (raw: no deep proxy). */
  list = $state.raw<Tenant[]>([]);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);
  private readonly latest = new Latest();

  find(alias: string | null): Tenant | null {
    return alias === null ? null : (this.list.find((tenant) => tenant.alias === alias) ?? null);
  }

  async load(): Promise<void> {
    const current = this.latest.begin();
    try {
      const list = await unwrap(api.tenants.list());
      if (!current()) return;
      this.list = list;
      this.error = null;
    } catch (error) {
      if (current()) this.error = asApiError(error);
    } finally {
      if (current()) this.loaded = true;
    }
  }

  async add(input: NewTenantInput): Promise<Tenant> {
    const tenant = await unwrap(api.tenants.add(input));
    await this.load();
    return tenant;
  }

  async remove(alias: string, withKeys: boolean): Promise<number> {
    const { removedKeys } = await unwrap(api.tenants.remove({ alias, withKeys }));
    await this.load();
    return removedKeys;
  }
}
