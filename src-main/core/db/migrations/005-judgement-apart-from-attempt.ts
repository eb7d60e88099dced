/** Migration 5: a key's last judgement apart from its last attempt. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration005: Migration = {
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
          -- the verdicts that never blame the key, as this migration shipped
          WHERE v.verdict NOT IN ('throttled', 'server_error', 'intercepted', 'network_error', 'tls_error', 'timeout')
        ) j ON j.key_id = s.key_id AND j.n = 1;
      DROP TABLE key_status;
      ALTER TABLE key_status_v5 RENAME TO key_status;

      -- Earlier keys are looked up by fingerprint when a pasted key turns out to be one.
      CREATE INDEX key_credentials_fingerprint ON key_credentials (fingerprint);
    `,
};
