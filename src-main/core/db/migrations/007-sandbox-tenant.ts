/** Migration 7: the app's built-in sandbox tenant, marked as such. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration007: Migration = {
  version: 7,
  description: "the app's built-in sandbox tenant, marked as such",
  sql: `
      -- The tenant the desktop app added for its sandbox (the emulator on loopback): shown as such
      -- everywhere, and its base URL follows the port the emulator gets at each start.
      ALTER TABLE tenants ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0 CHECK (sandbox IN (0, 1));
    `,
};
