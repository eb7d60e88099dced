/**
 * Numbered schema migrations. Migration N moves the schema from version N-1 to N and runs in one
 * transaction with the `user_version` bump, so a crash leaves either the old schema or the new one.
 * Append only: never edit a migration that has shipped.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
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
  },
  {
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
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
