/**
 * Numbered schema migrations. Migration N moves the schema from version N-1 to N and runs in one
 * transaction with the `user_version` bump, so a crash leaves either the old schema or the new one.
 * Append only: never edit a migration that has shipped.
 */
import { NON_JUDGEMENTS } from '../../shared/verdicts.ts';
import type { InventoryDatabase } from './database.ts';
import { backfillAuditChain } from './audit-chain.ts';

/** The verdicts that never blame the key, as an SQL list: `'throttled', 'server_error', …`. */
export const NON_JUDGEMENT_LIST = NON_JUDGEMENTS.map((verdict) => `'${verdict}'`).join(', ');

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Work SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (db: InventoryDatabase) => void;
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
  {
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
  },
  {
    version: 4,
    description: 'check runs: validation history kept in the order it is written; last verdicts apart',
    sql: `
      -- One row per check run: a single check, a scope matrix, or a bulk run of many keys.
      CREATE TABLE check_runs (
        id         INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('check', 'matrix', 'bulk'))
      ) STRICT;

      -- Version 2 indexed the history by key, so a bulk run wrote one scattered index page per key
      -- and grew slower as history accumulated. It is indexed by run now: a run's rows (and their
      -- index entries) are appended together, and a key's history is one index seek per run. Older
      -- rows were written in batches that shared their time; each such batch becomes one run.
      INSERT INTO check_runs (started_at, kind)
        SELECT at, CASE WHEN count(*) > 1 THEN 'bulk' ELSE 'check' END FROM validations GROUP BY at ORDER BY min(id);

      CREATE TABLE validations_by_run (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id      INTEGER NOT NULL REFERENCES check_runs (id) ON DELETE CASCADE,
        key_id      TEXT NOT NULL,                   -- removed with its key by the trigger below
        at          TEXT NOT NULL,
        probe       TEXT NOT NULL,
        verdict     TEXT NOT NULL,
        status      INTEGER,                         -- null when no response arrived
        duration_ms INTEGER NOT NULL,
        url         TEXT NOT NULL                    -- never carries the key (the client refuses that)
      ) STRICT;
      INSERT INTO validations_by_run (id, run_id, key_id, at, probe, verdict, status, duration_ms, url)
        SELECT v.id, r.id, v.key_id, v.at, v.probe, v.verdict, v.status, v.duration_ms, v.url
        FROM validations v JOIN check_runs r ON r.started_at = v.at ORDER BY v.id;
      DROP TABLE validations;
      ALTER TABLE validations_by_run RENAME TO validations;
      CREATE INDEX validations_run_key ON validations (run_id, key_id);

      -- Each key's last verdict, apart from the wide keys rows: a bulk run rewrites one small row
      -- per key here instead of one keys row (and its primary-key index lookup) per key.
      CREATE TABLE key_status (
        key_id          TEXT PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
        last_verdict    TEXT NOT NULL,
        last_checked_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO key_status (key_id, last_verdict, last_checked_at)
        SELECT id, last_verdict, last_checked_at FROM keys WHERE last_verdict IS NOT NULL AND last_checked_at IS NOT NULL;
      ALTER TABLE keys DROP COLUMN last_verdict;
      ALTER TABLE keys DROP COLUMN last_checked_at;

      -- A foreign key from key_id would need an index by key to delete its rows, the very index
      -- dropped above; a removed key's history goes by this trigger instead, one seek per run.
      CREATE TRIGGER keys_delete_history AFTER DELETE ON keys BEGIN
        DELETE FROM validations WHERE id IN (
          SELECT v.id FROM check_runs r CROSS JOIN validations v ON v.run_id = r.id AND v.key_id = old.id
        );
      END;
    `,
  },
  {
    version: 5,
    description: "a key's last judgement apart from its last attempt",
    sql: `
      -- Outcomes that never blame the key (network, TLS, timeout, throttled, server error, a proxy's
      -- page) are a key's last attempt, but no longer replace its last judgement (last_verdict), which
      -- may therefore be absent while an attempt is recorded.
      CREATE TABLE key_status_v5 (
        key_id          TEXT PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
        last_verdict    TEXT,                        -- the last judgement of the key; null when none yet
        last_checked_at TEXT,                        -- when it was judged
        last_attempt    TEXT NOT NULL,               -- the last check's verdict, whatever it was
        last_attempt_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO key_status_v5 (key_id, last_verdict, last_checked_at, last_attempt, last_attempt_at)
        SELECT s.key_id, j.verdict, j.at, s.last_verdict, s.last_checked_at
        FROM key_status s
        LEFT JOIN (
          SELECT v.key_id, v.verdict, v.at, row_number() OVER (PARTITION BY v.key_id ORDER BY v.id DESC) AS n
          FROM validations v
          WHERE v.verdict NOT IN (${NON_JUDGEMENT_LIST})
        ) j ON j.key_id = s.key_id AND j.n = 1;
      DROP TABLE key_status;
      ALTER TABLE key_status_v5 RENAME TO key_status;

      -- Earlier keys are looked up by fingerprint when a pasted key turns out to be one.
      CREATE INDEX key_credentials_fingerprint ON key_credentials (fingerprint);
    `,
  },
  {
    version: 6,
    description: 'the key table at scale: indexes for each sort, and a trigram index for search',
    sql: `
      -- The key table is paged from here: the main sorts have an index in exactly their order (empty
      -- values last, then the name), so a first page is read in index order and stops at its limit
      -- instead of sorting every key. Sorts by a key's status sort only the keys a filter kept.
      CREATE INDEX keys_name ON keys (name COLLATE NOCASE);
      CREATE INDEX keys_tenant_name ON keys (tenant_ref, name COLLATE NOCASE);
      CREATE INDEX keys_expires ON keys (expires_on IS NULL, expires_on, name COLLATE NOCASE);
      CREATE INDEX keys_created ON keys (created_at, name COLLATE NOCASE);
      CREATE INDEX keys_owner ON keys (owner IS NULL, owner COLLATE NOCASE, name COLLATE NOCASE);
      -- Admin credentials are one per tenant at most: their own small index, in the table's order.
      CREATE INDEX keys_admin_name ON keys (name COLLATE NOCASE) WHERE is_admin = 1;
      CREATE INDEX key_status_judgement ON key_status (last_verdict);
      CREATE INDEX key_status_attempt ON key_status (last_attempt);

      -- Search as you type: substrings of name, tenant, owner, notes, scopes and fingerprint, found
      -- through a trigram index (cost follows the matches, not the inventory). Its rows are numbered
      -- by key_search_ids, whose explicit integer key survives a VACUUM (the keys' own rowids may not).
      CREATE TABLE key_search_ids (
        id     INTEGER PRIMARY KEY,
        key_id TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE VIRTUAL TABLE keys_search USING fts5(name, tenant, owner, notes, scopes, fingerprint, tokenize = 'trigram', content = '', contentless_delete = 1);
      INSERT INTO key_search_ids (key_id) SELECT id FROM keys ORDER BY rowid;
      INSERT INTO keys_search (rowid, name, tenant, owner, notes, scopes, fingerprint)
        SELECT m.id, k.name, t.alias, coalesce(k.owner, ''), coalesce(k.notes, ''), k.scopes, k.fingerprint
        FROM key_search_ids m JOIN keys k ON k.id = m.key_id JOIN tenants t ON t.id = k.tenant_ref;
      CREATE TRIGGER keys_search_insert AFTER INSERT ON keys BEGIN
        INSERT INTO key_search_ids (key_id) VALUES (new.id);
        INSERT INTO keys_search (rowid, name, tenant, owner, notes, scopes, fingerprint)
          VALUES (last_insert_rowid(), new.name, (SELECT alias FROM tenants WHERE id = new.tenant_ref), coalesce(new.owner, ''), coalesce(new.notes, ''), new.scopes, new.fingerprint);
      END;
      CREATE TRIGGER keys_search_update AFTER UPDATE OF name, owner, notes, scopes, fingerprint ON keys BEGIN
        DELETE FROM keys_search WHERE rowid = (SELECT id FROM key_search_ids WHERE key_id = old.id);
        INSERT INTO keys_search (rowid, name, tenant, owner, notes, scopes, fingerprint)
          VALUES ((SELECT id FROM key_search_ids WHERE key_id = old.id), new.name, (SELECT alias FROM tenants WHERE id = new.tenant_ref), coalesce(new.owner, ''), coalesce(new.notes, ''), new.scopes, new.fingerprint);
      END;
      CREATE TRIGGER keys_search_delete AFTER DELETE ON keys BEGIN
        DELETE FROM keys_search WHERE rowid = (SELECT id FROM key_search_ids WHERE key_id = old.id);
        DELETE FROM key_search_ids WHERE key_id = old.id;
      END;
    `,
  },
  {
    version: 7,
    description: "the app's built-in sandbox tenant, marked as such",
    sql: `
      -- The tenant the desktop app added for its sandbox (the emulator on loopback): shown as such
      -- everywhere, and its base URL follows the port the emulator gets at each start.
      ALTER TABLE tenants ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0 CHECK (sandbox IN (0, 1));
    `,
  },
  {
    version: 8,
    description: 'a tamper-evident audit log, and the review settings',
    sql: `
      -- Each entry carries the hash of the one before it and its own (audit-chain.ts): an edited,
      -- inserted or deleted entry breaks the chain. Entries written before are chained in id order.
      ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN hash TEXT;
      CREATE INDEX audit_log_action_at ON audit_log (action, at);
      CREATE INDEX audit_log_at ON audit_log (at);

      -- Settings the review uses (thresholds, the rotation policy), as JSON values by name.
      CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- Review sign-offs: who signed, when, the digest of what was reviewed, and that state (each
      -- key's id, name, fingerprint and flag codes; never a secret) to tell what changed since.
      CREATE TABLE review_signoffs (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        at       TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note     TEXT,
        digest   TEXT NOT NULL,
        keys     INTEGER NOT NULL,
        flagged  INTEGER NOT NULL,
        state    TEXT NOT NULL
      ) STRICT;
    `,
    run: backfillAuditChain,
  },
  {
    version: 9,
    description: 'Airwallex tenants: the client id and the account to act as, for the login exchange',
    sql: `
      -- An Airwallex tenant's keys are exchanged for a short-lived bearer token at its login
      -- endpoint, with the client id (and an optional account to act as) beside the key.
      ALTER TABLE tenants ADD COLUMN client_id TEXT;
      ALTER TABLE tenants ADD COLUMN login_as TEXT;
    `,
  },
  {
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
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
