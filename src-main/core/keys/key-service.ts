/**
 * Keys: secrets go to the SecretStore (the OS keychain), metadata to the inventory; this service
 * keeps the two in step, so a key is never half-written. It never returns a secret except from
 * `reveal`, `secretForCopy`, `forInjection` and to the other services that send one in a header
 * (`forCheck`, `secretOf`); each of the first three is audited.
 */
import { randomUUID } from 'node:crypto';
import type { KeyDetail, KeyEdit, KeyPage, KeyQuery, KeyRef, KeySort, KeySummary, NewKeyInput, ReconcileReport, Tenant } from '../../shared/contract.ts';
import { checkKeyField, KEY_FIELD_NAMES, KEY_FIELDS, normalizeKeyField, type KeyField } from '../../shared/key-fields.ts';
import { checkName, checkSecret, looksLikeSecret, shownName, shownRef } from '../../shared/rules.ts';
import type { AuditAction, AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantKeys, TenantRecord, TenantService } from '../tenants/tenant-service.ts';
import { adminScopeWarning, unknownScopeWarnings } from '../vendors/wallet-crew/scopes.ts';
import { fingerprint } from './fingerprint.ts';
import { formatKeyRef } from './key-ref.ts';
import { keyFilterSql, keySortSql } from './key-query.ts';
import { keysForInjection } from './injection.ts';
import { knownAccounts, reconcileKeychain, removeOrphanSecrets, type Reconciling } from './reconcile.ts';
import { KeyStore, toKeySummary, type CredentialRow, type CredentialState, type KeyChanges, type KeyRow, type KeyToCheckRow } from './key-store.ts';

export type { CredentialRow, CredentialState };

/** Where the facts about a key come from when the server created it (admin API). */
export interface ServerKeyFacts {
  remoteName?: string;
  enabled?: boolean;
  /** The server showed the token once: on a failure after the keychain write, keep it there. */
  createdByServer?: boolean;
}

/** A key as a bulk check reads it: scopes parsed, nothing else derived. */
export type KeyToCheck = Omit<KeyToCheckRow, 'scopes' | 'remoteNameKnown' | 'admin'> & { scopes: string[]; remoteNameKnown: boolean; admin: boolean };

/** Another entry holding the very same token, or an entry whose earlier key it is. */
export interface TokenHolders {
  elsewhere: { holder: KeyRef; tenantId: string; environment: string }[];
  previous: { holder: KeyRef; remoteName: string; state: CredentialState; replacedAt: string; retiredAt: string | null }[];
}

export class KeyService implements TenantKeys {
  private readonly db: Connection;
  private readonly store: KeyStore;
  private readonly secrets: SecretStore;
  private readonly stamps: Stamps;
  private readonly audit: AuditService;
  private readonly tenants: TenantService;
  private readonly events: VaultEvents;

  constructor(options: { db: Connection; secrets: SecretStore; stamps: Stamps; audit: AuditService; tenants: TenantService; events: VaultEvents }) {
    this.db = options.db;
    this.store = new KeyStore(options.db);
    this.secrets = options.secrets;
    this.stamps = options.stamps;
    this.audit = options.audit;
    this.tenants = options.tenants;
    this.events = options.events;
  }

  /** Every key (of one tenant), by tenant then name; `nocase` sorts names without regard to case. */
  list(filter: { tenant?: string; nocase?: boolean } = {}): KeySummary[] {
    const tenant = filter.tenant === undefined ? undefined : this.tenants.require(filter.tenant);
    const today = this.stamps.today();
    return this.store.list(tenant?.ref, { nocase: filter.nocase === true }).map((row) => toKeySummary(row, today));
  }

  /** The keys of a tenant marked as its admin credential, by name. */
  admins(tenant: string): KeySummary[] {
    const today = this.stamps.today();
    return this.store.admins(this.tenants.require(tenant).ref).map((row) => toKeySummary(row, today));
  }

  /** Every key (of one tenant) as a bulk check needs it: scopes parsed, nothing else derived. */
  toCheck(filter: { tenant?: string; judgedBefore?: string } = {}): KeyToCheck[] {
    const tenant = filter.tenant === undefined ? undefined : this.tenants.require(filter.tenant);
    // Keys share a few scope lists; each is parsed once.
    const parsed = new Map<string, string[]>();
    return this.store.toCheck(tenant?.ref, filter.judgedBefore).map((row) => {
      let scopes = parsed.get(row.scopes);
      if (!scopes) parsed.set(row.scopes, (scopes = JSON.parse(row.scopes) as string[]));
      return { ...row, scopes, remoteNameKnown: row.remoteNameKnown === 1, admin: row.admin === 1 };
    });
  }

