/** The vendors the vault knows, by provider id: the one list to extend with a new vendor's folder. */
import type { Provider } from '../../shared/contract.ts';
import { airwallex } from './airwallex/airwallex.ts';
import type { ProbeDefinition, Vendor, VendorDefinition } from './vendor.ts';
import { walletCrew } from './wallet-crew/wallet-crew.ts';

export const VENDORS: readonly VendorDefinition[] = [walletCrew, airwallex];

/** The vendor of a provider id, or undefined for one the vault does not know. */
export function vendorOf(provider: string): VendorDefinition | undefined {
  return VENDORS.find((vendor) => vendor.id === provider);
}

/** The vendors a probe may belong to (custom probes name one). */
export const PROBE_VENDORS: readonly Vendor[] = [...VENDORS.map((vendor) => vendor.id), 'generic'];

/** Probes of a vendor, built-in first, then the user's own. */
export function probesFor(vendor: Vendor, custom: readonly ProbeDefinition[] = []): ProbeDefinition[] {
  const builtIn = vendor === 'generic' ? [] : (vendorOf(vendor as Provider)?.probes ?? []);
  return [...builtIn, ...custom.filter((probe) => probe.vendor === vendor)];
}
