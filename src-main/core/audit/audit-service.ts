/**
 * The audit log: every service records what it did here (who, what, on which key; never a secret),
 * inside the transaction of the change itself, and a reviewer reads it back as filtered pages, an
 * export, and the hash chain's verdict.
 */
import type { AuditQuery, AuditRecord, AuditVerdict } from '../../shared/contract.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { VaultError } from '../errors.ts';
import { verifyAuditChain } from './audit-chain.ts';
import { AuditStore, type Actor, type AuditAction, type AuditEntry, type AuditFilter } from './audit-store.ts';

export type { Actor, AuditAction, AuditEntry };

/** What an entry says beyond its action: the tenant and key it concerns, and details (never a secret). */
export interface AuditFields {
  tenant?: string;
  keyName?: string;
  keyId?: string;
  fingerprint?: string;
  detail?: Record<string, unknown>;
}

/** Names a person may use for an action, as the log records it. */
const ACTION_ALIASES: Record<string, string> = { checked: 'validated', removed: 'deleted' };

export class AuditService {
  private readonly db: Connection;
  private readonly store: AuditStore;
  private readonly stamps: Stamps;
  /** Who acts, as every entry of this process records it. */
  readonly actor: Actor;

  constructor(options: { db: Connection; stamps: Stamps; actor: Actor }) {
    this.db = options.db;
    this.store = new AuditStore(options.db);
    this.stamps = options.stamps;
    this.actor = options.actor;
  }

  /** Records an action now; inside the caller's transaction when there is one. */
  record(action: AuditAction, fields: AuditFields = {}): void {
    this.recordAt(this.stamps.now(), action, fields);
  }

  /** Records an action that happened at `at` (a check, stamped when it finished). */
  recordAt(at: string, action: AuditAction, fields: AuditFields): void {
    this.store.append({
      at,
      actor: this.actor,
      action,
      tenant: fields.tenant ?? null,
      keyName: fields.keyName ?? null,
      keyId: fields.keyId ?? null,
      fingerprint: fields.fingerprint ?? null,
      detail: fields.detail ?? null,
    });
  }

  /** A key's latest entries, newest first. */
  latest(keyId: string, limit: number): AuditEntry[] {
    return this.store.latest(keyId, limit);
  }

  /** Every entry (of a key), oldest first. */
  entries(keyId?: string): AuditEntry[] {
    return this.store.entries(keyId);
  }

  page(query: AuditQuery, offset: number, limit: number): { entries: AuditRecord[]; total: number } {
    const { rows, total } = this.store.page(this.filter(query), offset, limit);
    return { entries: rows.map((row) => ({ id: row.id, at: row.at, actor: row.actor, action: row.action, tenant: row.tenant, keyName: row.keyName, fingerprint: row.fingerprint, detail: row.detail })), total };
  }

  /** Every entry a query keeps, newest first (an export). */
  all(query: AuditQuery): AuditRecord[] {
    return this.page(query, 0, 1_000_000).entries;
  }

  verify(): AuditVerdict {
    const { intact, entries, broken } = verifyAuditChain(this.db.raw);
    return { intact, entries, broken };
  }

  /** The head of the chain (the last entry's hash), which a sign-off records. */
  head(): string | null {
    return verifyAuditChain(this.db.raw).head;
  }

  private filter(query: AuditQuery): AuditFilter {
    let since: string | undefined;
    if (query.since !== undefined) {
      const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(query.since) ? `${query.since}T00:00:00Z` : query.since);
      if (Number.isNaN(parsed)) throw new VaultError('INVALID_INPUT', `Since: "${query.since}" is not a date; give YYYY-MM-DD or an ISO 8601 time.`);
      since = new Date(parsed).toISOString();
    }
    return {
      ...(query.key ? { tenant: query.key.tenant, keyName: query.key.name } : {}),
      ...(query.action ? { action: ACTION_ALIASES[query.action] ?? query.action } : {}),
      ...(since ? { since } : {}),
      ...(query.search ? { search: query.search } : {}),
    };
  }
}