  /** The entry, or a NOT_FOUND error that says how to list the tenant's keys. */
  show(ref: KeyRef): KeySummary {
    return toKeySummary(this.requireRow(ref), this.stamps.today());
  }

  /** The entry, or null when the tenant holds no key of that name. */
  find(ref: KeyRef): KeySummary | null {
    const row = this.store.find(this.tenants.require(ref.tenant).ref, ref.name);
    return row ? toKeySummary(row, this.stamps.today()) : null;
  }

  /** The entry by its id (another table's reference), if it is still there. */
  byId(id: string): KeySummary | undefined {
    const row = this.store.findById(id);
    return row ? toKeySummary(row, this.stamps.today()) : undefined;
  }

  /** The entries holding a token of this fingerprint. */
  byFingerprint(print: string): KeySummary[] {
    const today = this.stamps.today();
    return this.store.findByFingerprint(print).map((row) => toKeySummary(row, today));
  }

  /**
   * Why `add` would refuse `input`, or null: every rule it applies before writing anything, so that
   * a dry run (an import's) says what the real run will do.
   */
  newKeyProblem(input: NewKeyInput): VaultError | null {
    const rule = (problem: string | null) => (problem === null ? null : new VaultError('INVALID_INPUT', problem));
    const tenant = this.tenants.require(input.tenant);
    const broken =
      rule(checkName(input.name, 'Key name')) ??
      rule(checkSecret(input.secret)) ??
      KEY_FIELD_NAMES.reduce<VaultError | null>((found, field) => found ?? (input[field] === undefined ? null : rule(checkKeyField(field, normalizeKeyField(field, input[field]) ?? ''))), null) ??
      (input.remoteName === undefined ? null : rule(checkName(input.remoteName, 'Server name')));
    if (broken) return broken;
    if (this.store.find(tenant.ref, input.name)) return new VaultError('ALREADY_EXISTS', `Key ${formatKeyRef(input)} already exists; choose another name or remove it first.`);
    const print = fingerprint(input.secret);
    const twin = this.store.findByFingerprint(print)[0];
    // Added as the tenant's admin credential while the tenant already holds it: marking that entry is what was meant.
    if (twin) return new VaultError('ALREADY_EXISTS', `This token is already stored as ${twin.tenant_alias}/${twin.name} (fingerprint ${print}); a key belongs to one tenant and environment, so it is kept once.`, { remedies: input.admin && !twin.is_admin && twin.tenant_alias === input.tenant ? [{ code: 'mark-admin', key: { tenant: twin.tenant_alias, name: twin.name }, scopes: [] }] : [] });
    return null;
  }

  /**
   * Adds a key: the secret goes to the keychain first, then the metadata row. If the row cannot be
   * written, the keychain entry is removed again, so a key is never half-written.
   */
  async add(input: NewKeyInput, action: Extract<AuditAction, 'added' | 'created' | 'imported' | 'received'> = 'added', server: ServerKeyFacts = {}): Promise<KeySummary> {
    const problem = this.newKeyProblem(input);
    if (problem) throw problem;
    const tenant = this.tenants.require(input.tenant);
    const fields = Object.fromEntries(KEY_FIELD_NAMES.filter((field) => input[field] !== undefined).map((field) => [field, normalizeKeyField(field, input[field]!)])) as Partial<Record<KeyField, string | string[] | null>>;
    const scopes = (fields.scopes as string[] | undefined) ?? [];
    const print = fingerprint(input.secret);

    const id = randomUUID();
    await this.secrets.set(id, input.secret);
    try {
      this.db.transaction(() => {
        this.store.insert({
          id,
          tenantRef: tenant.ref,
          name: input.name,
          fields,
          isAdmin: input.admin === true,
          fingerprint: print,
          createdAt: this.stamps.now(),
          // The server's name, when known (given, or the server's own answer); null when it is not.
          remoteName: server.remoteName ?? input.remoteName ?? null,
          enabled: server.enabled ?? true,
        });
        if (input.admin) this.store.clearAdminMark(tenant.ref, id);
        this.audit.record(action, { tenant: tenant.alias, keyName: input.name, keyId: id, fingerprint: print, detail: { scopes, admin: input.admin === true } });
      });
    } catch (error) {
      if (server.createdByServer) {
        // The server showed this token once: it stays in the keychain rather than being lost.
        throw new VaultError(
          'STORAGE_ERROR',
          `The new key was created on the server and its token is in the keychain (entry ${id}), but the inventory could not record it (${(error as Error).message}).`,
          { cause: error, remedies: [{ code: 'run-reconcile' }] },
        );
      }
      const cleaned = await this.secrets.delete(id).then(
        () => true,
        () => false,
      );
      throw new VaultError(
        'STORAGE_ERROR',
        `The key could not be recorded in the inventory (${(error as Error).message}); ` +
          (cleaned ? 'its secret was removed from the keychain again, so nothing was stored.' : `and its keychain entry ${id} could not be removed.`),
        { cause: error, ...(cleaned ? {} : { remedies: [{ code: 'run-reconcile' }] }) },
      );
    }
    this.events.changed('key added');
    return this.show(input);
  }

