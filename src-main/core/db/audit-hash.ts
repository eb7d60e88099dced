/**
 * The audit log's hash: each entry carries the SHA-256 of the one before it and its own, computed
 * over its fields in a fixed order. It is computed in SQL (a function every connection registers)
 * inside the INSERT itself: writes are serialized, so two processes appending at once never fork
 * the chain. This is the chain's format: it never changes once entries carry it.
 */
import { createHash } from 'node:crypto';
import type { InventoryDatabase } from './database.ts';

type Cell = string | null;

/** The hash of an entry: its predecessor's hash and its own fields, in a fixed order. */
export function auditHash(prev: Cell, at: Cell, actor: Cell, action: Cell, tenant: Cell, keyName: Cell, keyId: Cell, fingerprint: Cell, detail: Cell): string {
  return createHash('sha256').update(JSON.stringify([prev ?? '', at, actor, action, tenant, keyName, keyId, fingerprint, detail]), 'utf8').digest('hex');
}

/** Registers `tkv_audit_hash(prev, at, actor, action, tenant, key_name, key_id, fingerprint, detail)`. */
export function registerAuditHash(db: InventoryDatabase): void {
  db.function('tkv_audit_hash', { deterministic: true }, auditHash as (...args: unknown[]) => string);
}
