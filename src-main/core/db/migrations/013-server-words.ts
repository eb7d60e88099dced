/** Migration 13: the server's word on a key's last refusal, kept for the watch. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration013: Migration = {
  version: 13,
  description: "the server's word on a key's last refusal",
  sql: `
      -- What the admin API said of a key when a check was refused (401 or 403): deleted, disabled,
      -- or present and enabled, with the permissions it lists (a JSON array; names as the server
      -- gave them, redacted). One row per key, the last word; it stands for the key's last
      -- judgement only while at = key_status.last_checked_at. Written for refusals only, so a bulk
      -- run of healthy keys writes none.
      CREATE TABLE key_server_words (
        key_id      TEXT PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
        at          TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('deleted', 'disabled', 'enabled')),
        remote_name TEXT NOT NULL,
        permissions TEXT,
        needed      TEXT
      ) STRICT, WITHOUT ROWID;
    `,
};
