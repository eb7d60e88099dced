/** Migration 10: the intent of each key creation on a server, until its answer is in. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration010: Migration = {
  version: 10,
  description: 'the intent of each key creation on a server, until its answer is in',
  sql: `
      -- The server shows a created key's token once, in its answer. Each creation is written down
      -- before it is sent and crossed out when its answer is in: one whose answer never came (a
      -- reset, a timeout, a crash) is still here, and the server is asked whether it made the key.
      CREATE TABLE remote_create_intents (
        id          TEXT PRIMARY KEY,
        tenant_ref  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        key_name    TEXT NOT NULL,
        remote_name TEXT NOT NULL,
        permissions TEXT NOT NULL,                   -- JSON array
        started_at  TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('sent', 'orphaned'))
      ) STRICT;
    `,
};
