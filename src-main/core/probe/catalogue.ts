/**
 * Probes: harmless requests that tell 401 from 403. The Wallet Crew's come from the table in
 * ../shared/specs/wallet-crew-api.md, each with the scope it needs and what its body risks showing.
 */
import type { ProbeRisk } from '../../shared/check.ts';

export type Vendor = 'wallet-crew' | 'airwallex' | 'generic';

export interface ProbeDefinition {
  id: string;
  vendor: Vendor;
  method: 'GET' | 'HEAD';
  /** Path under the base URL; `{tenantId}` and `{keyName}` are filled in. */
  path: string;
  /** The scope the probe needs, or null when unknown (custom probes may leave it out). */
  scope: string | null;
  risk: ProbeRisk;
  description: string;
  custom?: boolean;
}

export const WALLET_CREW_PROBES: readonly ProbeDefinition[] = [
  { id: 'config', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/admin/config', scope: 'tenant.core:read', risk: 'none', description: 'tenant name, URIs, languages, extensions' },
  { id: 'api-key-self', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/admin/apiKeys/{keyName}', scope: 'tenant.apiKey:read', risk: 'none', description: "the key's own enabled flag and permissions" },
  { id: 'permissions', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/admin/permissions', scope: 'tenant.access:read', risk: 'none', description: 'the scope catalogue' },
  { id: 'api-keys', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/admin/apiKeys', scope: 'tenant.apiKey:read', risk: 'low', description: 'all key names and permissions' },
  { id: 'roles', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/admin/roles', scope: 'tenant.access:read', risk: 'low', description: 'role names and permissions' },
  { id: 'secrets', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/secrets', scope: 'Secret.Read', risk: 'low', description: 'secret names only' },
  { id: 'passes', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/passes?pageIndex=0&pageSize=1', scope: 'Pass.Read', risk: 'medium', description: 'one pass (carries a per-pass secret)' },
  { id: 'webhooks', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/webhooks', scope: 'Webhook.Read', risk: 'high', description: 'subscriptions including their signing secret' },
  { id: 'users', vendor: 'wallet-crew', method: 'GET', path: '/api/{tenantId}/admin/users', scope: 'tenant.access:read', risk: 'high', description: 'emails and last logins (personal data)' },
];

export const AIRWALLEX_PROBES: readonly ProbeDefinition[] = [
  { id: 'account', vendor: 'airwallex', method: 'GET', path: '/api/v1/account', scope: 'accounts:read', risk: 'low', description: 'the account the token acts as' },
  { id: 'balances', vendor: 'airwallex', method: 'GET', path: '/api/v1/balances/current', scope: 'balances:read', risk: 'low', description: 'current balances' },
  { id: 'payment-intents', vendor: 'airwallex', method: 'GET', path: '/api/v1/pa/payment_intents', scope: 'payments:read', risk: 'medium', description: 'recent payment intents' },
];

const RISK_ORDER: Record<ProbeRisk, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** Probes of a vendor, built-in first, then the user's own. */
export function probesFor(vendor: Vendor, custom: readonly ProbeDefinition[] = []): ProbeDefinition[] {
  const builtIn = vendor === 'wallet-crew' ? WALLET_CREW_PROBES : vendor === 'airwallex' ? AIRWALLEX_PROBES : [];
  return [...builtIn, ...custom.filter((probe) => probe.vendor === vendor)];
}

/** True for probes that run only when asked for by id, and whose bodies are never stored or shown. */
export function isSensitive(probe: ProbeDefinition): boolean {
  return RISK_ORDER[probe.risk] >= RISK_ORDER.medium;
}

/**
 * The default probe for a key, as the vendor's guide says ("run a low-impact GET request that matches
 * the selected scopes"): the lowest-risk probe whose scope the key declares (`*` matches all),
 * medium-risk ones included (their bodies are read to the cap and dropped); high-risk ones run only
 * when named. With no probe for any declared scope, the lowest-risk probe runs, `matched` is false,
 * and a 403 there only proves that the key authenticates. Probes needing the key's own name are
 * skipped when it is unknown.
 */
export function defaultProbe(probes: readonly ProbeDefinition[], declaredScopes: readonly string[], knowsOwnName: boolean): { probe: ProbeDefinition; matched: boolean } {
  const usable = probes
    .filter((probe) => probe.risk !== 'high' && (knowsOwnName || !probe.path.includes('{keyName}')))
    .sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk]);
  const matching = usable.find((probe) => probe.scope !== null && (declaredScopes.includes('*') || declaredScopes.includes(probe.scope)));
  if (matching) return { probe: matching, matched: true };
  const lowest = usable.find((probe) => !isSensitive(probe));
  if (!lowest) throw new Error('no usable probe');
  return { probe: lowest, matched: false };
}

/** The probe path with its placeholders filled in, URL-encoded. */
export function probePath(probe: ProbeDefinition, values: { tenantId: string; keyName?: string }): string {
  return probe.path.replace('{tenantId}', encodeURIComponent(values.tenantId)).replace('{keyName}', encodeURIComponent(values.keyName ?? ''));
}