  /** A page of the key table; `today` decides what counts as expired. */
  page(query: KeyQuery, sort: KeySort, offset: number, limit: number): KeyPage {
    const today = this.stamps.today();
    const rows = this.store.page(keyFilterSql(query, today, this.store.commonTerms(query)), keySortSql(sort), offset, limit + 1);
    return { offset, rows: rows.slice(0, limit).map((row) => toKeySummary(row, today)), hasMore: rows.length > limit };
  }

  count(query: KeyQuery): number {
    return this.store.count(keyFilterSql(query, this.stamps.today(), this.store.commonTerms(query)));
  }

  /** Where a key stands in the table a query and sort show (0 first), or null when the query leaves it out. */
  position(ref: KeyRef, query: KeyQuery, sort: KeySort): number | null {
    return this.store.position(keyFilterSql(query, this.stamps.today(), this.store.commonTerms(query)), keySortSql(sort), this.requireRow(ref).id);
  }

  /** Everything about a key but its secret: where it is kept, earlier keys, latest checks, audit trail. */
  detail(ref: KeyRef): KeyDetail {
    const row = this.requireRow(ref);
    return {
      key: toKeySummary(row, this.stamps.today()),
      storage: { backend: this.secrets.backend, service: this.secrets.service, account: row.secret_account },
      credentials: this.store
        .credentials(row.id)
        .reverse()
        .map((credential) => ({ remoteName: credential.remote_name, fingerprint: credential.fingerprint, state: credential.state, replacedAt: credential.replaced_at, retiredAt: credential.retired_at })),
      history: this.store.latestChecks(row.id, 50),
      audit: this.audit.latest(row.id, 50).map(({ at, actor, action, detail }) => ({ at, actor, action, detail })),
    };
  }

  /**
   * Changes an entry's metadata. Rules as for a new key; warnings (not errors) for what deserves a
   * second look: a scope the catalogue does not know (with the closest one), an expiry in the past.
   */
  edit(ref: KeyRef, edit: KeyEdit): { key: KeySummary; warnings: string[] } {
    const row = this.requireRow(ref);
    const changes: KeyChanges = {};
    const warnings: string[] = [];
    for (const field of KEY_FIELD_NAMES) {
      const value = edit[field];
      if (value === undefined) continue;
      if (value !== null) assertRule(checkKeyField(field, normalizeKeyField(field, value) ?? (value as string)));
      changes[field] = normalizeKeyField(field, value);
      // What deserves a second look, field by field in their declared order.
      if (field === 'expiresOn' && typeof value === 'string') warnings.push(...this.inputWarnings({ expiresOn: value }));
      if (field === 'scopes') warnings.push(...this.inputWarnings({ scopes: changes.scopes as string[] }));
    }
    if (edit.remoteName !== undefined) {
      assertRule(checkName(edit.remoteName, "The server's name of the key"));
      changes.remoteName = edit.remoteName;
    }
    if (edit.admin !== undefined) changes.admin = edit.admin;
    if (edit.admin) warnings.push(...[adminScopeWarning((changes.scopes as string[] | undefined) ?? toKeySummary(row, this.stamps.today()).scopes)].filter((warning) => warning !== null));
    const changed = Object.keys(changes).map((field) => ({ remoteName: 'remote_name', admin: 'is_admin' })[field] ?? KEY_FIELDS[field as KeyField].column);
    if (changed.length === 0) throw new VaultError('INVALID_INPUT', 'Nothing to change: give at least one field.');
    this.db.transaction(() => {
      this.store.update(row.id, changes);
      if (edit.admin) this.store.clearAdminMark(row.tenant_ref, row.id);
      // The fields changed, never their values: notes and owners are nobody's business in a log.
      this.audit.record('edited', { tenant: ref.tenant, keyName: ref.name, keyId: row.id, fingerprint: row.fingerprint, detail: { fields: changed } });
    });
    this.events.changed('key edited');
    return { key: this.show(ref), warnings };
  }

