/**
 * The inventory's tables as typed calls. Metadata only: no column holds a secret.
 *
 * On disk (one row each):
 *   tenants   { id: "6f1c…", alias: "acme-prod", tenant_id: "acme", environment: "production",
 *               base_url: "https://app.neostore.cloud", provider: "wallet-crew", label: null,
 *               created_at: "2026-11-22T09:00:00.000Z" }
 *   keys      { id: "0b7e…" (keychain account), tenant_ref: "6f1c…", name: "crm-sync",
 *               scopes: '["Pass.Read"]', enabled: 1, is_admin: 0, fingerprint: "3fa9c1d20b6e",
 *               created_at: "…", expires_on: "2027-01-31", notes: null, owner: "crm team", … }
 *   audit_log { at: "…", actor: "cli", action: "created", tenant: "acme-prod", key_name: "crm-sync",
 *               key_id: "0b7e…", fingerprint: "3fa9c1d20b6e", detail: null }
 */
import type { KeySummary, Provider, Tenant } from '../../shared/contract.ts';
import type { Environment } from '../../shared/rules.ts';
import type { Verdict } from '../../shared/verdicts.ts';
import type Database from 'better-sqlite3';
import type { InventoryDatabase } from './database.ts';

/** What the audit log records. Never the secret itself. */
export type AuditAction =
  | 'tenant_added'
  | 'tenant_removed'
  | 'created'
  | 'imported'
  | 'revealed'
  | 'copied'
  | 'validated'
  | 'rotated'
  | 'retired'
  | 'deleted'
  | 'exported';

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

export interface TenantRow {
  id: string;
  alias: string;
  tenant_id: string;
  environment: Environment;
  base_url: string;
  provider: Provider;
  label: string | null;
  created_at: string;
}

export interface KeyRow {
  id: string;
  tenant_ref: string;
  tenant_alias: string;
  name: string;
  scopes: string;
  enabled: 0 | 1;
  is_admin: 0 | 1;
  fingerprint: string;
  created_at: string;
  rotated_at: string | null;
  expires_on: string | null;
  notes: string | null;
  owner: string | null;
  last_verdict: Verdict | null;
  last_checked_at: string | null;
  remote_name: string | null;
}

export interface NewKeyRow {
  id: string;
  tenantRef: string;
  name: string;
  scopes: string[];
  isAdmin: boolean;
  fingerprint: string;
  createdAt: string;
  expiresOn: string | null;
  notes: string | null;
  owner: string | null;
}

export interface ValidationEntry {
  keyId: string;
  tenant: string;
  keyName: string;
  fingerprint: string;
  at: string;
  probe: string;
  verdict: Verdict;
  status: number | null;
  durationMs: number;
  url: string;
}

export interface CustomProbeRow {
  id: string;
  vendor: string;
  method: 'GET' | 'HEAD';
  path: string;
  scope: string | null;
  risk: 'none' | 'low' | 'medium' | 'high';
  description: string;
}

const KEY_COLUMNS = `k.*, t.alias AS tenant_alias`;

