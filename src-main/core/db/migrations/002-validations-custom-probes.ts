/** Migration 2: validation history and custom probes. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration002: Migration = {
  version: 2,
  description: 'validation history and custom probes',
  sql: `
      CREATE TABLE validations (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        key_id      TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
        at          TEXT NOT NULL,
        probe       TEXT NOT NULL,
        verdict     TEXT NOT NULL,
        status      INTEGER,                         -- null when no response arrived
        duration_ms INTEGER NOT NULL,
        url         TEXT NOT NULL                    -- never carries the key (the client refuses that)
      ) STRICT;
      CREATE INDEX validations_key ON validations (key_id, at);

      CREATE TABLE custom_probes (
        id          TEXT PRIMARY KEY,
        vendor      TEXT NOT NULL,
        method      TEXT NOT NULL CHECK (method IN ('GET', 'HEAD')),
        path        TEXT NOT NULL,
        scope       TEXT,
        risk        TEXT NOT NULL CHECK (risk IN ('none', 'low', 'medium', 'high')),
        description TEXT NOT NULL DEFAULT ''
      ) STRICT;
    `,
};
