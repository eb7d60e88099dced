/** Airwallex's probes: read-only calls, each with the scope it needs. */
import type { ProbeDefinition } from '../vendor.ts';

export const AIRWALLEX_PROBES: readonly ProbeDefinition[] = [
  { id: 'account', vendor: 'airwallex', method: 'GET', path: '/api/v1/account', scope: 'accounts:read', risk: 'low', description: 'the account the token acts as' },
  { id: 'balances', vendor: 'airwallex', method: 'GET', path: '/api/v1/balances/current', scope: 'balances:read', risk: 'low', description: 'current balances' },
  { id: 'payment-intents', vendor: 'airwallex', method: 'GET', path: '/api/v1/pa/payment_intents', scope: 'payments:read', risk: 'medium', description: 'recent payment intents' },
];
