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
import type { KeyQuery, KeySummary, Provider, Tenant } from '../../shared/contract.ts';
import type { Environment } from '../../shared/rules.ts';
import type { Verdict } from '../../shared/verdicts.ts';
import type Database from 'better-sqlite3';
import { COMMON_AT, ftsMatch, searchTerms, type CommonTerms } from '../keys/key-query.ts';
import type { InventoryDatabase } from './database.ts';
import { NON_JUDGEMENT_LIST } from './migrations.ts';

/** What the audit log records. Never the secret itself. */
export type AuditAction =
  | 'tenant_added'
  | 'tenant_removed'
  /** A tenant's base URL changed (the app's sandbox moved to another port). */
  | 'tenant_updated'
  /** A key stored by hand (tkv key add, the app's Add key). */
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
  | 'token_discarded';

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
  /** 1 for the app's built-in sandbox tenant. */
  sandbox?: number;
  /** Airwallex: the client id sent with the key to the login endpoint, and the account to act as. */
  client_id?: string | null;
  login_as?: string | null;
  bearer_set_at?: string | null;
  bearer_expires_at?: string | null;
}

export interface KeyRow {
  id: string;
  tenant_ref: string;
  tenant_alias: string;
  tenant_environment: Environment;
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
  /** The last judgement of the key (outcomes that never blame it are only attempts). */
  last_verdict: Verdict | null;
  last_checked_at: string | null;
  last_attempt: Verdict | null;
  last_attempt_at: string | null;
  remote_name: string | null;
  /** The keychain account of the secret the entry uses now. */
  secret_account: string;
}

