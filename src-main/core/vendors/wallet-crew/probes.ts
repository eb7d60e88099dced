/**
 * The Wallet Crew's probes, from the table in ../shared/specs/wallet-crew-api.md: each with the scope
 * it needs and what its body risks showing.
 */
import type { ProbeDefinition } from '../vendor.ts';

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
