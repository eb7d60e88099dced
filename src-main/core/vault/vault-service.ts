/**
 * The vault: tenants and their keys. Secrets go to the SecretStore (the OS keychain), metadata to
 * the inventory; this service keeps the two in step. It never returns a secret except from
 * `revealKey`, which is audited.
 */
import { randomUUID } from 'node:crypto';
import type { KeyDetail, KeyEdit, KeyPage, KeyQuery, KeyRef, KeySort, KeySummary, NewKeyInput, NewTenantInput, ReconcileReport, Tenant } from '../../shared/contract.ts';
import { count } from '../../shared/words.ts';
import { inventoryLoss } from '../inventory/health.ts';
import { keyFilterSql, keySortSql } from '../keys/key-query.ts';
import { unknownScopeWarnings } from '../vendors/wallet-crew/scopes.ts';
import {
  checkBaseUrl,
  checkIsoDate,
  checkName,
  checkScopes,
  checkSecret,
  checkText,
  looksLikeSecret,
  normalizeBaseUrl,
  shownName,
  shownRef,
  WALLET_CREW_BASE_URLS,
  AIRWALLEX_BASE_URLS,
} from '../../shared/rules.ts';
import type { Clock } from '../clock.ts';
import { assertRule, VaultError } from '../errors.ts';
import { schemaVersion, type InventoryDatabase } from '../inventory/database.ts';
import { Inventory, toKeySummary, toTenant, type Actor, type AuditAction, type CheckRunKind, type KeyRow, type KeyToCheckRow, type RemoteKey, type TenantRow, type ValidationEntry, type ValidationRecord } from '../inventory/inventory.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { CheckRecorder, type CheckRun, type RecorderTiming } from './check-recorder.ts';
import { fingerprint } from './fingerprint.ts';
import { NOTHING_KNOWN, type KeyKnowledge, type KnowledgeSource } from './key-knowledge.ts';
import { formatKeyRef } from './key-ref.ts';

/** Where the facts about a key come from when the server created it (admin API). */
export interface ServerKeyFacts {
  remoteName?: string;
  enabled?: boolean;
  /** The server showed the token once: on a failure after the keychain write, keep it there. */
  createdByServer?: boolean;
}

/** The keychain account of a tenant's pasted admin bearer token. */
export function bearerAccount(tenantRowId: string): string {
  return `bearer:${tenantRowId}`;
}

import { PROBE_ACCOUNT_PREFIX } from '../secrets/secret-store.ts';


export type KeyToCheck = Omit<KeyToCheckRow, 'scopes'> & { scopes: string[] };

export interface VaultServiceOptions {
  db: InventoryDatabase;
  secrets: SecretStore;
  clock: Clock;
  /** Who is acting, for the audit log. */
  actor: Actor;
}

export class VaultService {
  readonly inventory: Inventory;
  readonly secrets: SecretStore;
  private readonly clock: Clock;
  private readonly actor: Actor;
  private lastStamp = { ms: Number.NaN, iso: '' };

  constructor(options: VaultServiceOptions) {
    this.inventory = new Inventory(options.db);
    this.secrets = options.secrets;
    this.clock = options.clock;
    this.actor = options.actor;
  }

  schemaVersion(): number {
    return schemaVersion(this.inventory.db);
  }

  listTenants(): Tenant[] {
    return this.inventory.listTenants().map((row) => toTenant(row, row.key_count));
  }