/** A key as a bulk check reads it; `scopes` is the JSON array text. */
export interface KeyToCheckRow {
  id: string;
  tenant: string;
  name: string;
  scopes: string;
  fingerprint: string;
  secretAccount: string;
  remoteName: string;
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
  /** Defaults to the key's id. */
  secretAccount?: string;
  remoteName?: string | null;
  enabled?: boolean;
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

/**
 * A key's history: for each run, one seek in the (run_id, key_id) index. CROSS JOIN fixes that join
 * order; left to itself the planner may scan all history for the key instead.
 */
export const HISTORY_SQL = `SELECT v.run_id AS runId, v.key_id AS keyId, v.at, v.probe, v.verdict, v.status, v.duration_ms AS durationMs, v.url
  FROM check_runs r CROSS JOIN validations v ON v.run_id = r.id AND v.key_id = ? ORDER BY v.id`;

/** The checks written from rowid `?` on, each with whether it judges the key. */
const WRITTEN_CHECKS = `SELECT id, key_id, verdict, at, verdict NOT IN (${NON_JUDGEMENT_LIST}) AS judged FROM validations WHERE id >= ?`;

/** Moves the times of the keys whose check gave the verdicts they have already. */
const CONFIRM_STATUS_SQL = `UPDATE key_status
  SET last_attempt_at = v.at, last_checked_at = CASE WHEN v.judged THEN v.at ELSE key_status.last_checked_at END
  FROM (${WRITTEN_CHECKS}) v
  WHERE key_status.key_id = v.key_id AND key_status.last_attempt = v.verdict AND (NOT v.judged OR key_status.last_verdict = v.verdict)`;

/**
 * Records the checks' outcomes in key_status, in rowid order so each key ends on its last check; a
 * check that never blames the key leaves the judgement it had. `%SKIP%` may leave out the checks
 * CONFIRM_STATUS_SQL has just brought up to date.
 */
const STATUS_UPSERT = `INSERT INTO key_status (key_id, last_verdict, last_checked_at, last_attempt, last_attempt_at)
  SELECT key_id, CASE WHEN judged THEN verdict END, CASE WHEN judged THEN at END, verdict, at
  FROM (${WRITTEN_CHECKS}) v
  WHERE %SKIP%
  ORDER BY id
  ON CONFLICT (key_id) DO UPDATE SET
    last_verdict = coalesce(excluded.last_verdict, last_verdict),
    last_checked_at = CASE WHEN excluded.last_verdict IS NULL THEN last_checked_at ELSE excluded.last_checked_at END,
    last_attempt = excluded.last_attempt,
    last_attempt_at = excluded.last_attempt_at`;

/** Every check, in order. */
const RECORD_STATUS_SQL = STATUS_UPSERT.replace('%SKIP%', 'true');

/**
 * The checks CONFIRM_STATUS_SQL left alone. Its SELECT reads key_status before the first row goes in
 * (SQLite copies it first, as it reads its own target), so this is right only when no key appears
 * twice: a key's later check could be skipped for matching the status its earlier one replaced.
 */
const RECORD_UNCONFIRMED_SQL = STATUS_UPSERT.replace(
  '%SKIP%',
  'NOT EXISTS (SELECT 1 FROM key_status s WHERE s.key_id = v.key_id AND s.last_attempt_at = v.at AND s.last_attempt = v.verdict AND (NOT v.judged OR (s.last_verdict = v.verdict AND s.last_checked_at = v.at)))',
);

/** Whether a list sorted by key holds a key twice. */
function hasRepeats(rows: readonly { keyId: string }[]): boolean {
  for (let index = 1; index < rows.length; index += 1) if (rows[index]!.keyId === rows[index - 1]!.keyId) return true;
  return false;
}

/** Rows per INSERT statement when recording checks (7 parameters a row, well under SQLite's limit). */
const RECORD_CHUNK = 250;

export type CheckRunKind = 'check' | 'matrix' | 'bulk';

/** A recorded check, as the history shows it. */
export type ValidationRecord = Omit<ValidationEntry, 'tenant' | 'keyName' | 'fingerprint'> & { runId: number };

export type CredentialState = 'overlap' | 'disabled' | 'deleted';

/** An earlier credential of an entry (the old key of a rotation). */
export interface CredentialRow {
  account: string;
  key_id: string;
  remote_name: string;
  fingerprint: string;
  state: CredentialState;
  replaced_at: string;
  retired_at: string | null;
}

export type RotationState = 'started' | 'overlap' | 'finished' | 'rolled_back';

/** A key creation sent to a server, kept until its answer is in (migration 10). */
export interface CreateIntentRow {
  id: string;
  tenant_ref: string;
  key_name: string;
  remote_name: string;
  permissions: string;
  started_at: string;
  /** `sent`: no answer yet; `orphaned`: the server made the key, and its token never came back. */
  state: 'sent' | 'orphaned';
}

export interface RotationRow {
  id: string;
  key_id: string;
  tenant: string;
  key_name: string;
  state: RotationState;
  step: string;
  old_remote_name: string;
  old_account: string;
  old_fingerprint: string;
  new_remote_name: string;
  new_account: string;
  new_fingerprint: string | null;
  permissions: string;
  retire: 'disable' | 'delete' | null;
  last_error: string | null;
  started_at: string;
  updated_at: string;
}

export interface JournalEntry {
  at: string;
  step: string;
  phase: 'before' | 'after' | 'failed';
  detail: Record<string, unknown> | null;
}

export interface RemoteKey {
  name: string;
  enabled: boolean;
  permissions: string[];
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

/**
 * tkv_contains_all(text, words): whether `text` holds every one of `words` (a JSON array), in any
 * case, as the trigram index matches them; the search of a word many keys hold, tested key by key.
 */
let parsedWords: { json: string; words: string[] } = { json: '[]', words: [] };
export function containsAll(text: unknown, json: unknown): number {
  if (typeof text !== 'string' || typeof json !== 'string') return 0;
  if (parsedWords.json !== json) parsedWords = { json, words: (JSON.parse(json) as string[]).map((word) => word.toLowerCase()) };
  const haystack = text.toLowerCase();
  return parsedWords.words.every((word) => haystack.includes(word)) ? 1 : 0;
}

export const KEY_COLUMNS = `k.*, t.alias AS tenant_alias, t.environment AS tenant_environment, s.last_verdict, s.last_checked_at, s.last_attempt, s.last_attempt_at`;
/** A key row with its tenant and its last verdict (kept apart, in key_status). */
export const KEY_FROM = `keys k JOIN tenants t ON t.id = k.tenant_ref LEFT JOIN key_status s ON s.key_id = k.id`;

/**
 * A batch: the write transaction a bulk run keeps open across awaits, so that its checks go in as
 * they finish rather than all at the end (see CheckRecorder). It belongs to the connection: any other
 * write on it commits the batch first, so no other write ever shares, or waits for, its commit.
 */
interface Batch {
  /** True while the batch's owner is writing into it. */
  writing: boolean;
  /** Told when the batch ends, committed or not. */
  ended: (committed: boolean) => void;
}

const batches = new WeakMap<InventoryDatabase, Batch>();

/** Typed access to the inventory tables; one instance per open database. */
export class Inventory {
  readonly db: InventoryDatabase;

  private readonly statements = new Map<string, Database.Statement>();

