/**
 * Realistic, deterministic bodies for the probe endpoints: the same tenant always answers the same,
 * so tests and training sessions can rely on them. The personal data and secrets here are fake.
 */
import { createHash } from 'node:crypto';
import { SCOPE_CATALOGUE } from '../vendors/wallet-crew/scopes.ts';

/** A stable pseudo-random hex string derived from the tenant and a label. */
function stable(tenantId: string, label: string, length = 32): string {
  return createHash('sha256').update(`${tenantId}:${label}`).digest('hex').slice(0, length);
}

function title(tenantId: string): string {
  return tenantId.replace(/[-_.]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

export const PASS_COUNT = 42;

export function configBody(tenantId: string, origin: string) {
  return {
    tenantId,
    name: `${title(tenantId)} Store`,
    uris: { api: `${origin}/api/${tenantId}/`, admin: `${origin}/tenant/${tenantId}/`, wallet: `${origin}/wallet/${tenantId}/` },
    languages: ['en', 'fr', 'de'],
    defaultLanguage: 'en',
    extensions: ['passes', 'webhooks', 'insights', 'stores'],
  };
}

export function permissionsBody() {
  return SCOPE_CATALOGUE.map((area) => ({ code: area.code, category: area.category, description: area.description, scopes: area.scopes.map((s) => ({ ...s })) }));
}

export function rolesBody() {
  return [
    { name: 'Administrator', permissions: ['*'] },
    { name: 'Marketing', permissions: ['Pass.Read', 'Pass.Write', 'Insights.Read'] },
    { name: 'Support', permissions: ['Pass.Read', 'PassScan.Scan', 'tenant.core:read'] },
  ];
}

export function usersBody(tenantId: string) {
  return [
    { email: `ada.admin@${tenantId}.example`, displayName: 'Ada Admin', roles: ['Administrator'], lastLogin: '2026-11-20T08:12:44Z' },
    { email: `sam.support@${tenantId}.example`, displayName: 'Sam Support', roles: ['Support'], lastLogin: '2026-11-21T15:03:10Z' },
  ];
}

export function passesPage(tenantId: string, pageIndex: number, pageSize: number) {
  const start = pageIndex * pageSize;
  const items = [];
  for (let i = start; i < Math.min(start + pageSize, PASS_COUNT); i += 1) {
    items.push({
      id: `${stable(tenantId, `pass-${i}`, 8)}-${stable(tenantId, `pass-${i}-b`, 4)}-4${stable(tenantId, `pass-${i}-c`, 3)}-a${stable(tenantId, `pass-${i}-d`, 3)}-${stable(tenantId, `pass-${i}-e`, 12)}`,
      passType: i % 3 === 0 ? 'loyalty' : 'coupon',
      serialNumber: `SN-${String(100000 + i)}`,
      authenticationToken: stable(tenantId, `pass-token-${i}`),
      installed: i % 2 === 0,
      createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    });
  }
  return items;
}

export function secretsBody() {
  return [{ name: 'crm-api-password' }, { name: 'pos-webhook-token' }, { name: 'smtp-relay' }];
}

export function webhooksBody(tenantId: string) {
  return [
    { id: stable(tenantId, 'webhook-1', 12), url: `https://hooks.${tenantId}.example/passes`, events: ['pass.created', 'pass.installed'], signingSecret: `whsec_${stable(tenantId, 'whsec-1')}`, enabled: true },
    { id: stable(tenantId, 'webhook-2', 12), url: `https://data.${tenantId}.example/ingest`, events: ['pass.updated'], signingSecret: `whsec_${stable(tenantId, 'whsec-2')}`, enabled: false },
  ];
}

export function storesBody(tenantId: string) {
  return [
    { id: `${tenantId}-paris-01`, name: `${title(tenantId)} Paris Opéra`, city: 'Paris', country: 'FR' },
    { id: `${tenantId}-lyon-01`, name: `${title(tenantId)} Lyon Part-Dieu`, city: 'Lyon', country: 'FR' },
  ];
}
