/**
 * The audit log as a hash chain: each entry carries the SHA-256 of the one before it and its own,
 * computed over its fields, so editing, inserting or deleting an entry anywhere but at the end breaks
 * the chain from there on, and `verify` says where. The hash is computed in SQL (a function every
 * connection registers) inside the INSERT itself: writes are serialized, so two processes appending
 * at once never fork the chain.
 */
import { auditHash } from '../db/audit-hash.ts';
import type { InventoryDatabase } from '../db/database.ts';

interface ChainRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  tenant: string | null;
  key_name: string | null;
  key_id: string | null;
  fingerprint: string | null;
  detail: string | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface ChainVerdict {
  /** True when every entry's hash matches its fields and its predecessor's hash. */
  intact: boolean;
  entries: number;
  /** The first entry that does not match, and why. */
  broken: { id: number; at: string; reason: 'edited' | 'reordered-or-removed' } | null;
  /** The last entry's hash: what a sign-off records, so a later truncation is noticed too. */
  head: string | null;
}

/** Walks the chain from the first entry. */
export function verifyAuditChain(db: InventoryDatabase): ChainVerdict {
  let prev: string | null = null;
  let entries = 0;
  for (const row of db.prepare(`SELECT * FROM audit_log ORDER BY id`).iterate() as IterableIterator<ChainRow>) {
    entries += 1;
    if (row.prev_hash !== prev) return { intact: false, entries, broken: { id: row.id, at: row.at, reason: 'reordered-or-removed' }, head: null };
    const hash = auditHash(prev, row.at, row.actor, row.action, row.tenant, row.key_name, row.key_id, row.fingerprint, row.detail);
    if (row.hash !== hash) return { intact: false, entries, broken: { id: row.id, at: row.at, reason: 'edited' }, head: null };
    prev = hash;
  }
  return { intact: true, entries, broken: null, head: prev };
}
