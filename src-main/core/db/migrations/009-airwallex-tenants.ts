/** Migration 9: Airwallex tenants: the client id and the account to act as, for the login exchange. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration009: Migration = {
  version: 9,
  description: 'Airwallex tenants: the client id and the account to act as, for the login exchange',
  sql: `
      -- An Airwallex tenant's keys are exchanged for a short-lived bearer token at its login
      -- endpoint, with the client id (and an optional account to act as) beside the key.
      ALTER TABLE tenants ADD COLUMN client_id TEXT;
      ALTER TABLE tenants ADD COLUMN login_as TEXT;
    `,
};
