/**
 * The Wallet Crew (Neostore API): keys are sent as they are, in the X-API-KEY header; tenants are
 * named by their id in every path; an admin API manages keys (admin-api.ts).
 */
import { randomBytes } from 'node:crypto';
import { VaultError } from '../../errors.ts';
import type { VendorDefinition } from '../vendor.ts';
import { WALLET_CREW_PROBES } from './probes.ts';

/** The header The Wallet Crew reads a key from. */
export const API_KEY_HEADER = 'X-API-KEY';

export const walletCrew: VendorDefinition = {
  id: 'wallet-crew',
  name: 'The Wallet Crew',
  baseUrls: { production: 'https://app.neostore.cloud', staging: 'https://app-qa.neostore.cloud' },
  probes: WALLET_CREW_PROBES,
  checkTenant(input) {
    if (input.clientId !== undefined || input.loginAs !== undefined) throw new VaultError('INVALID_INPUT', 'A client id and a login-as account belong to Airwallex tenants only.');
  },
  // The tokens the admin API issues are 64 URL-safe base64 characters (48 random bytes).
  impossibleKey: () => randomBytes(48).toString('base64url'),
  auth: () => ({ kind: 'header', name: API_KEY_HEADER }),
};