  /** commonTerms' answers, by query terms, with the inventory's version they hold for. */
  private readonly commonCache = new Map<string, { version: string; common: CommonTerms }>();

  constructor(db: InventoryDatabase) {
    this.db = db;
    db.function('tkv_contains_all', { deterministic: true }, containsAll);
  }

  /**
   * Which terms of a query match at least COMMON_AT keys, counted through their index no further
   * than that: those are read key by key in the table's order (see key-query.ts).
   */
  commonTerms(query: KeyQuery): CommonTerms {
    if (query.search === undefined && query.judgement === undefined && query.attempt === undefined) return {};
    // A page, the next one and the count ask alike: the answer holds until the inventory changes.
    const key = JSON.stringify([query.search ?? '', query.judgement ?? '', query.attempt ?? '']);
    const version = `${this.db.pragma('data_version', { simple: true }) as number}:${(this.statement('SELECT total_changes()').pluck().get() as number)}`;
    const cached = this.commonCache.get(key);
    if (cached?.version === version) return cached.common;
    const common = this.countCommonTerms(query);
    if (this.commonCache.size >= 32) this.commonCache.delete(this.commonCache.keys().next().value!);
    this.commonCache.set(key, { version, common });
    return common;
  }

  private countCommonTerms(query: KeyQuery): CommonTerms {
    const atLeast = (sql: string, value: string) => (this.statement(`SELECT count(*) FROM (${sql} LIMIT ${COMMON_AT})`).pluck().get(value) as number) >= COMMON_AT;
    const common: CommonTerms = {};
    const words = query.search ? searchTerms(query.search).indexed : [];
    if (words.length > 0) common.search = atLeast('SELECT 1 FROM keys_search WHERE keys_search MATCH ?', ftsMatch(words));
    if (query.judgement !== undefined && query.judgement !== 'never' && query.judgement !== 'not-judged') common.judgement = atLeast('SELECT 1 FROM key_status WHERE last_verdict = ?', query.judgement);
    if (query.attempt !== undefined) common.attempt = atLeast('SELECT 1 FROM key_status WHERE last_attempt = ?', query.attempt);
    return common;
  }

  /**
   * A prepared statement, compiled once per connection: preparing costs more than most queries. A
   * statement that writes commits an open batch first, unless the batch's owner is writing.
   */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    if (!statement.readonly) this.yieldBatch();
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
        `INSERT INTO tenants (id, alias, tenant_id, environment, base_url, provider, label, created_at, sandbox, client_id, login_as)
         VALUES (@id, @alias, @tenant_id, @environment, @base_url, @provider, @label, @created_at, @sandbox, @client_id, @login_as)`,
      )
      .run({ ...row, sandbox: row.sandbox ?? 0, client_id: row.client_id ?? null, login_as: row.login_as ?? null });
  }

  setTenantBaseUrl(id: string, baseUrl: string): void {
    this.statement(`UPDATE tenants SET base_url = ? WHERE id = ?`).run(baseUrl, id);
  }

  /** The app's sandbox tenant, if it has one. */
  sandboxTenant(): TenantRow | undefined {
    return this.statement(`SELECT * FROM tenants WHERE sandbox = 1 LIMIT 1`).get() as TenantRow | undefined;
  }

  deleteTenant(id: string): void {
    this.statement(`DELETE FROM tenants WHERE id = ?`).run(id);
  }

