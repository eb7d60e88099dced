/**
 * The keys table, each key's last verdicts, and the earlier credentials of each entry. Metadata only: no column holds a secret
 * (the secret is in the keychain, under the account the row names).
 *
 *   keys            { id: "0b7e…", tenant_ref: "6f1c…", name: "crm-sync", scopes: '["Pass.Read"]',
 *                     enabled: 1, is_admin: 0, fingerprint: "3fa9c1d20b6e", created_at: "…",
 *                     rotated_at: null, expires_on: "2027-01-31", notes: null, owner: "crm team",
 *                     remote_name: null, secret_account: "0b7e…" }
 *   key_credentials { account: "…", key_id: "0b7e…", remote_name: "crm-sync", fingerprint: "…",
 *                     state: "overlap", replaced_at: "…", retired_at: null }
 *
 *   key_status      { key_id: "0b7e…", last_verdict: "valid", last_checked_at: "…",
 *                     last_attempt: "timeout", last_attempt_at: "…" }
 *
 * key_status holds each key's last judgement and last attempt, set from the checks the checks
 * domain writes (recordStatus); search reads the trigram index that migration 6's triggers keep.
 */
import type { KeyQuery, KeySummary } from '../../shared/contract.ts';
import { KEY_FIELD_NAMES, KEY_FIELDS, type KeyField } from '../../shared/key-fields.ts';
import type { Environment } from '../../shared/rules.ts';
import { NON_JUDGEMENTS, type Verdict } from '../../shared/verdicts.ts';
import { Store, type Connection } from '../db/connection.ts';
import { COMMON_AT, ftsMatch, searchTerms, type CommonTerms, type KeyFilterSql } from './key-query.ts';

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
  /** 1 when the key's server name is known (given, or the server made it), 0 when it is only presumed. */
  remoteNameKnown: 0 | 1;
  /** 1 for the tenant's admin credential. */
  admin: 0 | 1;
  expiresOn: string | null;
}

export interface NewKeyRow {
  id: string;
  tenantRef: string;
  name: string;
  /** The metadata fields (key-fields.ts), normalized. */
  fields: Partial<Record<KeyField, string | string[] | null>>;
  isAdmin: boolean;
  fingerprint: string;
  createdAt: string;
  /** Defaults to the key's id. */
  secretAccount?: string;
  remoteName?: string | null;
  enabled?: boolean;
}

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

/** The verdicts that never blame the key, as an SQL list: `'throttled', 'server_error', …`. */
const NON_JUDGEMENT_LIST = NON_JUDGEMENTS.map((verdict) => `'${verdict}'`).join(', ');

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

/** What an edit changes: metadata fields, the server's name, the admin mark. */
export type KeyChanges = Partial<Record<KeyField, string | string[] | null>> & { remoteName?: string; admin?: boolean };

export const KEY_COLUMNS = `k.*, t.alias AS tenant_alias, t.environment AS tenant_environment, s.last_verdict, s.last_checked_at, s.last_attempt, s.last_attempt_at`;
/** A key row with its tenant and its last verdict (kept apart, in key_status). */
export const KEY_FROM = `keys k JOIN tenants t ON t.id = k.tenant_ref LEFT JOIN key_status s ON s.key_id = k.id`;