  /** What deserves a second look in a key's metadata (not errors): unknown scopes with the closest known one, a past expiry. */
  inputWarnings(input: { scopes?: string[]; expiresOn?: string | null; admin?: boolean }): string[] {
    const warnings = [...(input.scopes ? unknownScopeWarnings(input.scopes) : []), ...(input.admin ? [adminScopeWarning(input.scopes ?? [])].filter((warning) => warning !== null) : [])];
    if (input.expiresOn && input.expiresOn < this.stamps.today()) warnings.push(`The expiry date ${input.expiresOn} has passed: the key shows as expired.`);
    return warnings;
  }

  /** The secret of a key to be copied (by the caller, to a clipboard); every call is audited. */
  async secretForCopy(ref: KeyRef): Promise<string> {
    const key = this.show(ref);
    const secret = await this.secretOf(key);
    this.audit.record('copied', { tenant: ref.tenant, keyName: ref.name, keyId: key.id, fingerprint: key.fingerprint });
    return secret;
  }

  /**
   * Keys and their secrets for a program's environment (the command line's `exec`): a key the vault knows not to
   * work is refused unless forced; each one handed out is audited (see injection.ts).
   */
  forInjection(refs: KeyRef[], options: { force: boolean; program: string }): Promise<{ key: KeySummary; tenant: Tenant; secret: string }[]> {
    return keysForInjection(this, { db: this.db, tenants: this.tenants, audit: this.audit }, refs, options);
  }

  /** The one way to read a secret back; every call is audited. */
  async reveal(ref: KeyRef): Promise<string> {
    const key = this.show(ref);
    const secret = await this.secretOf(key);
    this.audit.record('revealed', { tenant: ref.tenant, keyName: ref.name, keyId: key.id, fingerprint: key.fingerprint });
    return secret;
  }

  /**
   * Removes a key's keychain entry and its row together. Says whether the keychain entry was there
   * to delete: a locked keychain is an error (nothing removed), never taken for an absent entry.
   */
  async remove(ref: KeyRef): Promise<{ keychainEntry: 'deleted' | 'already-gone' }> {
    const removed = await this.removeRow(this.requireRow(ref));
    this.events.changed('key removed');
    return removed;
  }

  /** Removes every key of a tenant (for the tenant's removal); returns how many. */
  async removeAllOf(alias: string): Promise<number> {
    const keys = this.store.list(this.tenants.require(alias).ref);
    for (const key of keys) await this.removeRow(key);
    return keys.length;
  }

  /**
   * Compares keychain entries with key rows and reports both kinds of stray; deletes nothing, since
   * either side may be the one a person still needs.
   */
  reconcile(): Promise<ReconcileReport> {
    return reconcileKeychain(this.reconciling());
  }

  /** The keychain accounts the vault refers to besides its entries' current secrets (see reconcile.ts). */
  knownAccounts(): string[] {
    return knownAccounts(this.reconciling());
  }

  /**
   * Deletes keychain entries of this vault's service that nothing in the inventory refers to (found
   * afresh); refused while the inventory has lost its past. Returns the accounts deleted.
   */
  removeOrphanSecrets(): Promise<{ removed: string[] }> {
    return removeOrphanSecrets(this.reconciling());
  }

  private reconciling(): Reconciling {
    return { db: this.db, store: this.store, secrets: this.secrets, tenants: this.tenants, audit: this.audit };
  }

  /**
   * A stored key's secret for a check, with what the check needs to know about it. Not a reveal: the
   * secret goes into a request header and nowhere else; the check itself is audited as `validated`.
   */
  async forCheck(ref: KeyRef): Promise<{ key: KeySummary; tenant: TenantRecord; secret: string }> {
    const key = this.show(ref);
    const secret = await this.secretOf(key);
    return { key, tenant: this.tenants.require(ref.tenant), secret };
  }

  /** The secret of a key already listed (bulk checks list once, then fetch secrets only). */
  async secretOf(key: Pick<KeySummary, 'secretAccount' | 'tenant' | 'name'>): Promise<string> {
    const secret = await this.secrets.get(key.secretAccount);
    if (secret === null) {
      throw new VaultError(
        'SECRET_MISSING',
        `The keychain is open but holds no secret for ${formatKeyRef(key)} (entry ${key.secretAccount}); it was deleted outside Tenant Key Vault. Remove the key and add it again.`,
      );
    }
    return secret;
  }

