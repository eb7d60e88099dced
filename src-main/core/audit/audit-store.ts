/**
 * The audit log's table: entries appended with their link in the hash chain, read back by key, by
 * filter and in full. Never a secret: names, fingerprints and what happened.
 *
 *   audit_log { at: "…", actor: "cli", action: "created", tenant: "acme-prod", key_name: "crm-sync",
 *               key_id: "0b7e…", fingerprint: "3fa9c1d20b6e", detail: '{"scopes":["Pass.Read"]}',
 *               prev_hash: "…", hash: "…" }
 */
import { Store } from '../db/connection.ts';
/** What the audit log records. Never the secret itself. */
export type AuditAction =
  | 'tenant_added'
  | 'tenant_removed'
  /** A tenant's base URL changed (the app's sandbox moved to another port). */
  | 'tenant_updated'
  /** A key stored by hand (the command line's key add, the app's Add key). */
  | 'added'
  | 'created'
  | 'imported'
  | 'revealed'
  | 'copied'
  | 'validated'
  | 'rotated'
  | 'retired'
  | 'deleted'
  | 'exported'
  | 'remote_created'
  | 'remote_updated'
  | 'remote_deleted'
  | 'remote_listed'
  | 'rotation_started'
  | 'rotation_rolled_back'
  | 'bearer_set'
  | 'bearer_cleared'
  /** Keychain entries of this vault's service that no key referred to were deleted. */
  | 'orphans_removed'
  /** A key's secret was replaced by a regenerated one, checked first (the old one is dead on the server). */
  | 'replaced'
  /** A key's secret was handed to a program's environment (`exec`); the program's name is recorded. */
  | 'injected'
  /** A review was signed off (who, the digest of what was reviewed). */
  | 'signed'
  /** The review's settings changed. */
  | 'settings_changed'
  /** An entry's metadata changed (the fields' names are recorded, not their values). */
  | 'edited'
  /** A server created a key whose token could not be stored: it was shown once instead. */
  | 'token_unsaved'
  /** A server created a key whose token could not be stored nor shown: the key was deleted again. */
  | 'token_discarded'
  /** This vault founded or joined a team (core/team). */
  | 'team_joined'
  /** This vault forgot its team (its working copy and keys stay). */
  | 'team_left'
  /** This vault's team identity was replaced by a new one (its public signing keys, before and after). */
  | 'team_identity_replaced'
  /** A key was shared with the team: its metadata, and its secret encrypted to the readers named. */
  | 'shared'
  /** A key shared by a member was stored in this vault by a pull. */
  | 'received'
  | 'member_added'
  /** A member was removed: the secrets they could read were encrypted again without them. */
  | 'member_removed';

export type Actor = 'cli' | 'app';

export interface AuditEntry {
  at: string;
  actor: Actor;
  action: AuditAction;
  tenant: string | null;
  keyName: string | null;
  keyId: string | null;
  fingerprint: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  keyId?: string;
  tenant?: string;
  keyName?: string;
  action?: string;
  since?: string;
  search?: string;
}

type AuditRow = Omit<AuditEntry, 'keyName' | 'keyId' | 'detail'> & { key_name: string | null; key_id: string | null; detail: string | null };

export class AuditStore extends Store {
  append(entry: AuditEntry): void {
    this
      .statement(
        // The chain is extended in the statement itself: the predecessor is read under the write lock.
        `INSERT INTO audit_log (at, actor, action, tenant, key_name, key_id, fingerprint, detail, prev_hash, hash)
         SELECT @at, @actor, @action, @tenant, @keyName, @keyId, @fingerprint, @detail, prev.hash,
                tkv_audit_hash(prev.hash, @at, @actor, @action, @tenant, @keyName, @keyId, @fingerprint, @detail)
         FROM (SELECT (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS hash) AS prev`,
      )
      .run({ ...entry, detail: entry.detail ? JSON.stringify(entry.detail) : null });
  }

  /** A key's latest entries, newest first. */
  latest(keyId: string, limit: number): AuditEntry[] {
    return (this.statement(`SELECT * FROM audit_log WHERE key_id = ? ORDER BY id DESC LIMIT ?`).all(keyId, limit) as AuditRow[]).map(toAuditEntry);
  }

  /** A page of the log, newest first, filtered; and how many entries the filter keeps. */
  page(filter: AuditFilter, offset: number, limit: number): { rows: (AuditEntry & { id: number })[]; total: number } {
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    for (const [field, column] of [['keyId', 'key_id'], ['tenant', 'tenant'], ['keyName', 'key_name'], ['action', 'action']] as const) {
      if (filter[field] === undefined) continue;
      clauses.push(`${column} = @${field}`);
      params[field] = filter[field];
    }
    if (filter.since !== undefined) {
      clauses.push('at >= @since');
      params.since = filter.since;
    }
    if (filter.search) {
      clauses.push(`(coalesce(tenant, '') || ' ' || coalesce(key_name, '') || ' ' || action || ' ' || coalesce(fingerprint, '') || ' ' || coalesce(detail, '')) LIKE @search ESCAPE '\\'`);
      params.search = `%${filter.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const total = (this.statement(`SELECT count(*) AS n FROM audit_log ${where}`).get(params) as { n: number }).n;
    const rows = this.statement(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as (AuditRow & { id: number })[];
    return { rows: rows.map((row) => ({ ...toAuditEntry(row), id: row.id })), total };
  }

  /** Every entry (of a key), oldest first. */
  entries(keyId?: string): AuditEntry[] {
    return (this.statement(`SELECT * FROM audit_log ${keyId ? 'WHERE key_id = ?' : ''} ORDER BY id`).all(...(keyId ? [keyId] : [])) as AuditRow[]).map(toAuditEntry);
  }
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    at: row.at,
    actor: row.actor,
    action: row.action,
    tenant: row.tenant,
    keyName: row.key_name,
    keyId: row.key_id,
    fingerprint: row.fingerprint,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  };
}
