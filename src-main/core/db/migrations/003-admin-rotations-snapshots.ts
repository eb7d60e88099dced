/** Migration 3: admin API: rotations and their journal, earlier credentials, remote snapshots, admin bearer tokens. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration003: Migration = {
  version: 3,
  description: 'admin API: rotations and their journal, earlier credentials, remote snapshots, admin bearer tokens',
  sql: `
      -- The keychain account of the secret an entry uses now; it changes when a rotation switches keys.
      ALTER TABLE keys ADD COLUMN secret_account TEXT;
      UPDATE keys SET secret_account = id;

      -- A pasted OAuth bearer token for the tenant's admin calls lives in the keychain under
      -- "bearer:<tenant id>"; only whether it is there and its expiry are kept here.
      ALTER TABLE tenants ADD COLUMN bearer_set_at TEXT;
      ALTER TABLE tenants ADD COLUMN bearer_expires_at TEXT;

      -- Earlier credentials of an entry: the old key during a rotation's overlap, then retired.
      CREATE TABLE key_credentials (
        account     TEXT PRIMARY KEY,                -- keychain account (empty once deleted)
        key_id      TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
        remote_name TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('overlap', 'disabled', 'deleted')),
        replaced_at TEXT NOT NULL,
        retired_at  TEXT
      ) STRICT;
      CREATE INDEX key_credentials_key ON key_credentials (key_id);

      -- One row per rotation; the journal below records every step before and after it happens.
      CREATE TABLE rotations (
        id              TEXT PRIMARY KEY,
        key_id          TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
        tenant          TEXT NOT NULL,
        key_name        TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('started', 'overlap', 'finished', 'rolled_back')),
        step            TEXT NOT NULL,
        old_remote_name TEXT NOT NULL,
        old_account     TEXT NOT NULL,
        old_fingerprint TEXT NOT NULL,
        new_remote_name TEXT NOT NULL,
        new_account     TEXT NOT NULL,
        new_fingerprint TEXT,
        permissions     TEXT NOT NULL,               -- JSON array
        retire          TEXT CHECK (retire IN ('disable', 'delete')),
        last_error      TEXT,
        started_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX rotations_one_open ON rotations (key_id) WHERE state IN ('started', 'overlap');

      CREATE TABLE rotation_journal (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        rotation_id TEXT NOT NULL REFERENCES rotations (id) ON DELETE CASCADE,
        at          TEXT NOT NULL,
        step        TEXT NOT NULL,
        phase       TEXT NOT NULL CHECK (phase IN ('before', 'after', 'failed')),
        detail      TEXT                             -- JSON; never a token
      ) STRICT;
      CREATE INDEX rotation_journal_rotation ON rotation_journal (rotation_id, id);

      -- What the server listed, for offline review: [{ name, enabled, permissions }].
      CREATE TABLE remote_snapshots (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_ref TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        taken_at   TEXT NOT NULL,
        keys       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX remote_snapshots_tenant ON remote_snapshots (tenant_ref, taken_at);
    `,
};