  listKeys(tenantRef?: string): KeyRow[] {
    const where = tenantRef ? `WHERE k.tenant_ref = ?` : '';
    return this
      .statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} ${where} ORDER BY t.alias, k.name`)
      .all(...(tenantRef ? [tenantRef] : [])) as KeyRow[];
  }

  /** What a bulk check needs of each key, and nothing more: it reads every key of the vault. */
  keysToCheck(tenantRef?: string): KeyToCheckRow[] {
    const where = tenantRef ? `WHERE k.tenant_ref = ?` : '';
    return this
      .statement(
        `SELECT k.id, t.alias AS tenant, k.name, k.scopes, k.fingerprint, k.secret_account AS secretAccount, coalesce(k.remote_name, k.name) AS remoteName
         FROM keys k JOIN tenants t ON t.id = k.tenant_ref ${where} ORDER BY t.alias, k.name`,
      )
      .all(...(tenantRef ? [tenantRef] : [])) as KeyToCheckRow[];
  }

  findKey(tenantRef: string, name: string): KeyRow | undefined {
    return this
      .statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.tenant_ref = ? AND k.name = ?`)
      .get(tenantRef, name) as KeyRow | undefined;
  }

  /** A page of keys: `where` and `orderBy` from core/keys/key-query.ts. One more row than asked says whether more follow. */
  pageKeys(filter: { where: string; params: Record<string, string | number> }, orderBy: string, offset: number, limit: number): KeyRow[] {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} ${filter.where} ${orderBy} LIMIT @limit OFFSET @offset`).all({ ...filter.params, limit, offset }) as KeyRow[];
  }

  /** How many keys a filter matches. */
  countKeys(filter: { where: string; params: Record<string, string | number> }): number {
    return this.statement(`SELECT count(*) FROM ${KEY_FROM} ${filter.where}`).pluck().get(filter.params) as number;
  }

  /** Where a key stands in a filtered, sorted table (0 first), or null when the filter leaves it out. */
  positionOfKey(filter: { where: string; params: Record<string, string | number> }, orderBy: string, keyId: string): number | null {
    const position = this.statement(`SELECT n FROM (SELECT k.id AS id, row_number() OVER (${orderBy}) - 1 AS n FROM ${KEY_FROM} ${filter.where}) WHERE id = @keyId`)
      .pluck()
      .get({ ...filter.params, keyId }) as number | undefined;
    return position ?? null;
  }

  /** Changes an entry's metadata (only the fields given). */
  updateKeyMetadata(id: string, fields: Partial<Record<'notes' | 'owner' | 'expires_on' | 'scopes' | 'remote_name', string | null> & { is_admin: 0 | 1 }>): void {
    const names = Object.keys(fields) as (keyof typeof fields)[];
    if (names.length === 0) return;
    this.statement(`UPDATE keys SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`).run({ ...fields, id });
  }

  /** A key's latest checks, newest first. */
  latestValidations(keyId: string, limit: number): ValidationRecord[] {
    return this.statement(`${HISTORY_SQL.replace('ORDER BY v.id', 'ORDER BY v.id DESC')} LIMIT ?`).all(keyId, limit) as ValidationRecord[];
  }

  /** A key's latest audit entries, newest first. */
  latestAudit(keyId: string, limit: number): AuditEntry[] {
    return (this.statement(`SELECT * FROM audit_log WHERE key_id = ? ORDER BY id DESC LIMIT ?`).all(keyId, limit) as AuditRow[]).map(toAuditEntry);
  }

  findKeyById(id: string): KeyRow | undefined {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.id = ?`).get(id) as KeyRow | undefined;
  }

  findKeysByFingerprint(fingerprint: string): KeyRow[] {
    return this
      .statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.fingerprint = ?`)
      .all(fingerprint) as KeyRow[];
  }

  insertKey(row: NewKeyRow): void {
    this
      .statement(
        `INSERT INTO keys (id, tenant_ref, name, scopes, is_admin, fingerprint, created_at, expires_on, notes, owner, secret_account, remote_name, enabled)
         VALUES (@id, @tenantRef, @name, @scopes, @isAdmin, @fingerprint, @createdAt, @expiresOn, @notes, @owner, @secretAccount, @remoteName, @enabled)`,
      )
      .run({
        ...row,
        scopes: JSON.stringify(row.scopes),
        isAdmin: row.isAdmin ? 1 : 0,
        secretAccount: row.secretAccount ?? row.id,
        remoteName: row.remoteName ?? null,
        enabled: row.enabled === false ? 0 : 1,
      });
  }

  /** What the server says of a key: its permissions (the declared scopes) and whether it is enabled. */
  updateKeyRemoteState(id: string, state: { scopes?: string[]; enabled?: boolean }): void {
    if (state.scopes) this.statement(`UPDATE keys SET scopes = ? WHERE id = ?`).run(JSON.stringify(state.scopes), id);
    if (state.enabled !== undefined) this.statement(`UPDATE keys SET enabled = ? WHERE id = ?`).run(state.enabled ? 1 : 0, id);
  }

  /** Points an entry at another credential (a rotation's switch, or its rollback). */
  switchKeyCredential(id: string, to: { account: string; remoteName: string; fingerprint: string; at: string | null }): void {
    this.statement(`UPDATE keys SET secret_account = ?, remote_name = ?, fingerprint = ?, rotated_at = ? WHERE id = ?`).run(to.account, to.remoteName, to.fingerprint, to.at, id);
    // The last verdict was the other credential's.
    this.statement(`DELETE FROM key_status WHERE key_id = ?`).run(id);
  }

  insertCredential(row: CredentialRow): void {
    this
      .statement(`INSERT INTO key_credentials (account, key_id, remote_name, fingerprint, state, replaced_at, retired_at) VALUES (@account, @key_id, @remote_name, @fingerprint, @state, @replaced_at, @retired_at)`)
      .run(row);
  }

  setCredentialState(account: string, state: CredentialState, retiredAt: string | null): void {
    this.statement(`UPDATE key_credentials SET state = ?, retired_at = ? WHERE account = ?`).run(state, retiredAt, account);
  }

  deleteCredential(account: string): void {
    this.statement(`DELETE FROM key_credentials WHERE account = ?`).run(account);
  }

  /** Earlier credentials with this fingerprint, with the alias and name of the entry they belonged to. */
  credentialsByFingerprint(fingerprint: string): (CredentialRow & { tenant_alias: string; key_name: string })[] {
    return this
      .statement(
        `SELECT c.*, t.alias AS tenant_alias, k.name AS key_name FROM key_credentials c JOIN keys k ON k.id = c.key_id JOIN tenants t ON t.id = k.tenant_ref
         WHERE c.fingerprint = ? ORDER BY c.replaced_at`,
      )
      .all(fingerprint) as (CredentialRow & { tenant_alias: string; key_name: string })[];
  }

  /** The latest earlier credential of a tenant's entries that used the server key `remoteName`. */
  credentialByRemoteName(tenantRef: string, remoteName: string): CredentialRow | undefined {
    return this
      .statement(
        `SELECT c.* FROM key_credentials c JOIN keys k ON k.id = c.key_id
         WHERE k.tenant_ref = ? AND c.remote_name = ? ORDER BY c.replaced_at DESC LIMIT 1`,
      )
      .get(tenantRef, remoteName) as CredentialRow | undefined;
  }

  credentials(keyId?: string): CredentialRow[] {
    return (keyId === undefined
      ? this.statement(`SELECT * FROM key_credentials ORDER BY replaced_at`).all()
      : this.statement(`SELECT * FROM key_credentials WHERE key_id = ? ORDER BY replaced_at`).all(keyId)) as CredentialRow[];
  }

  insertRotation(row: RotationRow): void {
    this
      .statement(
        `INSERT INTO rotations (id, key_id, tenant, key_name, state, step, old_remote_name, old_account, old_fingerprint, new_remote_name, new_account,
           new_fingerprint, permissions, retire, last_error, started_at, updated_at)
         VALUES (@id, @key_id, @tenant, @key_name, @state, @step, @old_remote_name, @old_account, @old_fingerprint, @new_remote_name, @new_account,
           @new_fingerprint, @permissions, @retire, @last_error, @started_at, @updated_at)`,
      )
      .run(row);
  }

  updateRotation(id: string, changes: Partial<Pick<RotationRow, 'state' | 'step' | 'new_fingerprint' | 'retire' | 'last_error' | 'updated_at'>>): void {
    const names = Object.keys(changes) as (keyof typeof changes)[];
    if (names.length === 0) return;
    this.statement(`UPDATE rotations SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`).run({ ...changes, id });
  }

  findRotation(id: string): RotationRow | undefined {
    return this.statement(`SELECT * FROM rotations WHERE id = ?`).get(id) as RotationRow | undefined;
  }

  /** Writes down a key creation before it is sent to the server. */
  recordCreateIntent(row: CreateIntentRow): void {
    this.statement(`INSERT INTO remote_create_intents (id, tenant_ref, key_name, remote_name, permissions, started_at, state) VALUES (@id, @tenant_ref, @key_name, @remote_name, @permissions, @started_at, @state)`).run(row);
  }

  /** Crosses a creation out (its answer is in, or its key is deleted), or marks its key orphaned. */
  settleCreateIntent(id: string, state: 'done' | 'orphaned'): void {
    if (state === 'done') this.statement(`DELETE FROM remote_create_intents WHERE id = ?`).run(id);
    else this.statement(`UPDATE remote_create_intents SET state = 'orphaned' WHERE id = ?`).run(id);
  }

  /** The creations of a tenant whose answer never came in, oldest first. */
  createIntents(tenantRef: string): CreateIntentRow[] {
    return this.statement(`SELECT * FROM remote_create_intents WHERE tenant_ref = ? ORDER BY started_at, id`).all(tenantRef) as CreateIntentRow[];
  }

  /** The rotation of a key that has not ended (at most one, by a unique index). */
  openRotation(keyId: string): RotationRow | undefined {
    return this.statement(`SELECT * FROM rotations WHERE key_id = ? AND state IN ('started', 'overlap')`).get(keyId) as RotationRow | undefined;
  }

  rotations(options: { openOnly?: boolean; keyId?: string } = {}): RotationRow[] {
    const where = [options.openOnly ? `state IN ('started', 'overlap')` : null, options.keyId ? `key_id = @keyId` : null].filter(Boolean);
    return this
      .statement(`SELECT * FROM rotations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, id`)
      .all(options.keyId ? { keyId: options.keyId } : {}) as RotationRow[];
  }

  journal(rotationId: string, entry: JournalEntry): void {
    this
      .statement(`INSERT INTO rotation_journal (rotation_id, at, step, phase, detail) VALUES (?, ?, ?, ?, ?)`)
      .run(rotationId, entry.at, entry.step, entry.phase, entry.detail ? JSON.stringify(entry.detail) : null);
  }

  journalEntries(rotationId: string): JournalEntry[] {
    return (this.statement(`SELECT at, step, phase, detail FROM rotation_journal WHERE rotation_id = ? ORDER BY id`).all(rotationId) as (Omit<JournalEntry, 'detail'> & { detail: string | null })[]).map(
      (row) => ({ ...row, detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null }),
    );
  }

  insertSnapshot(tenantRef: string, takenAt: string, keys: RemoteKey[]): number {
    return Number(this.statement(`INSERT INTO remote_snapshots (tenant_ref, taken_at, keys) VALUES (?, ?, ?)`).run(tenantRef, takenAt, JSON.stringify(keys)).lastInsertRowid);
  }

  latestSnapshot(tenantRef: string): { id: number; takenAt: string; keys: RemoteKey[] } | undefined {
    const row = this.statement(`SELECT id, taken_at, keys FROM remote_snapshots WHERE tenant_ref = ? ORDER BY taken_at DESC, id DESC LIMIT 1`).get(tenantRef) as
      | { id: number; taken_at: string; keys: string }
      | undefined;
    return row ? { id: row.id, takenAt: row.taken_at, keys: JSON.parse(row.keys) as RemoteKey[] } : undefined;
  }

  setBearer(tenantRef: string, setAt: string | null, expiresAt: string | null): void {
    this.statement(`UPDATE tenants SET bearer_set_at = ?, bearer_expires_at = ? WHERE id = ?`).run(setAt, expiresAt, tenantRef);
  }

  deleteKey(id: string): void {
    this.statement(`DELETE FROM keys WHERE id = ?`).run(id);
  }

  /** Clears the admin mark of every other key of the tenant: one admin credential per tenant. */
  clearAdminMark(tenantRef: string, exceptKeyId: string): void {
    this.statement(`UPDATE keys SET is_admin = 0 WHERE tenant_ref = ? AND id <> ?`).run(tenantRef, exceptKeyId);
  }

  /** Starts a check run (a single check, a scope matrix, a bulk run); its checks are recorded under it. */
  startCheckRun(kind: CheckRunKind, at: string): number {
    return Number(this.statement(`INSERT INTO check_runs (started_at, kind) VALUES (?, ?)`).run(at, kind).lastInsertRowid);
  }

  /**
   * Records checks of a run and, unless `keyStatus` is false (a scope matrix), sets each key's last
   * attempt and, when the outcome judges the key, its last judgement; inside the caller's
   * transaction. Rows go in 250 at a time; the key status is then set in one statement from the rows
   * just written, so no value crosses from JavaScript twice. A key removed while its check ran is
   * skipped, not an error that would lose the rest of the batch.
   */
  insertValidations(runId: number, entries: ValidationEntry[], actor: Actor, auditEach = true, keyStatus = true): void {
    if (entries.length === 0) return;
    // In key order, a run's index entries (run_id, key_id) go in one after another; the sort is
    // stable, so a key's own entries keep their order and its last one is its last verdict.
    const rows = entries.length > 1 ? entries.toSorted((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0)) : entries;
    const first = this.insertChunked(
      `INSERT INTO validations (run_id, key_id, at, probe, verdict, status, duration_ms, url)
       SELECT @runId, column1, column2, column3, column4, column5, column6, column7 FROM (VALUES %ROWS%)
       WHERE EXISTS (SELECT 1 FROM keys WHERE keys.id = column1)`,
      7,
      rows,
      (values, e) => values.push(e.keyId, e.at, e.probe, e.verdict, e.status, e.durationMs, e.url),
      { runId },
    );
    if (first !== null && keyStatus) {
      // Most checks confirm the status a key has: only its times move, and the indexes on its
      // verdicts are left alone (an UPDATE that sets an indexed column rewrites its index entry).
      // A key checked twice in one write goes through the general statement, in order.
      if (hasRepeats(rows)) this.statement(RECORD_STATUS_SQL).run(first);
      else if (this.statement(CONFIRM_STATUS_SQL).run(first).changes < rows.length) this.statement(RECORD_UNCONFIRMED_SQL).run(first);
    }
    if (auditEach) {
      for (const entry of entries) {
        this.audit({ at: entry.at, actor, action: 'validated', tenant: entry.tenant, keyName: entry.keyName, keyId: entry.keyId, fingerprint: entry.fingerprint, detail: { probe: entry.probe, verdict: entry.verdict, status: entry.status } });
      }
    }
  }

  /**
   * Runs `sql`, an INSERT whose `%ROWS%` stands for a VALUES list of `width` columns, over `items`,
   * RECORD_CHUNK rows to a statement; `named` binds the parameters every row shares. Returns the
   * rowid of the first row inserted, or null when none was: a statement's rows get consecutive
   * rowids, and nothing else writes inside the caller's transaction.
   */
  private insertChunked<T>(sql: string, width: number, items: T[], fill: (values: unknown[], item: T) => void, named: Record<string, unknown>): number | null {
    const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    let first: number | null = null;
    for (let start = 0; start < items.length; start += RECORD_CHUNK) {
      const count = Math.min(RECORD_CHUNK, items.length - start);
      const values: unknown[] = [];
      for (let index = start; index < start + count; index += 1) fill(values, items[index]!);
      const { changes, lastInsertRowid } = this.statement(sql.replace('%ROWS%', Array.from({ length: count }, () => row).join(', '))).run(values, named);
      if (first === null && changes > 0) first = Number(lastInsertRowid) - changes + 1;
    }
    return first;
  }

  /** A key's check history, oldest first: one index seek per run, never a scan of all history. */
  validations(keyId: string): ValidationRecord[] {
    return this.statement(HISTORY_SQL).all(keyId) as ValidationRecord[];
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
        // The chain is extended in the statement itself: the predecessor is read under the write lock.
        `INSERT INTO audit_log (at, actor, action, tenant, key_name, key_id, fingerprint, detail, prev_hash, hash)
         SELECT @at, @actor, @action, @tenant, @keyName, @keyId, @fingerprint, @detail, prev.hash,
                tkv_audit_hash(prev.hash, @at, @actor, @action, @tenant, @keyName, @keyId, @fingerprint, @detail)
         FROM (SELECT (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS hash) AS prev`,
      )
      .run({ ...entry, detail: entry.detail ? JSON.stringify(entry.detail) : null });
  }

  /** A setting's JSON value, or null. */
  setting(name: string): unknown {
    const row = this.statement(`SELECT value FROM settings WHERE name = ?`).get(name) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : null;
  }

  setSetting(name: string, value: unknown): void {
    this.statement(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`).run(name, JSON.stringify(value));
  }

  insertSignOff(row: { at: string; reviewer: string; note: string | null; digest: string; keys: number; flagged: number; state: string }): number {
    return Number(this.statement(`INSERT INTO review_signoffs (at, reviewer, note, digest, keys, flagged, state) VALUES (@at, @reviewer, @note, @digest, @keys, @flagged, @state)`).run(row).lastInsertRowid);
  }

  latestSignOff(): { id: number; at: string; reviewer: string; note: string | null; digest: string; keys: number; flagged: number } | undefined {
    return this.statement(`SELECT id, at, reviewer, note, digest, keys, flagged FROM review_signoffs ORDER BY id DESC LIMIT 1`).get() as
      | { id: number; at: string; reviewer: string; note: string | null; digest: string; keys: number; flagged: number }
      | undefined;
  }

  signOffState(id: number): string | null {
    return (this.statement(`SELECT state FROM review_signoffs WHERE id = ?`).get(id) as { state: string } | undefined)?.state ?? null;
  }

  /** A page of the audit log, newest first, filtered; and how many entries the filter keeps. */
  auditPage(filter: { keyId?: string; tenant?: string; keyName?: string; action?: string; since?: string; search?: string }, offset: number, limit: number): { rows: (AuditEntry & { id: number })[]; total: number } {
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.tenant !== undefined) {
      clauses.push('tenant = @tenant');
      params.tenant = filter.tenant;
    }
    if (filter.keyName !== undefined) {
      clauses.push('key_name = @keyName');
      params.keyName = filter.keyName;
    }
    if (filter.action !== undefined) {
      clauses.push('action = @action');
      params.action = filter.action;
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

  auditEntries(keyId?: string): AuditEntry[] {
    return (this.statement(`SELECT * FROM audit_log ${keyId ? 'WHERE key_id = ?' : ''} ORDER BY id`).all(...(keyId ? [keyId] : [])) as AuditRow[]).map(toAuditEntry);
  }

  /**
   * Runs `work` in one write transaction. An open batch commits first, unless its owner is the one
   * writing; then `work` nests in the batch (a savepoint).
   */
  transaction<T>(work: () => T): T {
    this.yieldBatch();
    return this.db.transaction(work).immediate();
  }

  /**
   * Writes `work` into the connection's open batch, beginning one if there is none; `ended` is told
   * when the batch ends. When `work` throws, the whole batch is rolled back (no savepoint per write:
   * a savepoint makes SQLite journal every page it touches, and failures are rare).
   */
  writeInBatch<T>(ended: (committed: boolean) => void, work: () => T): T {
    let batch = batches.get(this.db);
    if (batch && batch.ended !== ended) {
      this.commitBatch();
      batch = undefined;
    }
    if (!batch) {
      this.statement('BEGIN IMMEDIATE').run();
      batch = { writing: false, ended };
      batches.set(this.db, batch);
    }
    batch.writing = true;
    try {
      return work();
    } catch (error) {
      this.endBatch(false);
      throw error;
    } finally {
      batch.writing = false;
    }
  }

  /** Commits the open batch, if any; when the commit fails, the batch is rolled back and the error thrown. */
  commitBatch(): void {
    this.endBatch(true);
  }

  /** Commits an open batch, then closes the connection. */
  close(): void {
    try {
      this.commitBatch();
    } finally {
      this.db.close();
    }
  }

  /** Another write is coming: an open batch commits first, unless its owner is the one writing. */
  private yieldBatch(): void {
    const batch = batches.get(this.db);
    if (batch && !batch.writing) this.commitBatch();
  }

  private endBatch(commit: boolean): void {
    const batch = batches.get(this.db);
    if (!batch) return;
    batches.delete(this.db);
    let committed = false;
    try {
      if (commit && this.db.inTransaction) {
        this.statement('COMMIT').run();
        committed = true;
      }
    } finally {
      try {
        // SQLite may have rolled the batch back already (on some I/O errors it does).
        if (this.db.inTransaction) this.statement('ROLLBACK').run();
      } finally {
        batch.ended(committed);
      }
    }
  }
}

