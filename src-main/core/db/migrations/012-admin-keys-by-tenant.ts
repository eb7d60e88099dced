/** Migration 12: a tenant's admin credentials found without reading its other keys. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration012: Migration = {
  version: 12,
  description: "a tenant's admin credentials found without reading its other keys",
  sql: `
      -- A check refused by the server asks the tenant's admin API about the key, with the tenant's
      -- admin key: found through (tenant_ref, name) that meant reading every key of the tenant to
      -- find the one or two marked admin. Only admin keys are in this index, in name order.
      CREATE INDEX keys_admin_tenant ON keys (tenant_ref, name) WHERE is_admin = 1;
    `,
};
