/**
 * The Wallet Crew endpoints that are not probes but whose scope is publicly known
 * (../shared/specs/wallet-crew-api.md): what a key needs to manage keys,.
 */
export const ADMIN_ENDPOINTS: readonly { method: string; path: string; scope: string }[] = [
  { method: 'POST', path: '/api/{tenantId}/admin/apiKeys', scope: 'tenant.apiKey:write' },
  { method: 'PUT', path: '/api/{tenantId}/admin/apiKeys/{keyName}', scope: 'tenant.apiKey:write' },
  { method: 'DELETE', path: '/api/{tenantId}/admin/apiKeys/{keyName}', scope: 'tenant.apiKey:write' },
];