  /** Adds a tenant; `sandbox` marks the app's built-in sandbox tenant (never from a person's input). */
  addTenant(input: NewTenantInput, options: { sandbox?: boolean } = {}): Tenant {
    assertRule(checkName(input.alias, 'Tenant alias'));
    assertRule(checkName(input.tenantId, 'Tenant id'));
    if (input.label !== undefined) assertRule(checkText(input.label, 'Label'));
    const provider = input.provider ?? 'wallet-crew';
    if (provider !== 'wallet-crew' && provider !== 'airwallex') throw new VaultError('INVALID_INPUT', 'Provider must be wallet-crew or airwallex.');
    if (provider === 'airwallex') {
      if (!input.clientId) throw new VaultError('INVALID_INPUT', 'An Airwallex tenant needs its client id (Settings › Developer › API keys in the Airwallex web app).');
      assertRule(checkName(input.clientId, 'Client id'));
      if (input.loginAs !== undefined) assertRule(checkName(input.loginAs, 'Login-as account'));
    } else if (input.clientId !== undefined || input.loginAs !== undefined) {
      throw new VaultError('INVALID_INPUT', 'A client id and a login-as account belong to Airwallex tenants only.');
    }
    let baseUrl: string;
    if (input.environment === 'custom') {
      if (!input.baseUrl) throw new VaultError('INVALID_INPUT', 'A custom environment needs a base URL (https://…).');
      assertRule(checkBaseUrl(input.baseUrl));
      baseUrl = normalizeBaseUrl(input.baseUrl);
    } else if (input.environment === 'production' || input.environment === 'staging') {
      if (input.baseUrl !== undefined) {
        throw new VaultError('INVALID_INPUT', `Give either an environment (${input.environment}) or a base URL, not both.`);
      }
      baseUrl = (provider === 'airwallex' ? AIRWALLEX_BASE_URLS : WALLET_CREW_BASE_URLS)[input.environment];
    } else {
      throw new VaultError('INVALID_INPUT', 'Environment must be production, staging or custom.');
    }
    if (this.inventory.findTenant(input.alias)) {
      throw new VaultError('ALREADY_EXISTS', `A tenant with alias "${input.alias}" already exists; choose another alias.`);
    }
    const row: TenantRow = {
      id: randomUUID(),
      alias: input.alias,
      tenant_id: input.tenantId,
      environment: input.environment,
      base_url: baseUrl,
      provider,
      label: input.label?.trim() || null,
      created_at: this.now(),
      sandbox: options.sandbox ? 1 : 0,
      client_id: input.clientId ?? null,
      login_as: input.loginAs ?? null,
    };
    this.inventory.transaction(() => {
      this.inventory.insertTenant(row);
      this.audit('tenant_added', { tenant: row.alias, detail: { tenantId: row.tenant_id, baseUrl, provider, ...(options.sandbox ? { sandbox: true } : {}) } });
    });
    return toTenant(row, 0);
  }

  /** Points a tenant at another base URL (the sandbox's port changes from one start to the next). */
  setTenantBaseUrl(alias: string, baseUrl: string): void {
    const tenant = this.requireTenant(alias);
    assertRule(checkBaseUrl(baseUrl));
    const normalized = normalizeBaseUrl(baseUrl);
    if (normalized === tenant.base_url) return;
    this.inventory.transaction(() => {
      this.inventory.setTenantBaseUrl(tenant.id, normalized);
      this.audit('tenant_updated', { tenant: alias, detail: { baseUrl: normalized } });
    });
  }

  /** Removes a tenant; refuses while it holds keys unless `withKeys`, which removes them first. */
  async removeTenant(alias: string, options: { withKeys?: boolean } = {}): Promise<{ removedKeys: number }> {
    const tenant = this.requireTenant(alias);
    const keys = this.inventory.listKeys(tenant.id);
    if (keys.length > 0 && !options.withKeys) {
      throw new VaultError('CONFLICT', `Tenant "${alias}" still holds ${count(keys.length, 'key')}.`, { remedies: [{ code: 'remove-tenant-with-keys', tenant: alias }] });
    }
    for (const key of keys) await this.removeKeyRow(key);
    await this.secrets.delete(bearerAccount(tenant.id));
    this.inventory.transaction(() => {
      this.inventory.deleteTenant(tenant.id);
      this.audit('tenant_removed', { tenant: alias, detail: { removedKeys: keys.length } });
    });
    return { removedKeys: keys.length };
  }

  /** Every key (of one tenant) as a bulk check needs it: scopes parsed, nothing else derived. */
  keysToCheck(filter: { tenant?: string } = {}): KeyToCheck[] {
    const tenant = filter.tenant === undefined ? undefined : this.requireTenant(filter.tenant);
    // Keys share a few scope lists; each is parsed once.
    const parsed = new Map<string, string[]>();
    return this.inventory.keysToCheck(tenant?.id).map((row) => {
      let scopes = parsed.get(row.scopes);
      if (!scopes) parsed.set(row.scopes, (scopes = JSON.parse(row.scopes) as string[]));
      return { ...row, scopes };
    });
  }

