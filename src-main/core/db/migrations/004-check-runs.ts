/** Migration 4: check runs: validation history kept in the order it is written; last verdicts apart. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration004: Migration = {
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
};
