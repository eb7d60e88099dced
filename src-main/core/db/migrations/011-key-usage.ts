/** Migration 11: what the vendor's logs showed of each key's use. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration011: Migration = {
  version: 11,
  description: 'what the vendor logs showed of each key use',
  sql: `
      -- A key's use as the vendor's logs (Insights) showed it, each time the vault asked: the
      -- newest request seen (NULL: none seen), and since when the logs have been read without a
      -- gap, so that "no request in 90 days" is claimed only when 90 days were looked at.
      CREATE TABLE key_usage (
        key_id       TEXT PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
        last_seen    TEXT,
        covered_from TEXT NOT NULL,
        asked_at     TEXT NOT NULL
      ) STRICT;
    `,
};
