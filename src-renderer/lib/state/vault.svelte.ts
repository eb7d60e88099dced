/**
 * What the vault view shows: tenants and key metadata, as the main process returns them. Holds no
 * secret: the add-key form passes the secret straight to `keys:add` and keeps nothing.
 */
import type { KeySummary, NewKeyInput, NewTenantInput, Tenant } from '../../../src-main/shared/contract.ts';
import { api, unwrap } from '../api.ts';

export class VaultState {
  tenants = $state<Tenant[]>([]);
  keys = $state<KeySummary[]>([]);
  /** The tenant whose keys are shown; null shows every tenant's keys. */
  selectedTenant = $state<string | null>(null);
  loading = $state(true);
  loadError = $state<string | null>(null);

  visibleKeys = $derived(this.selectedTenant === null ? this.keys : this.keys.filter((key) => key.tenant === this.selectedTenant));

  async refresh(): Promise<void> {
    try {
      const [tenants, keys] = await Promise.all([unwrap(api.tenants.list()), unwrap(api.keys.list({}))]);
      this.tenants = tenants;
      this.keys = keys;
      if (this.selectedTenant !== null && !tenants.some((tenant) => tenant.alias === this.selectedTenant)) this.selectedTenant = null;
      this.loadError = null;
    } catch (error) {
      this.loadError = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  async addTenant(input: NewTenantInput): Promise<Tenant> {
    const tenant = await unwrap(api.tenants.add(input));
    await this.refresh();
    this.selectedTenant = tenant.alias;
    return tenant;
  }

  async addKey(input: NewKeyInput): Promise<KeySummary> {
    const key = await unwrap(api.keys.add(input));
    await this.refresh();
    return key;
  }

  /** Reloads whenever the main process says the vault changed; returns the unsubscribe. */
  follow(): () => void {
    return api.on('vault:changed', () => void this.refresh());
  }
}