  listKeys(filter: { tenant?: string } = {}): KeySummary[] {
    const tenant = filter.tenant === undefined ? undefined : this.requireTenant(filter.tenant);
    const today = this.today();
    return this.inventory.listKeys(tenant?.id).map((row) => toKeySummary(row, today));
  }

  showKey(ref: KeyRef): KeySummary {
    return toKeySummary(this.requireKey(ref), this.today());
  }

  /** The entry, or null when the tenant holds no key of that name. */
  findKey(ref: KeyRef): KeySummary | null {
    const row = this.inventory.findKey(this.requireTenant(ref.tenant).id, ref.name);
    return row ? toKeySummary(row, this.today()) : null;
  }

  /**
   * Why `addKey` would refuse `input`, or null: every rule it applies before writing anything, so that
   * a dry run (an import's) says what the real run will do.
   */
  newKeyProblem(input: NewKeyInput): VaultError | null {
    const rule = (problem: string | null) => (problem === null ? null : new VaultError('INVALID_INPUT', problem));
    const tenant = this.requireTenant(input.tenant);
    const scopes = [...new Set((input.scopes ?? []).map((scope) => scope.trim()))];
    const broken =
      rule(checkName(input.name, 'Key name')) ??
      rule(checkSecret(input.secret)) ??
      rule(checkScopes(scopes)) ??
      (input.expiresOn === undefined ? null : rule(checkIsoDate(input.expiresOn, 'Expiry date'))) ??
      (input.notes === undefined ? null : rule(checkText(input.notes, 'Notes', { multiline: true }))) ??
      (input.owner === undefined ? null : rule(checkText(input.owner, 'Owner'))) ??
      (input.remoteName === undefined ? null : rule(checkName(input.remoteName, 'Server name')));
    if (broken) return broken;
    if (this.inventory.findKey(tenant.id, input.name)) return new VaultError('ALREADY_EXISTS', `Key ${formatKeyRef(input)} already exists; choose another name or remove it first.`);
    const print = fingerprint(input.secret);
    const twin = this.inventory.findKeysByFingerprint(print)[0];
    if (twin) return new VaultError('ALREADY_EXISTS', `This token is already stored as ${twin.tenant_alias}/${twin.name} (fingerprint ${print}); a key belongs to one tenant and environment, so it is kept once.`);
    return null;
  }