type AuditRow = Omit<AuditEntry, 'keyName' | 'keyId' | 'detail'> & { key_name: string | null; key_id: string | null; detail: string | null };

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
    sandbox: row.sandbox === 1,
    clientId: row.client_id ?? null,
    loginAs: row.login_as ?? null,
  };
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** Parsed scope lists, by their JSON: keys share a handful of lists, a page parses each once. */
const parsedScopes = new Map<string, readonly string[]>();
function scopesOf(json: string): string[] {
  let scopes = parsedScopes.get(json);
  if (!scopes) {
    if (parsedScopes.size > 1000) parsedScopes.clear();
    scopes = JSON.parse(json) as string[];
    parsedScopes.set(json, scopes);
  }
  return [...scopes];
}

/** A key row as the contract shows it; `today` is `YYYY-MM-DD` for the expiry flag. */
export function toKeySummary(row: KeyRow, today: string): KeySummary {
  return {
    id: row.id,
    tenant: row.tenant_alias,
    environment: row.tenant_environment,
    name: row.name,
    scopes: scopesOf(row.scopes),
    enabled: row.enabled === 1,
    admin: row.is_admin === 1,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    expiresOn: row.expires_on,
    expired: row.expires_on !== null && row.expires_on < today,
    expiresInDays: row.expires_on === null ? null : dayNumber(row.expires_on) - dayNumber(today),
    notes: row.notes,
    owner: row.owner,
    lastJudgement: row.last_verdict,
    lastJudgedAt: row.last_checked_at,
    lastAttempt: row.last_attempt,
    lastAttemptAt: row.last_attempt_at,
    remoteName: row.remote_name ?? row.name,
    remoteNameKnown: row.remote_name !== null,
    secretAccount: row.secret_account,
  };
}