/** A field's value as its column stores it: scopes as a JSON array. */
function toColumn(field: KeyField, value: string | readonly string[] | null | undefined): string | null {
  if (value === undefined || value === null) return KEY_FIELDS[field].kind === 'scopes' ? '[]' : null;
  return KEY_FIELDS[field].kind === 'scopes' ? JSON.stringify(value) : (value as string);
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

export class KeyStore extends Store {
  /** commonTerms' answers, by query terms, with the inventory's version they hold for. */
  private readonly commonCache = new Map<string, { version: string; common: CommonTerms }>();

  constructor(db: Connection) {
    super(db);
    db.raw.function('tkv_contains_all', { deterministic: true }, containsAll);
  }

  /**
   * Which terms of a query match at least COMMON_AT keys, counted through their index no further
   * than that: those are read key by key in the table's order (see key-query.ts).
   */
  commonTerms(query: KeyQuery): CommonTerms {
    if (query.search === undefined && query.judgement === undefined && query.attempt === undefined) return {};
    // A page, the next one and the count ask alike: the answer holds until the inventory changes.
    const key = JSON.stringify([query.search ?? '', query.judgement ?? '', query.attempt ?? '']);
    const version = `${this.db.raw.pragma('data_version', { simple: true }) as number}:${this.statement('SELECT total_changes()').pluck().get() as number}`;
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

  /** Every key (of a tenant), by tenant alias then name; `nocase` sorts names without regard to case. */
  list(tenantRef?: string, options: { nocase?: boolean } = {}): KeyRow[] {
    const where = tenantRef ? `WHERE k.tenant_ref = ?` : '';
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} ${where} ORDER BY t.alias, k.name${options.nocase ? ' COLLATE NOCASE' : ''}`).all(...(tenantRef ? [tenantRef] : [])) as KeyRow[];
  }

  /** What a bulk check needs of each key, and nothing more: it reads every key of the vault. */
  /** Keys to check (of one tenant); with `judgedBefore`, only those never judged or last judged at or before it. */
  toCheck(tenantRef?: string, judgedBefore?: string): KeyToCheckRow[] {
    const conditions = [...(tenantRef ? ['k.tenant_ref = ?'] : []), ...(judgedBefore ? ['(s.last_checked_at IS NULL OR s.last_checked_at <= ?)'] : [])];
    return this
      .statement(
        `SELECT k.id, t.alias AS tenant, k.name, k.scopes, k.fingerprint, k.secret_account AS secretAccount, coalesce(k.remote_name, k.name) AS remoteName,
                k.remote_name IS NOT NULL AS remoteNameKnown, k.is_admin AS admin, k.expires_on AS expiresOn
         FROM keys k JOIN tenants t ON t.id = k.tenant_ref ${judgedBefore ? 'LEFT JOIN key_status s ON s.key_id = k.id' : ''}
         ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY t.alias, k.name`,
      )
      .all(...(tenantRef ? [tenantRef] : []), ...(judgedBefore ? [judgedBefore] : [])) as KeyToCheckRow[];
  }

  /**
   * The tenant's admin credentials, by name: their ids from the index of admin keys (migration 12),
   * then their rows. Written as one join, SQLite's plan took four times as long for the same row
   * (measured: 40 µs against 10), and a bulk run asks once per tenant whose keys the server refused.
   */
  admins(tenantRef: string): KeyRow[] {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.id IN (SELECT id FROM keys WHERE tenant_ref = ? AND is_admin = 1) ORDER BY k.name`).all(tenantRef) as KeyRow[];
  }

  find(tenantRef: string, name: string): KeyRow | undefined {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.tenant_ref = ? AND k.name = ?`).get(tenantRef, name) as KeyRow | undefined;
  }

  findById(id: string): KeyRow | undefined {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.id = ?`).get(id) as KeyRow | undefined;
  }

  /** Whether another entry or an earlier credential holds a token of this fingerprint: one cheap look before the joins. */
  fingerprintHeldElsewhere(fingerprint: string, exceptKeyId: string | null): boolean {
    return (
      this.statement(`SELECT EXISTS (SELECT 1 FROM keys WHERE fingerprint = ? AND id IS NOT ?) OR EXISTS (SELECT 1 FROM key_credentials WHERE fingerprint = ?)`)
        .pluck()
        .get(fingerprint, exceptKeyId, fingerprint) === 1
    );
  }

  findByFingerprint(fingerprint: string): KeyRow[] {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.fingerprint = ?`).all(fingerprint) as KeyRow[];
  }

  /** A page of keys: `where` and `orderBy` from key-query.ts. One more row than asked says whether more follow. */
  page(filter: KeyFilterSql, orderBy: string, offset: number, limit: number): KeyRow[] {
    return this.statement(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} ${filter.where} ${orderBy} LIMIT @limit OFFSET @offset`).all({ ...filter.params, limit, offset }) as KeyRow[];
  }

  /** How many keys a filter matches. */
  count(filter: KeyFilterSql): number {
    return this.statement(`SELECT count(*) FROM ${KEY_FROM} ${filter.where}`).pluck().get(filter.params) as number;
  }

  /** Where a key stands in a filtered, sorted table (0 first), or null when the filter leaves it out. */
  position(filter: KeyFilterSql, orderBy: string, keyId: string): number | null {
    const position = this.statement(`SELECT n FROM (SELECT k.id AS id, row_number() OVER (${orderBy}) - 1 AS n FROM ${KEY_FROM} ${filter.where}) WHERE id = @keyId`)
      .pluck()
      .get({ ...filter.params, keyId }) as number | undefined;
    return position ?? null;
  }

  /** A key's latest checks, newest first (for its detail; the checks keep the whole history). */
  latestChecks(keyId: string, limit: number): { at: string; probe: string; verdict: Verdict; status: number | null; durationMs: number }[] {
    return this.statement(
      `SELECT v.at, v.probe, v.verdict, v.status, v.duration_ms AS durationMs FROM check_runs r CROSS JOIN validations v ON v.run_id = r.id AND v.key_id = ? ORDER BY v.id DESC LIMIT ?`,
    ).all(keyId, limit) as { at: string; probe: string; verdict: Verdict; status: number | null; durationMs: number }[];
  }

  insert(row: NewKeyRow): void {
    const fields = KEY_FIELD_NAMES.map((field) => KEY_FIELDS[field].column);
    this
      .statement(
        `INSERT INTO keys (id, tenant_ref, name, is_admin, fingerprint, created_at, secret_account, remote_name, enabled, ${fields.join(', ')})
         VALUES (@id, @tenantRef, @name, @isAdmin, @fingerprint, @createdAt, @secretAccount, @remoteName, @enabled, ${fields.map((column) => `@${column}`).join(', ')})`,
      )
      .run({
        id: row.id,
        tenantRef: row.tenantRef,
        name: row.name,
        isAdmin: row.isAdmin ? 1 : 0,
        fingerprint: row.fingerprint,
        createdAt: row.createdAt,
        secretAccount: row.secretAccount ?? row.id,
        remoteName: row.remoteName ?? null,
        enabled: row.enabled === false ? 0 : 1,
        ...Object.fromEntries(KEY_FIELD_NAMES.map((field) => [KEY_FIELDS[field].column, toColumn(field, row.fields[field])])),
      });
  }

  /** Changes an entry's metadata (only the fields given). */
  update(id: string, changes: KeyChanges): void {
    const values: Record<string, unknown> = {};
    for (const field of KEY_FIELD_NAMES) if (field in changes) values[KEY_FIELDS[field].column] = toColumn(field, changes[field]);
    if (changes.remoteName !== undefined) values.remote_name = changes.remoteName;
    if (changes.admin !== undefined) values.is_admin = changes.admin ? 1 : 0;
    const columns = Object.keys(values);
    if (columns.length === 0) return;
    this.statement(`UPDATE keys SET ${columns.map((column) => `${column} = @${column}`).join(', ')} WHERE id = @id`).run({ ...values, id });
  }

  /** What the server says of a key: its permissions (the declared scopes) and whether it is enabled. */
  updateRemoteState(id: string, state: { scopes?: string[]; enabled?: boolean }): void {
    if (state.scopes) this.statement(`UPDATE keys SET scopes = ? WHERE id = ?`).run(JSON.stringify(state.scopes), id);
    if (state.enabled !== undefined) this.statement(`UPDATE keys SET enabled = ? WHERE id = ?`).run(state.enabled ? 1 : 0, id);
  }

  /** Points an entry at another credential (a rotation's switch, or its rollback). */
  switchCredential(id: string, to: { account: string; remoteName: string; fingerprint: string; at: string | null }): void {
    this.statement(`UPDATE keys SET secret_account = ?, remote_name = ?, fingerprint = ?, rotated_at = ? WHERE id = ?`).run(to.account, to.remoteName, to.fingerprint, to.at, id);
    // The last verdict was the other credential's.
    this.statement(`DELETE FROM key_status WHERE key_id = ?`).run(id);
  }

  /**
   * Sets each key's last attempt and, when the outcome judges the key, its last judgement, from the
   * `rows` checks written from validation `first` on (one statement: no value crosses from
   * JavaScript twice). `repeats`: some key was checked twice in that write.
   */
  recordStatus(first: number, rows: number, repeats: boolean): void {
    // Most checks confirm the status a key has: only its times move, and the indexes on its
    // verdicts are left alone (an UPDATE that sets an indexed column rewrites its index entry).
    // A key checked twice in one write goes through the general statement, in order.
    if (repeats) this.statement(RECORD_STATUS_SQL).run(first);
    else if (this.statement(CONFIRM_STATUS_SQL).run(first).changes < rows) this.statement(RECORD_UNCONFIRMED_SQL).run(first);
  }

  /** Clears the admin mark of every other key of the tenant: one admin credential per tenant. */
  clearAdminMark(tenantRef: string, exceptKeyId: string): void {
    this.statement(`UPDATE keys SET is_admin = 0 WHERE tenant_ref = ? AND id <> ?`).run(tenantRef, exceptKeyId);
  }

  delete(id: string): void {
    this.statement(`DELETE FROM keys WHERE id = ?`).run(id);
  }

  /** The state of the key's rotation that has not ended ('started' or 'overlap'), or null: such a key is not removed. */
  openRotationState(keyId: string): string | null {
    return (this.statement(`SELECT state FROM rotations WHERE key_id = ? AND state IN ('started', 'overlap')`).pluck().get(keyId) as string | undefined) ?? null;
  }

  /** The keychain accounts of the new tokens of rotations that have not ended (known, not strays). */
  rotatingAccounts(): string[] {
    return this.statement(`SELECT new_account FROM rotations WHERE state IN ('started', 'overlap')`).pluck().all() as string[];
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

/** A field's value as a key shows it, from its column. */
function fromColumn(field: KeyField, value: unknown): string | string[] | null {
  if (KEY_FIELDS[field].kind === 'scopes') return scopesOf(value as string);
  return (value as string | null) ?? null;
}

/** Each declared field with its column, worked out once: a page maps every row through them. */
const FIELD_COLUMNS = KEY_FIELD_NAMES.map((field) => [field, KEY_FIELDS[field].column] as const);

/** A key row as the contract shows it; `today` is `YYYY-MM-DD` for the expiry flag. */
export function toKeySummary(row: KeyRow, today: string): KeySummary {
  const fields: Record<string, string | string[] | null> = {};
  for (const [field, column] of FIELD_COLUMNS) fields[field] = fromColumn(field, (row as unknown as Record<string, unknown>)[column]);
  return {
    id: row.id,
    tenant: row.tenant_alias,
    environment: row.tenant_environment,
    name: row.name,
    ...(fields as Pick<KeySummary, KeyField>),
    enabled: row.enabled === 1,
    admin: row.is_admin === 1,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    expired: row.expires_on !== null && row.expires_on < today,
    expiresInDays: row.expires_on === null ? null : dayNumber(row.expires_on) - dayNumber(today),
    lastJudgement: row.last_verdict,
    lastJudgedAt: row.last_checked_at,
    lastAttempt: row.last_attempt,
    lastAttemptAt: row.last_attempt_at,
    remoteName: row.remote_name ?? row.name,
    remoteNameKnown: row.remote_name !== null,
    secretAccount: row.secret_account,
  };
}