  /**
   * Adds a key: the secret goes to the keychain first, then the metadata row. If the row cannot be
   * written, the keychain entry is removed again, so a key is never half-written.
   */
  async addKey(input: NewKeyInput, action: Extract<AuditAction, 'added' | 'created' | 'imported'> = 'added', server: ServerKeyFacts = {}): Promise<KeySummary> {
    const problem = this.newKeyProblem(input);
    if (problem) throw problem;
    const tenant = this.requireTenant(input.tenant);
    const scopes = [...new Set((input.scopes ?? []).map((scope) => scope.trim()))];
    const print = fingerprint(input.secret);

    const id = randomUUID();
    await this.secrets.set(id, input.secret);
    try {
      this.inventory.transaction(() => {
        this.inventory.insertKey({
          id,
          tenantRef: tenant.id,
          name: input.name,
          scopes,
          isAdmin: input.admin === true,
          fingerprint: print,
          createdAt: this.now(),
          expiresOn: input.expiresOn ?? null,
          notes: input.notes?.trim() || null,
          owner: input.owner?.trim() || null,
          // The server's name, when known (given, or the server's own answer); null when it is not.
          remoteName: server.remoteName ?? input.remoteName ?? null,
          enabled: server.enabled ?? true,
        });
        if (input.admin) this.inventory.clearAdminMark(tenant.id, id);
        this.audit(action, { tenant: tenant.alias, keyName: input.name, keyId: id, fingerprint: print, detail: { scopes, admin: input.admin === true } });
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
          (cleaned
            ? 'its secret was removed from the keychain again, so nothing was stored.'
            : `and its keychain entry ${id} could not be removed.`),
        { cause: error, ...(cleaned ? {} : { remedies: [{ code: 'run-reconcile' }] }) },
      );
    }
    return this.showKey(input);
  }

  /** A page of the key table; `today` decides what counts as expired. */
  pageKeys(query: KeyQuery, sort: KeySort, offset: number, limit: number): KeyPage {
    const today = this.today();
    const rows = this.inventory.pageKeys(keyFilterSql(query, today, this.inventory.commonTerms(query)), keySortSql(sort), offset, limit + 1);
    return { offset, rows: rows.slice(0, limit).map((row) => toKeySummary(row, today)), hasMore: rows.length > limit };
  }

  countKeys(query: KeyQuery): number {
    return this.inventory.countKeys(keyFilterSql(query, this.today(), this.inventory.commonTerms(query)));
  }

  /** Where a key stands in the table a query and sort show (0 first), or null when the query leaves it out. */
  keyPosition(ref: KeyRef, query: KeyQuery, sort: KeySort): number | null {
    return this.inventory.positionOfKey(keyFilterSql(query, this.today(), this.inventory.commonTerms(query)), keySortSql(sort), this.requireKey(ref).id);
  }

  /** Everything about a key but its secret: where it is kept, earlier keys, latest checks, audit trail. */
  keyDetail(ref: KeyRef): KeyDetail {
    const row = this.requireKey(ref);
    return {
      key: toKeySummary(row, this.today()),
      storage: { backend: this.secrets.backend, service: this.secrets.service, account: row.secret_account },
      credentials: this.inventory
        .credentials(row.id)
        .reverse()
        .map((credential) => ({ remoteName: credential.remote_name, fingerprint: credential.fingerprint, state: credential.state, replacedAt: credential.replaced_at, retiredAt: credential.retired_at })),
      history: this.inventory.latestValidations(row.id, 50).map(({ at, probe, verdict, status, durationMs }) => ({ at, probe, verdict, status, durationMs })),
      audit: this.inventory.latestAudit(row.id, 50).map(({ at, actor, action, detail }) => ({ at, actor, action, detail })),
    };
  }

  /**
   * Changes an entry's metadata. Rules as for a new key; warnings (not errors) for what deserves a
   * second look: a scope the catalogue does not know (with the closest one), an expiry in the past.
   */
  editKey(ref: KeyRef, changes: KeyEdit): { key: KeySummary; warnings: string[] } {
    const row = this.requireKey(ref);
    const fields: Parameters<Inventory['updateKeyMetadata']>[1] = {};
    const warnings: string[] = [];
    if (changes.notes !== undefined) {
      if (changes.notes !== null) assertRule(checkText(changes.notes, 'Notes', { multiline: true }));
      fields.notes = changes.notes?.trim() || null;
    }
    if (changes.owner !== undefined) {
      if (changes.owner !== null) assertRule(checkText(changes.owner, 'Owner'));
      fields.owner = changes.owner?.trim() || null;
    }
    if (changes.expiresOn !== undefined) {
      if (changes.expiresOn !== null) {
        assertRule(checkIsoDate(changes.expiresOn, 'Expiry date'));
        warnings.push(...this.inputWarnings({ expiresOn: changes.expiresOn }));
      }
      fields.expires_on = changes.expiresOn;
    }
    if (changes.scopes !== undefined) {
      const scopes = [...new Set(changes.scopes.map((scope) => scope.trim()))];
      assertRule(checkScopes(scopes));
      warnings.push(...this.inputWarnings({ scopes }));
      fields.scopes = JSON.stringify(scopes);
    }
    if (changes.remoteName !== undefined) {
      assertRule(checkName(changes.remoteName, "The server's name of the key"));
      fields.remote_name = changes.remoteName;
    }
    if (changes.admin !== undefined) fields.is_admin = changes.admin ? 1 : 0;
    const changed = Object.keys(fields);
    if (changed.length === 0) throw new VaultError('INVALID_INPUT', 'Nothing to change: give at least one field.');
    this.inventory.transaction(() => {
      this.inventory.updateKeyMetadata(row.id, fields);
      if (changes.admin) this.inventory.clearAdminMark(row.tenant_ref, row.id);
      // The fields changed, never their values: notes and owners are nobody's business in a log.
      this.audit('edited', { tenant: ref.tenant, keyName: ref.name, keyId: row.id, fingerprint: row.fingerprint, detail: { fields: changed } });
    });
    return { key: this.showKey(ref), warnings };
  }

  /** What deserves a second look in a key's metadata (not errors): unknown scopes with the closest known one, a past expiry. */
  inputWarnings(input: { scopes?: string[]; expiresOn?: string | null }): string[] {
    const warnings = input.scopes ? unknownScopeWarnings(input.scopes) : [];
    if (input.expiresOn && input.expiresOn < this.today()) warnings.push(`The expiry date ${input.expiresOn} has passed: the key shows as expired.`);
    return warnings;
  }

  /** The secret of a key to be copied (by the caller, to a clipboard); every call is audited. */
  async secretForCopy(ref: KeyRef): Promise<string> {
    const key = this.requireKey(ref);
    const secret = await this.secretOf({ secretAccount: key.secret_account, tenant: key.tenant_alias, name: key.name });
    this.audit('copied', { tenant: ref.tenant, keyName: ref.name, keyId: key.id, fingerprint: key.fingerprint });
    return secret;
  }

  /** A key's check history, oldest first. */
  /**
   * Keys and their secrets for a program's environment. A key the vault knows not to work — expired,
   * or judged unauthorized at its last check — is refused, naming why, unless `force`; each key
   * handed out is audited with the program's name (never its arguments).
   */
  async keysForInjection(refs: KeyRef[], options: { force: boolean; program: string }): Promise<{ key: KeySummary; tenant: Tenant; secret: string }[]> {
    const today = this.today();
    const chosen = refs.map((ref) => this.showKey(ref));
    if (!options.force) {
      for (const key of chosen) {
        const ref = { tenant: key.tenant, name: key.name };
        if (key.expiresOn !== null && key.expiresOn < today) {
          throw new VaultError('CONFLICT', `${formatKeyRef(ref)} expired on ${key.expiresOn}; it is not handed to the program (force it if you know it still works).`, { remedies: [{ code: 'key-expired', expiresOn: key.expiresOn }, { code: 'check-key', key: ref }] });
        }
        if (key.lastJudgement === 'unauthorized') {
          throw new VaultError('CONFLICT', `${formatKeyRef(ref)} was refused by the server (401) at its last check, ${(key.lastJudgedAt ?? 'an unrecorded day').slice(0, 10)}; it is not handed to the program (force it, or check it again).`, { remedies: [{ code: 'check-key', key: ref }, { code: 'list-server-keys', tenant: key.tenant }] });
        }
      }
    }
    const handed: { key: KeySummary; tenant: Tenant; secret: string }[] = [];
    for (const key of chosen) {
      handed.push({ key, tenant: toTenant(this.requireTenant(key.tenant), 0), secret: await this.secretOf(key) });
    }
    this.inventory.transaction(() => {
      for (const { key } of handed) this.audit('injected', { tenant: key.tenant, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint, detail: { program: options.program, forced: options.force } });
    });
    return handed;
  }

  history(ref: KeyRef): ValidationRecord[] {
    return this.inventory.validations(this.requireKey(ref).id);
  }

  /** The one way to read a secret back; every call is audited. */
  async revealKey(ref: KeyRef): Promise<string> {
    const key = this.requireKey(ref);
    const secret = await this.secretOf({ secretAccount: key.secret_account, tenant: key.tenant_alias, name: key.name });
    this.audit('revealed', { tenant: ref.tenant, keyName: ref.name, keyId: key.id, fingerprint: key.fingerprint });
    return secret;
  }

  /**
   * Removes a key's keychain entry and its row together. Says whether the keychain entry was there
   * to delete: a locked keychain is an error (nothing removed), never taken for an absent entry.
   */
  async removeKey(ref: KeyRef): Promise<{ keychainEntry: 'deleted' | 'already-gone' }> {
    return this.removeKeyRow(this.requireKey(ref));
  }

  /**
   * Compares keychain entries with key rows and reports both kinds of stray; deletes nothing, since
   * either side may be the one a person still needs.
   */
  async reconcile(): Promise<ReconcileReport> {
    const accounts = new Set((await this.secrets.listAccounts()).filter((account) => !account.startsWith(PROBE_ACCOUNT_PREFIX)));
    const keys = this.inventory.listKeys();
    const missingSecrets: ReconcileReport['missingSecrets'] = [];
    for (const key of keys) {
      if (accounts.has(key.secret_account)) accounts.delete(key.secret_account);
      else missingSecrets.push({ tenant: key.tenant_alias, name: key.name, id: key.secret_account });
    }
    // Earlier credentials kept for an overlap or a disabled key, a rotation's new token before the
    // switch, and pasted admin bearer tokens are known too.
    for (const credential of this.inventory.credentials()) accounts.delete(credential.account);
    for (const rotation of this.inventory.rotations({ openOnly: true })) accounts.delete(rotation.new_account);
    for (const tenant of this.inventory.listTenants()) accounts.delete(bearerAccount(tenant.id));
    return { orphanSecrets: [...accounts].sort().map((account) => ({ account })), missingSecrets, checkedKeys: keys.length };
  }

  /**
   * Deletes keychain entries of this vault's service that nothing in the inventory refers to (found
   * afresh, so an entry that became known since a report is kept). Returns the accounts deleted.
   */
  async removeOrphanSecrets(): Promise<{ removed: string[] }> {
    // An inventory that lost its past makes every secret an "orphan": deleting them would finish the loss.
    const loss = await inventoryLoss(this.inventory.db, this.secrets, this.inventory.db.name);
    if (loss) {
      throw new VaultError('INVENTORY_LOST', `The inventory lists no key while the keychain holds ${loss.secrets} secret${loss.secrets === 1 ? '' : 's'} of this vault: they are what a lost inventory leaves, not strays, and they are not deleted. Restore the inventory first.`, {
        remedies: loss.backups[0] ? [{ code: 'restore-inventory', backup: loss.backups[0].file, takenAt: loss.backups[0].takenAt }] : [{ code: 'rebuild-inventory', service: loss.service }],
      });
    }
    const { orphanSecrets } = await this.reconcile();
    const removed: string[] = [];
    for (const { account } of orphanSecrets) {
      if (await this.secrets.delete(account)) removed.push(account);
    }
    if (removed.length > 0) this.audit('orphans_removed', { detail: { accounts: removed.length } });
    return { removed };
  }

  /**
   * A stored key's secret for a check, with what the check needs to know about it. Not a reveal: the
   * secret goes into a request header and nowhere else; the check itself is audited as `validated`.
   */
  async keyForCheck(ref: KeyRef): Promise<{ key: KeySummary; tenant: Tenant; secret: string }> {
    const key = toKeySummary(this.requireKey(ref), this.today());
    const secret = await this.secretOf(key);
    return { key, tenant: toTenant(this.requireTenant(ref.tenant), 0), secret };
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

  /**
   * What the vault knows about keys, for a check's advice: where else a token is held, whose earlier
   * key it is, what the server's last list said. One source per operation: snapshots are read once.
   */
  knowledge(): KnowledgeSource {
    const today = this.today();
    const snapshots = new Map<string, { takenAt: string; keys: Map<string, RemoteKey> } | null>();
    const snapshotOf = (tenantRef: string) => {
      if (!snapshots.has(tenantRef)) {
        const snapshot = this.inventory.latestSnapshot(tenantRef);
        snapshots.set(tenantRef, snapshot ? { takenAt: snapshot.takenAt, keys: new Map(snapshot.keys.map((key) => [key.name, key])) } : null);
      }
      return snapshots.get(tenantRef)!;
    };
    const elsewhere = (print: string, exceptKeyId: string | null): KeyKnowledge['elsewhere'] =>
      this.inventory
        .findKeysByFingerprint(print)
        .filter((row) => row.id !== exceptKeyId)
        .map((row) => {
          const tenant = this.inventory.findTenant(row.tenant_alias)!;
          return { holder: { tenant: row.tenant_alias, name: row.name }, tenantId: tenant.tenant_id, environment: tenant.environment };
        });
    const previous = (print: string): KeyKnowledge['previous'] =>
      this.inventory.credentialsByFingerprint(print).map((row) => ({
        holder: { tenant: row.tenant_alias, name: row.key_name },
        remoteName: row.remote_name,
        state: row.state,
        replacedAt: row.replaced_at,
        retiredAt: row.retired_at,
      }));
    return {
      of: ({ id }) => {
        const row = this.inventory.findKeyById(id);
        if (!row) return NOTHING_KNOWN;
        const remoteName = row.remote_name ?? row.name;
        const snapshot = snapshotOf(row.tenant_ref);
        const listed = snapshot?.keys.get(remoteName);
        return {
          ref: { tenant: row.tenant_alias, name: row.name },
          declaredScopes: JSON.parse(row.scopes) as string[],
          expiredOn: row.expires_on !== null && row.expires_on < today ? row.expires_on : null,
          server: snapshot ? { remoteName, state: listed ? (listed.enabled ? 'enabled' : 'disabled') : row.remote_name === null ? 'unlinked' : 'missing', snapshotAt: snapshot.takenAt } : null,
          elsewhere: elsewhere(row.fingerprint, row.id),
          previous: previous(row.fingerprint),
        };
      },
      ofToken: (print) => ({ ...NOTHING_KNOWN, elsewhere: elsewhere(print, null), previous: previous(print) }),
    };
  }

  /**
   * Keeps a pasted OAuth bearer token for the tenant's admin calls: keychain first, then the
   * metadata (when it was set, when it expires). A JWT's own `exp` is used when no expiry is given.
   */
  async setBearer(alias: string, token: string, expiresAt: string | null): Promise<{ expiresAt: string | null }> {
    const tenant = this.requireTenant(alias);
    const bare = token.trim().replace(/^Bearer\s+/i, '');
    if (bare.length < 16 || /\s/.test(bare)) throw new VaultError('INVALID_INPUT', 'That does not look like a bearer token (at least 16 characters, no spaces). Paste the access token itself.');
    let expiry = expiresAt;
    if (expiry !== null && Number.isNaN(Date.parse(expiry))) throw new VaultError('INVALID_INPUT', 'The expiry must be a date and time (ISO 8601), e.g. 2026-11-22T18:00:00Z.');
    expiry ??= jwtExpiry(bare);
    await this.secrets.set(bearerAccount(tenant.id), bare);
    this.inventory.transaction(() => {
      this.inventory.setBearer(tenant.id, this.now(), expiry);
      this.audit('bearer_set', { tenant: alias, detail: { expiresAt: expiry } });
    });
    return { expiresAt: expiry };
  }

  async clearBearer(alias: string): Promise<boolean> {
    const tenant = this.requireTenant(alias);
    const deleted = await this.secrets.delete(bearerAccount(tenant.id));
    this.inventory.transaction(() => {
      this.inventory.setBearer(tenant.id, null, null);
      this.audit('bearer_cleared', { tenant: alias });
    });
    return deleted;
  }

  /** The tenant's pasted bearer token, if one is kept. */
  async bearerOf(alias: string): Promise<{ token: string; expiresAt: string | null } | null> {
    const tenant = this.requireTenant(alias);
    if (!tenant.bearer_set_at) return null;
    const token = await this.secrets.get(bearerAccount(tenant.id));
    return token === null ? null : { token, expiresAt: tenant.bearer_expires_at ?? null };
  }

  /** A check run about to record its checks; nothing is written until its first checks are. */
  beginCheckRun(kind: CheckRunKind): CheckRun {
    return { kind, startedAt: this.now(), id: null };
  }

  /** A bulk run's recorder: its checks go into the inventory as they finish. */
  recordBulkRun(timing?: RecorderTiming): CheckRecorder {
    return new CheckRecorder(this.inventory, this.beginCheckRun('bulk'), this.actor, timing);
  }

  /**
   * Records finished checks of a run, each with the time it finished, in one transaction; the run's
   * own row goes in with its first checks. `auditEach` adds an audit entry per check (a bulk run has
   * one for the whole run, `auditBulkCheck`).
   */
  recordChecks(run: CheckRun, entries: ValidationEntry[], options: { auditEach?: boolean; keyStatus?: boolean } = {}): void {
    if (entries.length === 0) return;
    let id = run.id;
    this.inventory.transaction(() => {
      id ??= this.inventory.startCheckRun(run.kind, run.startedAt);
      this.inventory.insertValidations(id, entries, this.actor, options.auditEach ?? true, options.keyStatus ?? true);
    });
    // Only once committed: when the transaction rolls back, the run's row is still to be written.
    run.id = id;
  }

  /** The audit entry of a bulk check: one per run. */
  auditBulkCheck(detail: { tenant: string | null; checked: number; byVerdict: Record<string, number> }): void {
    this.audit('validated', { ...(detail.tenant ? { tenant: detail.tenant } : {}), detail: { bulk: true, checked: detail.checked, byVerdict: detail.byVerdict } });
  }

  close(): void {
    this.inventory.close();
  }

  private async removeKeyRow(key: KeyRow): Promise<{ keychainEntry: 'deleted' | 'already-gone' }> {
    const rotation = this.inventory.openRotation(key.id);
    if (rotation) {
      const ref = { tenant: key.tenant_alias, name: key.name };
      throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is being rotated (${rotation.state}); finish or abort the rotation first.`, {
        remedies: [{ code: 'finish-rotation', key: ref }, { code: 'abort-rotation', key: ref }],
      });
    }
    // Earlier credentials' secrets go first; they are history, and nothing else refers to them.
    for (const credential of this.inventory.credentials(key.id)) {
      if (credential.state !== 'deleted') await this.secrets.delete(credential.account);
    }
    // Keychain first: if it is unavailable or locked nothing changes. The secret is held in memory
    // until the row is gone, so that a failing row delete can put it back.
    const secret = await this.secrets.get(key.secret_account);
    const deleted = await this.secrets.delete(key.secret_account);
    try {
      this.inventory.transaction(() => {
        this.inventory.deleteKey(key.id);
        this.audit('deleted', { tenant: key.tenant_alias, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint });
      });
    } catch (error) {
      if (secret !== null) await this.secrets.set(key.secret_account, secret).catch(() => undefined);
      throw new VaultError('STORAGE_ERROR', `The key's row could not be removed (${(error as Error).message}); its secret was kept.`, {
        cause: error,
      });
    }
    return { keychainEntry: deleted ? 'deleted' : 'already-gone' };
  }

