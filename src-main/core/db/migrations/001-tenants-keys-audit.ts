/** Migration 1: tenants, keys and the audit log. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration001: Migration = {
  version: 1,
  description: 'tenants, keys and the audit log',
  sql: `
      CREATE TABLE tenants (
        id          TEXT PRIMARY KEY,
        alias       TEXT NOT NULL UNIQUE,
        tenant_id   TEXT NOT NULL,
        environment TEXT NOT NULL CHECK (environment IN ('production', 'staging', 'custom')),
        base_url    TEXT NOT NULL,
        provider    TEXT NOT NULL DEFAULT 'wallet-crew',
        label       TEXT,
        created_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE keys (
        id              TEXT PRIMARY KEY,            -- also the keychain account of the secret
        tenant_ref      TEXT NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
        name            TEXT NOT NULL,
        scopes          TEXT NOT NULL DEFAULT '[]',  -- JSON array of scope strings
        enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        is_admin        INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
        fingerprint     TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        rotated_at      TEXT,
        expires_on      TEXT,                        -- YYYY-MM-DD
        notes           TEXT,
        owner           TEXT,
        last_verdict    TEXT,
        last_checked_at TEXT,
        remote_name     TEXT,
        UNIQUE (tenant_ref, name)
      ) STRICT;
      CREATE INDEX keys_fingerprint ON keys (fingerprint);

      CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,                   -- 'cli' or 'app'
        action      TEXT NOT NULL,
        tenant      TEXT,
        key_name    TEXT,
        key_id      TEXT,
        fingerprint TEXT,
        detail      TEXT                             -- JSON; never a secret
      ) STRICT;
      CREATE INDEX audit_log_key ON audit_log (key_id);
    `,
};
