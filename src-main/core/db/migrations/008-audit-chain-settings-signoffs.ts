/** Migration 8: a tamper-evident audit log, and the review settings. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration008: Migration = {
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
  run: chainEarlierEntries,
};

/**
 * Chains the entries written before the chain existed, in id order, with the hash function every
 * connection registers (`tkv_audit_hash`, audit/audit-chain.ts): that function defines the chain's
 * format, which never changes once entries carry it.
 */
function chainEarlierEntries(db: Parameters<NonNullable<Migration['run']>>[0]): void {
  const hash = db.prepare(`SELECT tkv_audit_hash(@prev, at, actor, action, tenant, key_name, key_id, fingerprint, detail) FROM audit_log WHERE id = @id`).pluck();
  const update = db.prepare(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`);
  let prev: string | null = null;
  for (const id of db.prepare(`SELECT id FROM audit_log ORDER BY id`).pluck().all() as number[]) {
    const own = hash.get({ prev, id }) as string;
    update.run(prev, own, id);
    prev = own;
  }
}