  requireTenant(alias: string): TenantRow {
    const tenant = this.inventory.findTenant(alias);
    if (!tenant) throw new VaultError('NOT_FOUND', `No tenant ${looksLikeSecret(alias) ? shownName(alias) : `"${alias}"`} in the vault.`, { remedies: [{ code: 'list-tenants' }] });
    return tenant;
  }

  requireKey(ref: KeyRef): KeyRow {
    const tenant = this.requireTenant(ref.tenant);
    const key = this.inventory.findKey(tenant.id, ref.name);
    if (!key) {
      const missing = looksLikeSecret(ref.name) ? `No key of ${shownName(ref.tenant)} has that name (not repeated here: it looks like a key itself, typed where its name goes).` : `No key ${shownRef(ref)} in the vault.`;
      throw new VaultError('NOT_FOUND', missing, { remedies: [{ code: 'list-keys', tenant: ref.tenant }] });
    }
    return key;
  }

  audit(
    action: AuditAction,
    fields: { tenant?: string; keyName?: string; keyId?: string; fingerprint?: string; detail?: Record<string, unknown> },
  ): void {
    this.inventory.audit({
      at: this.now(),
      actor: this.actor,
      action,
      tenant: fields.tenant ?? null,
      keyName: fields.keyName ?? null,
      keyId: fields.keyId ?? null,
      fingerprint: fields.fingerprint ?? null,
      detail: fields.detail ?? null,
    });
  }

  /** The clock's time as ISO 8601. Bulk runs stamp thousands of checks a second, mostly in the same millisecond. */
  now(): string {
    const date = this.clock.now();
    const ms = date.getTime();
    if (ms !== this.lastStamp.ms) this.lastStamp = { ms, iso: date.toISOString() };
    return this.lastStamp.iso;
  }

  private today(): string {
    return this.now().slice(0, 10);
  }
}

/** The `exp` claim of a JWT, as an ISO date, or null when the token is not a JWT. */
function jwtExpiry(token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null;
  } catch {
    return null;
  }
}
