/** Tenants: where keys belong (a tenant id in one environment of a vendor). */
import type { Environment } from '../rules.ts';
import { channel } from './channel.ts';

export type Provider = 'wallet-crew' | 'airwallex';
export const PROVIDERS: Provider[] = ['wallet-crew', 'airwallex'];

/** A tenant as the vault lists it. */
export interface Tenant {
  alias: string;
  tenantId: string;
  environment: Environment;
  baseUrl: string;
  provider: Provider;
  label: string | null;
  createdAt: string;
  keyCount: number;
  /** The app's built-in sandbox (the emulator on loopback), not a real vendor tenant. */
  sandbox: boolean;
  /** Airwallex: the client id its keys log in with, and the account they act as (x-login-as). */
  clientId: string | null;
  loginAs: string | null;
}

export interface NewTenantInput {
  alias: string;
  tenantId: string;
  environment: Environment;
  /** Required when `environment` is `custom`; must be omitted otherwise. */
  baseUrl?: string;
  label?: string;
  /** The Wallet Crew unless said otherwise. Airwallex needs `clientId`; its staging is called demo. */
  provider?: Provider;
  clientId?: string;
  loginAs?: string;
}

export const tenantsChannels = {
  'tenants:list': channel<void, Tenant[]>(),
  'tenants:add': channel<NewTenantInput, Tenant>(),
  'tenants:remove': channel<{ alias: string; withKeys?: boolean }, { removedKeys: number }>(),
};