  /** Who else holds a token of this fingerprint: other entries, and entries whose earlier key it is. */
  holdersOf(print: string, exceptKeyId: string | null): TokenHolders {
    // Most tokens are held once: one look at the indexes says so, and the joins below are skipped.
    if (!this.store.fingerprintHeldElsewhere(print, exceptKeyId)) return { elsewhere: [], previous: [] };
    return {
      elsewhere: this.store
        .findByFingerprint(print)
        .filter((row) => row.id !== exceptKeyId)
        .map((row) => {
          const tenant = this.tenants.byRef(row.tenant_ref)!;
          return { holder: { tenant: row.tenant_alias, name: row.name }, tenantId: tenant.tenantId, environment: tenant.environment };
        }),
      previous: this.store.credentialsByFingerprint(print).map((row) => ({
        holder: { tenant: row.tenant_alias, name: row.key_name },
        remoteName: row.remote_name,
        state: row.state,
        replacedAt: row.replaced_at,
        retiredAt: row.retired_at,
      })),
    };
  }

  /** Sets the last verdicts of the keys whose checks were just written (see KeyStore.recordStatus); inside the caller's transaction. */
  recordStatus(first: number, rows: number, repeats: boolean): void {
    this.store.recordStatus(first, rows, repeats);
  }

  /** What the server says of a key: its permissions (the declared scopes) and whether it is enabled. */
  updateRemoteState(keyId: string, state: { scopes?: string[]; enabled?: boolean }): void {
    this.store.updateRemoteState(keyId, state);
  }

  /** An entry's earlier credentials (of every entry), oldest first. */
  credentials(keyId?: string): CredentialRow[] {
    return this.store.credentials(keyId);
  }

  /** The latest earlier credential of a tenant's entries that used the server key `remoteName`. */
  credentialByRemoteName(tenantRef: string, remoteName: string): CredentialRow | undefined {
    return this.store.credentialByRemoteName(tenantRef, remoteName);
  }

  /** Keeps an earlier credential of an entry (a rotation's old key); inside the caller's transaction. */
  keepCredential(row: CredentialRow): void {
    this.store.insertCredential(row);
  }

  /** An earlier credential disabled or deleted on the server; inside the caller's transaction. */
  retireCredential(account: string, state: CredentialState, retiredAt: string | null): void {
    this.store.setCredentialState(account, state, retiredAt);
  }

  /** Forgets an earlier credential (a rotation rolled back); inside the caller's transaction. */
  forgetCredential(account: string): void {
    this.store.deleteCredential(account);
  }

  /** Points an entry at another credential (a rotation's switch, or its rollback); inside the caller's transaction. */
  switchCredential(keyId: string, to: { account: string; remoteName: string; fingerprint: string; at: string | null }): void {
    this.store.switchCredential(keyId, to);
  }

  private async removeRow(key: KeyRow): Promise<{ keychainEntry: 'deleted' | 'already-gone' }> {
    const rotation = this.store.openRotationState(key.id);
    if (rotation) {
      const ref = { tenant: key.tenant_alias, name: key.name };
      throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is being rotated (${rotation}); finish or abort the rotation first.`, {
        remedies: [{ code: 'finish-rotation', key: ref }, { code: 'abort-rotation', key: ref }],
      });
    }
    // Earlier credentials' secrets go first; they are history, and nothing else refers to them.
    for (const credential of this.store.credentials(key.id)) {
      if (credential.state !== 'deleted') await this.secrets.delete(credential.account);
    }
    // Keychain first: if it is unavailable or locked nothing changes. The secret is held in memory
    // until the row is gone, so that a failing row delete can put it back.
    const secret = await this.secrets.get(key.secret_account);
    const deleted = await this.secrets.delete(key.secret_account);
    try {
      this.db.transaction(() => {
        this.store.delete(key.id);
        this.audit.record('deleted', { tenant: key.tenant_alias, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint });
      });
    } catch (error) {
      if (secret !== null) await this.secrets.set(key.secret_account, secret).catch(() => undefined);
      throw new VaultError('STORAGE_ERROR', `The key's row could not be removed (${(error as Error).message}); its secret was kept.`, {
        cause: error,
      });
    }
    return { keychainEntry: deleted ? 'deleted' : 'already-gone' };
  }

  private requireRow(ref: KeyRef): KeyRow {
    const tenant = this.tenants.require(ref.tenant);
    const key = this.store.find(tenant.ref, ref.name);
    if (!key) {
      const missing = looksLikeSecret(ref.name) ? `No key of ${shownName(ref.tenant)} has that name (not repeated here: it looks like a key itself, typed where its name goes).` : `No key ${shownRef(ref)} in the vault.`;
      throw new VaultError('NOT_FOUND', missing, { remedies: [{ code: 'list-keys', tenant: ref.tenant }] });
    }
    return key;
  }
}