/** Typed access to the inventory tables; one instance per open database. */
export class Inventory {
  readonly db: InventoryDatabase;

  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: InventoryDatabase) {
    this.db = db;
  }

  /** A prepared statement, compiled once per connection: preparing costs more than most queries. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  listTenants(): (TenantRow & { key_count: number })[] {
    return this
      .statement(
        `SELECT t.*, (SELECT COUNT(*) FROM keys k WHERE k.tenant_ref = t.id) AS key_count
         FROM tenants t ORDER BY t.alias`,
      )
      .all() as (TenantRow & { key_count: number })[];
  }

  findTenant(alias: string): TenantRow | undefined {
    return this.statement(`SELECT * FROM tenants WHERE alias = ?`).get(alias) as TenantRow | undefined;
  }

  insertTenant(row: TenantRow): void {
    this
      .statement(
        `INSERT INTO tenants (id, alias, tenant_id, environment, base_url, provider, label, created_at)
         VALUES (@id, @alias, @tenant_id, @environment, @base_url, @provider, @label, @created_at)`,
      )
      .run(row);
  }

  deleteTenant(id: string): void {
    this.statement(`DELETE FROM tenants WHERE id = ?`).run(id);
  }

  listKeys(tenantRef?: string): KeyRow[] {
    const where = tenantRef ? `WHERE k.tenant_ref = ?` : '';
    return this
      .statement(`SELECT ${KEY_COLUMNS} FROM keys k JOIN tenants t ON t.id = k.tenant_ref ${where} ORDER BY t.alias, k.name`)
      .all(...(tenantRef ? [tenantRef] : [])) as KeyRow[];
  }

  findKey(tenantRef: string, name: string): KeyRow | undefined {
    return this
      .statement(`SELECT ${KEY_COLUMNS} FROM keys k JOIN tenants t ON t.id = k.tenant_ref WHERE k.tenant_ref = ? AND k.name = ?`)
      .get(tenantRef, name) as KeyRow | undefined;
  }

  findKeysByFingerprint(fingerprint: string): KeyRow[] {
    return this
      .statement(`SELECT ${KEY_COLUMNS} FROM keys k JOIN tenants t ON t.id = k.tenant_ref WHERE k.fingerprint = ?`)
      .all(fingerprint) as KeyRow[];
  }

  insertKey(row: NewKeyRow): void {
    this
      .statement(
        `INSERT INTO keys (id, tenant_ref, name, scopes, is_admin, fingerprint, created_at, expires_on, notes, owner)
         VALUES (@id, @tenantRef, @name, @scopes, @isAdmin, @fingerprint, @createdAt, @expiresOn, @notes, @owner)`,
      )
      .run({ ...row, scopes: JSON.stringify(row.scopes), isAdmin: row.isAdmin ? 1 : 0 });
  }

  deleteKey(id: string): void {
    this.statement(`DELETE FROM keys WHERE id = ?`).run(id);
  }

  /** Clears the admin mark of every other key of the tenant: one admin credential per tenant. */
  clearAdminMark(tenantRef: string, exceptKeyId: string): void {
    this.statement(`UPDATE keys SET is_admin = 0 WHERE tenant_ref = ? AND id <> ?`).run(tenantRef, exceptKeyId);
  }

  /**
   * Records checks and sets each key's last verdict, in one transaction: rows go in 100 at a time
   * and last verdicts are set per verdict, so a bulk run of thousands costs a few dozen statements.
   */
  recordValidations(entries: ValidationEntry[], actor: Actor, auditEach = true): void {
    const CHUNK = 100;
    this.transaction(() => {
      for (let start = 0; start < entries.length; start += CHUNK) {
        const chunk = entries.slice(start, start + CHUNK);
        const insert = this.statement(`INSERT INTO validations (key_id, at, probe, verdict, status, duration_ms, url) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
        insert.run(chunk.flatMap((e) => [e.keyId, e.at, e.probe, e.verdict, e.status, e.durationMs, e.url]));
      }
      const byVerdictAndTime = new Map<string, string[]>();
      for (const entry of entries) {
        const group = `${entry.verdict}\u0000${entry.at}`;
        const ids = byVerdictAndTime.get(group) ?? [];
        ids.push(entry.keyId);
        byVerdictAndTime.set(group, ids);
      }
      const update = this.statement(`UPDATE keys SET last_verdict = ?, last_checked_at = ? WHERE id IN (SELECT value FROM json_each(?))`);
      for (const [group, ids] of byVerdictAndTime) {
        const [verdict, at] = group.split('\u0000') as [string, string];
        update.run(verdict, at, JSON.stringify(ids));
      }
      if (auditEach) {
        for (const entry of entries) {
          this.audit({ at: entry.at, actor, action: 'validated', tenant: entry.tenant, keyName: entry.keyName, keyId: entry.keyId, fingerprint: entry.fingerprint, detail: { probe: entry.probe, verdict: entry.verdict, status: entry.status } });
        }
      }
    });
  }

  validations(keyId: string): (Omit<ValidationEntry, 'tenant' | 'keyName' | 'fingerprint'>)[] {
    return this
      .statement(`SELECT key_id AS keyId, at, probe, verdict, status, duration_ms AS durationMs, url FROM validations WHERE key_id = ? ORDER BY id`)
      .all(keyId) as Omit<ValidationEntry, 'tenant' | 'keyName' | 'fingerprint'>[];
  }

  listCustomProbes(): CustomProbeRow[] {
    return this.statement(`SELECT * FROM custom_probes ORDER BY id`).all() as CustomProbeRow[];
  }

  insertCustomProbe(row: CustomProbeRow): void {
    this.statement(`INSERT INTO custom_probes (id, vendor, method, path, scope, risk, description) VALUES (@id, @vendor, @method, @path, @scope, @risk, @description)`).run(row);
  }

  deleteCustomProbe(id: string): boolean {
    return this.statement(`DELETE FROM custom_probes WHERE id = ?`).run(id).changes > 0;
  }

  audit(entry: AuditEntry): void {
    this
      .statement(
        `INSERT INTO audit_log (at, actor, action, tenant, key_name, key_id, fingerprint, detail)
         VALUES (@at, @actor, @action, @tenant, @keyName, @keyId, @fingerprint, @detail)`,
      )
      .run({ ...entry, detail: entry.detail ? JSON.stringify(entry.detail) : null });
  }

  auditEntries(keyId?: string): AuditEntry[] {
    const rows = this
      .statement(`SELECT * FROM audit_log ${keyId ? 'WHERE key_id = ?' : ''} ORDER BY id`)
      .all(...(keyId ? [keyId] : [])) as (Omit<AuditEntry, 'keyName' | 'keyId' | 'detail'> & {
      key_name: string | null;
      key_id: string | null;
      detail: string | null;
    })[];
    return rows.map((row) => ({
      at: row.at,
      actor: row.actor,
      action: row.action,
      tenant: row.tenant,
      keyName: row.key_name,
      keyId: row.key_id,
      fingerprint: row.fingerprint,
      detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    }));
  }

  /** Runs `work` in one write transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }
}

/** A tenant row as the contract shows it. */
export function toTenant(row: TenantRow, keyCount: number): Tenant {
  return {
    alias: row.alias,
    tenantId: row.tenant_id,
    environment: row.environment,
    baseUrl: row.base_url,
    provider: row.provider,
    label: row.label,
    createdAt: row.created_at,
    keyCount,
  };
}

/** A key row as the contract shows it; `today` is `YYYY-MM-DD` for the expiry flag. */
export function toKeySummary(row: KeyRow, today: string): KeySummary {
  return {
    id: row.id,
    tenant: row.tenant_alias,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    enabled: row.enabled === 1,
    admin: row.is_admin === 1,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    expiresOn: row.expires_on,
    expired: row.expires_on !== null && row.expires_on < today,
    notes: row.notes,
    owner: row.owner,
    lastVerdict: row.last_verdict,
    lastCheckedAt: row.last_checked_at,
    remoteName: row.remote_name,
  };
}
