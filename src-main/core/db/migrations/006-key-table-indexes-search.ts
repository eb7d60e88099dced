/** Migration 6: the key table at scale: indexes for each sort, and a trigram index for search. Shipped: frozen, never edited (see ./index.ts). */
import type { Migration } from './index.ts';

export const migration006: Migration = {
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
};
