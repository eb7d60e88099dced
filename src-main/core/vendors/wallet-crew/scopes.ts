import { unknownScopes, type ScopeArea } from '../../../shared/scopes.ts';

/**
 * The Wallet Crew's scope catalogue as publicly known (../shared/specs/wallet-crew-api.md): both
 * naming conventions, compared exactly and case-sensitively, with `*` granting everything.
 */

export const SCOPE_CATALOGUE: readonly ScopeArea[] = [
  {
    code: 'tenant.apiKey',
    category: 'Security',
    description: 'API keys of the tenant',
    scopes: [
      { code: 'tenant.apiKey:read', description: 'List API keys and their permissions' },
      { code: 'tenant.apiKey:write', description: 'Create, update and delete API keys' },
    ],
  },
  {
    code: 'tenant.access',
    category: 'Security',
    description: 'Users, roles and permissions',
    scopes: [
      { code: 'tenant.access:read', description: 'Read users, roles and the permission catalogue' },
      { code: 'tenant.access:write', description: 'Invite and edit users' },
      { code: 'tenant.access.role:write', description: 'Create and edit roles' },
    ],
  },
  {
    code: 'tenant.core',
    category: 'Tenant',
    description: 'Tenant configuration',
    scopes: [
      { code: 'tenant.core:read', description: 'Read the tenant configuration' },
      { code: 'tenant.configuration.general:write', description: 'Edit general settings' },
      { code: 'TenantConfiguration.Read', description: 'Read the tenant configuration' },
      { code: 'TenantConfiguration.Write', description: 'Edit the tenant configuration' },
    ],
  },
  {
    code: 'Pass',
    category: 'Passes',
    description: 'Wallet passes',
    scopes: [
      { code: 'Pass.Read', description: 'Read passes' },
      { code: 'Pass.Write', description: 'Create and update passes' },
      { code: 'PassScan.Scan', description: 'Scan passes' },
    ],
  },
  {
    code: 'Secret',
    category: 'Integrations',
    description: 'Stored secrets',
    scopes: [
      { code: 'Secret.Read', description: 'List secret names' },
      { code: 'Secret.Write', description: 'Create and replace secrets' },
    ],
  },
  {
    code: 'Webhook',
    category: 'Integrations',
    description: 'Webhook subscriptions',
    scopes: [
      { code: 'Webhook.Read', description: 'Read webhook subscriptions' },
      { code: 'Webhook.Write', description: 'Create and edit webhook subscriptions' },
    ],
  },
  {
    code: 'Insights',
    category: 'Analytics',
    description: 'Logs, events and metrics',
    scopes: [{ code: 'Insights.Read', description: 'Query insights' }],
  },
  {
    code: 'Stores',
    category: 'Retail',
    description: 'Physical stores',
    scopes: [{ code: 'Stores.Read', description: 'Read stores' }],
  },
];

/** Every scope code the catalogue knows. */
export const ALL_SCOPES: readonly string[] = SCOPE_CATALOGUE.flatMap((area) => area.scopes.map((scope) => scope.code));

/** True when `granted` includes `required` exactly, or `*`. */
export function grants(granted: readonly string[], required: string): boolean {
  return granted.includes('*') || granted.includes(required);
}

/** A scope that opens the admin API for keys: `*`, or `tenant.apiKey:read` / `:write`. */
export function isAdminScope(scope: string): boolean {
  return scope === '*' || scope.startsWith('tenant.apiKey:');
}

/** The warning for a key marked as the tenant's admin credential whose declared scopes open no admin API; null when they do. */
export function adminScopeWarning(scopes: readonly string[]): string | null {
  if (scopes.some(isAdminScope)) return null;
  return "It is marked as the tenant's admin credential, but its declared scopes hold neither `*` nor `tenant.apiKey:read`: if they are right, the server refuses it the admin API, and the vault cannot ask about refused keys.";
}

/** A warning per scope the catalogue does not know, naming the closest known one when there is one. */
export function unknownScopeWarnings(scopes: readonly string[]): string[] {
  return unknownScopes(scopes, ALL_SCOPES);
}
