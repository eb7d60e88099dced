/**
 * Managing a tenant's keys on the server, with the vault: the admin credential comes from the vault
 * (a key marked admin, or a pasted bearer token), created tokens go into the keychain before anything
 * else happens with them, and every action lands in the audit log.
 *
 * The show-once rule: before create, the keychain must answer a round trip; after create, the token
 * goes to the keychain first, then the metadata row. If the keychain write still fails, the token is
 * handed back to be shown to the person once, and the incident is recorded.
 */
import { randomUUID } from 'node:crypto';
import type { AdminCredentialInfo, KeyRef, KeySummary, PermissionCatalogueView, ScopeUse, ServerKeysView } from '../../shared/contract.ts';
import type { Remedy } from '../../shared/remedies.ts';
import type { ScopeArea } from '../../shared/scopes.ts';
import { checkName, checkScopes } from '../../shared/rules.ts';
import { assertRule, toErrorInfo, VaultError } from '../errors.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import type { VaultEvents } from '../events.ts';
import type { HttpClient } from '../http/http-client.ts';
import { fingerprint } from '../keys/fingerprint.ts';
import { formatKeyRef } from '../keys/key-ref.ts';
import type { KeyService } from '../keys/key-service.ts';
import { Redactor } from '../redaction/redactor.ts';
import { requireKeychainBeforeCreate } from '../secrets/round-trip.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantRecord, TenantService } from '../tenants/tenant-service.ts';
import { vendorOf } from '../vendors/vendors.ts';
import { AdminClient, adminFailure, valueOf, type AdminCredential, type ApiKeyDefinition } from '../vendors/wallet-crew/admin-api.ts';
import { ADMIN_ENDPOINTS } from '../vendors/wallet-crew/endpoints.ts';
import { WALLET_CREW_PROBES } from '../vendors/wallet-crew/probes.ts';
import { SCOPE_CATALOGUE } from '../vendors/wallet-crew/scopes.ts';
import { AdminStore, type RemoteKey } from './admin-store.ts';
import { adminAccess, markableAdmins, type AdminAccess } from './key-lookup.ts';
import { followUpLostCreate } from './lost-create.ts';
import { compareWithVault, type ListingSources, type RemoteKeyView, type RemoteListing } from './server-listing.ts';

export type { AdminAccess, RemoteKey, RemoteKeyView, RemoteListing };

export type CreateOutcome =
  | { stored: true; key: KeySummary; definition: ApiKeyDefinition; token: string }
  /** The keychain failed after the server created the key: the token must be shown now, once. */
  | { stored: false; definition: ApiKeyDefinition; token: string; fingerprint: string; reason: string };

export interface AdminServiceOptions {
  db: Connection;
  http: HttpClient;
  secrets: SecretStore;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  events: VaultEvents;
}

export class AdminService {
  private readonly db: Connection;
  private readonly store: AdminStore;
  private readonly http: HttpClient;
  private readonly secrets: SecretStore;
  private readonly stamps: Stamps;
  private readonly audit: AuditService;
  private readonly tenants: TenantService;
  private readonly keys: KeyService;
  private readonly events: VaultEvents;
  private readonly sources: ListingSources;

  constructor(options: AdminServiceOptions) {
    this.db = options.db;
    this.store = new AdminStore(options.db);
    this.http = options.http;
    this.secrets = options.secrets;
    this.stamps = options.stamps;
    this.audit = options.audit;
    this.tenants = options.tenants;
    this.keys = options.keys;
    this.events = options.events;
    this.sources = { keys: this.keys, tenants: this.tenants, store: this.store, secrets: this.secrets };
  }

  /**
   * The tenant's admin client: its admin key if it has one, else its pasted bearer token. `notWith`
   * (a fingerprint) leaves out an admin key: the key a check diagnoses never asks about itself.
   * `whenRefused`: what to do when the server refuses it (that admin key's own check says why; a
   * bearer token is pasted afresh).
   */
  async clientFor(alias: string, options: { notWith?: string } = {}): Promise<{ client: AdminClient; tenant: TenantRecord; credential: string; whenRefused: Remedy }> {
    const tenant = this.tenants.require(alias);
    const noAdminApi = vendorOf(tenant.provider)?.noAdminApi;
    if (noAdminApi) throw new VaultError('CONFLICT', `${alias} is a tenant of ${vendorOf(tenant.provider)!.name}: ${noAdminApi}`);
    const admin = this.keys.admins(alias).find((key) => key.fingerprint !== options.notWith);
    let credential: AdminCredential;
    if (admin) {
      credential = { kind: 'api-key', secret: await this.keys.secretOf(admin), label: `admin key ${formatKeyRef(admin)}` };
    } else {
      const bearer = await this.tenants.bearerOf(alias);
      if (!bearer) throw new VaultError('NOT_FOUND', `Tenant "${alias}" has no admin credential: no key marked admin, and no OAuth token.`, { remedies: [...markableAdmins(this.keys.list({ tenant: alias }), options.notWith), { code: 'store-admin-credential', tenant: alias }] });
      if (bearer.expiresAt !== null && Date.parse(bearer.expiresAt) <= Date.now()) {
        throw new VaultError('REMOTE_REFUSED', `The bearer token kept for "${alias}" expired at ${bearer.expiresAt}.`, { remedies: [{ code: 'paste-bearer', tenant: alias }] });
      }
      credential = { kind: 'bearer', token: bearer.token, label: `bearer token of ${alias}` };
    }
    const whenRefused: Remedy = admin ? { code: 'admin-key-refused', key: { tenant: admin.tenant, name: admin.name } } : { code: 'paste-bearer', tenant: alias };
    return { client: new AdminClient(this.http, { baseUrl: tenant.baseUrl, tenantId: tenant.tenantId }, credential), tenant, credential: credential.label, whenRefused };
  }

  /** Lists the server's keys, keeps a time-stamped snapshot, and compares it with the vault. */
  async remoteList(alias: string): Promise<RemoteListing> {
    const { client, tenant, credential } = await this.clientFor(alias);
    // Names and permissions a server lists lose every secret the vault holds for the tenant, not only
    // the credential that listed them: a hostile server may echo any token it has seen.
    const { redactor, held } = await this.tenantRedactor(alias, client.redactor);
    const keys = valueOf(await client.list()).map(({ name, enabled, permissions }) => ({ name: redactor.redactName(name), enabled, permissions: permissions.map((permission) => redactor.redactName(permission)) }));
    const takenAt = this.stamps.now();
    // Creations whose answer never came: the listing says whether the server made them.
    const listedNames = new Set(keys.map((key) => key.name));
    for (const intent of this.store.createIntents(tenant.ref)) {
      const made = listedNames.has(intent.remote_name) && !this.keys.find({ tenant: alias, name: intent.key_name });
      if (intent.state === 'sent') this.store.settleCreateIntent(intent.id, made ? 'orphaned' : 'done');
      else if (!listedNames.has(intent.remote_name)) this.store.settleCreateIntent(intent.id, 'done');
    }
    const snapshotId = this.db.transaction(() => {
      const id = this.store.insertSnapshot(tenant.ref, takenAt, keys);
      this.audit.record('remote_listed', { tenant: alias, detail: { snapshot: id, keys: keys.length } });
      return id;
    });
    // The secrets just read say which server keys the keychain holds: no second read.
    return { ...(await compareWithVault(this.sources, alias, keys, true, held)), tenant: alias, takenAt, snapshotId, credential };
  }

  /** What the server listed last for the tenant (its row id: the tenants' reference), if it was ever listed. */
  snapshotOf(tenantRef: string): { takenAt: string; keys: RemoteKey[] } | undefined {
    return this.store.latestSnapshot(tenantRef);
  }

  /** The latest stored snapshot, compared with the vault as it is now: for offline review. */
  async lastSnapshot(alias: string): Promise<RemoteListing | null> {
    const tenant = this.tenants.require(alias);
    const snapshot = this.store.latestSnapshot(tenant.ref);
    if (!snapshot) return null;
    return { ...(await compareWithVault(this.sources, alias, snapshot.keys)), tenant: alias, takenAt: snapshot.takenAt, snapshotId: snapshot.id, credential: 'snapshot (offline)' };
  }

  /**
   * The server's keys for the app: listed now when the server answers, else the last snapshot,
   * with the reason it is not live; and the admin credential in use.
   */
  async serverKeys(alias: string): Promise<ServerKeysView> {
    const credential = await this.credentialInfo(alias);
    try {
      const listing = await this.remoteList(alias);
      return { tenant: alias, live: true, error: null, notLive: null, listing: withoutSnapshotId(listing), credential };
    } catch (error) {
      if (!(error instanceof VaultError) || error.code === 'INVALID_INPUT' || error.code === 'STORAGE_ERROR') throw error;
      const snapshot = await this.lastSnapshot(alias);
      const notLive =
        credential.kind === 'none' ? 'no-credential' : credential.kind === 'bearer' && credential.expired ? 'token-expired' : error.code === 'REMOTE_REFUSED' ? 'refused' : 'unreachable';
      return { tenant: alias, live: false, error: toErrorInfo(error), notLive, listing: snapshot ? withoutSnapshotId(snapshot) : null, credential };
    }
  }

  /** Which admin credential the tenant's server calls use: an admin key, a pasted bearer token, or none. */
  async credentialInfo(alias: string): Promise<AdminCredentialInfo> {
    const tenant = this.tenants.require(alias);
    const admin = this.keys.list({ tenant: alias }).find((key) => key.admin);
    if (admin) return { kind: 'api-key', key: { tenant: alias, name: admin.name } };
    if (!(await this.tenants.bearerOf(alias))) return { kind: 'none' };
    const expiresAt = tenant.bearerExpiresAt;
    return { kind: 'bearer', setAt: tenant.bearerSetAt, expiresAt, expired: expiresAt !== null && Date.parse(expiresAt) <= Date.now() };
  }

  /**
   * What deleting an entry's server key takes away besides the key, when it is the tenant's admin key
   * in use: the means to manage the tenant's keys at all. Null for any other key.
   */
  async deleteWarning(ref: KeyRef): Promise<string | null> {
    const credential = await this.credentialInfo(ref.tenant);
    if (credential.kind !== 'api-key') return null;
    // By the server's name: the reference may name the server key rather than the vault's entry.
    const admin = this.keys.find(credential.key);
    if (!admin || admin.remoteName !== this.remoteNameOf(ref)) return null;
    return `${formatKeyRef(credential.key)} is the admin key the vault uses for ${ref.tenant}: once it is deleted, this tenant's keys cannot be listed, created, edited or rotated until another admin key is stored or a bearer token is given.`;
  }

  /**
   * The permission catalogue for a picker: the server's own (`admin/permissions`), or the publicly
   * known one when the server cannot be asked; with what each scope is known to be needed for.
   */
  async permissionCatalogue(alias: string): Promise<PermissionCatalogueView> {
    let areas: ScopeArea[];
    let source: PermissionCatalogueView['source'] = 'server';
    let reason: string | null = null;
    try {
      const { client } = await this.clientFor(alias);
      const { redactor } = await this.tenantRedactor(alias, client.redactor);
      const clean = (text: string) => redactor.redactName(text);
      areas = valueOf(await client.permissions()).map((area) => ({
        code: clean(area.code),
        category: clean(area.category ?? area.code),
        description: clean(area.description ?? ''),
        scopes: area.scopes.map((scope) => ({ code: clean(scope.code), description: clean(scope.description ?? '') })),
      }));
    } catch (error) {
      if (!(error instanceof VaultError) || error.code === 'INVALID_INPUT') throw error;
      areas = SCOPE_CATALOGUE.map((area) => ({ ...area, scopes: area.scopes.map((scope) => ({ ...scope })) }));
      source = 'known';
      reason = error.message;
    }
    return { source, reason, areas, uses: scopeUses() };
  }

  /** Changes a server key by its server name; the vault entry that uses it now follows. */
  updateServerKey(tenant: string, serverName: string, input: { enabled?: boolean; scopes?: string[] }): Promise<ApiKeyDefinition> {
    return this.update(tenant, serverName, this.entryUsing(tenant, serverName), input);
  }

  /**
   * Deletes a server key by its server name. The vault entry that uses it now goes with it; a key a
   * rotation still holds is refused (finish or abort it first); an earlier key's secret is dropped.
   */
  async deleteServerKey(tenant: string, serverName: string): Promise<{ removedLocal: boolean }> {
    const local = this.entryUsing(tenant, serverName);
    if (local) return { removedLocal: (await this.remoteDelete({ tenant, name: local.name })).removedLocal };
    for (const rotation of this.store.openRotations(tenant)) {
      if ((rotation.old_remote_name === serverName || rotation.new_remote_name === serverName)) {
        const ref = { tenant, name: rotation.key_name };
        throw new VaultError('CONFLICT', `"${serverName}" is part of the rotation of ${formatKeyRef(ref)}; finish or abort the rotation first.`, { remedies: [{ code: 'finish-rotation', key: ref }, { code: 'abort-rotation', key: ref }] });
      }
    }
    const { client } = await this.clientFor(tenant);
    const result = await client.delete(serverName);
    if (!result.ok && result.error.kind !== 'not_found') throw adminFailure(result.error);
    const tenantRef = this.tenants.require(tenant).ref;
    const earlier = this.keys.credentialByRemoteName(tenantRef, serverName);
    if (earlier && earlier.state !== 'deleted') await this.secrets.delete(earlier.account);
    this.db.transaction(() => {
      if (earlier && earlier.state !== 'deleted') this.keys.retireCredential(earlier.account, 'deleted', this.stamps.now());
      this.audit.record('remote_deleted', { tenant, keyName: serverName, ...(earlier ? { keyId: earlier.key_id, fingerprint: earlier.fingerprint } : {}), detail: { remoteName: serverName, wasOnServer: result.ok } });
      // A key whose creating answer was lost is gone now: nothing is left to follow up.
      for (const intent of this.store.createIntents(tenantRef)) if (intent.remote_name === serverName) this.store.settleCreateIntent(intent.id, 'done');
    });
    this.events.changed('server key deleted');
    return { removedLocal: false };
  }

  /** A redactor that knows every secret the vault keeps for the tenant: for anything else its servers send. */
  redactorFor = async (alias: string): Promise<Redactor> => (await this.tenantRedactor(alias, new Redactor())).redactor;

  /** A redactor that knows `base`'s secrets and every secret the vault keeps for the tenant's keys. */
  private async tenantRedactor(alias: string, base: Redactor): Promise<{ redactor: Redactor; held: Map<string, string | null> }> {
    const held = await this.tenantSecrets(alias);
    return { redactor: base.with(...held.values()), held };
  }

  /** Every secret the vault keeps for the tenant's keys (current, earlier, a rotation's new one), by keychain account. */
  private async tenantSecrets(alias: string): Promise<Map<string, string | null>> {
    const accounts = new Set<string>();
    for (const key of this.keys.list({ tenant: alias })) {
      accounts.add(key.secretAccount);
      for (const credential of this.keys.credentials(key.id)) if (credential.state !== 'deleted') accounts.add(credential.account);
    }
    for (const rotation of this.store.openRotations(alias)) accounts.add(rotation.new_account);
    const list = [...accounts];
    const secrets = await Promise.all(list.map((account) => this.secrets.get(account).catch(() => null)));
    return new Map(list.map((account, index) => [account, secrets[index] ?? null]));
  }

  /**
   * The tenant's admin client for diagnosing a key (key-lookup.ts), never the key whose fingerprint
   * is `notWith`, or why there is none.
   */
  adminAccess(alias: string, notWith: string): Promise<AdminAccess> {
    return adminAccess({ admin: this, tenants: this.tenants, keys: this.keys }, alias, notWith);
  }

  /** The vault entry whose current key is the server key `serverName`. */
  private entryUsing(tenant: string, serverName: string): KeySummary | null {
    return this.keys.list({ tenant }).find((key) => key.remoteName === serverName) ?? null;
  }

  /** One server key: by the vault entry's server name, or by the server name itself. */
  async remoteGet(ref: KeyRef): Promise<RemoteKeyView> {
    const { client } = await this.clientFor(ref.tenant);
    const remoteName = this.remoteNameOf(ref);
    const definition = valueOf(await client.get(remoteName));
    const [view] = (await compareWithVault(this.sources, ref.tenant, [definition], false)).keys;
    return view!;
  }

  /**
   * Creates a key on the server and stores its token under ALIAS/NAME. Permissions are given, or
   * copied from another key (`like`, the seed's "duplicate"). `canShowToken` says whether the caller
   * can show a token once to a person, should the keychain refuse it after the server created the
   * key; when it cannot, the key is deleted again on the server, since nobody would hold its token.
   */
  async remoteCreate(ref: KeyRef, input: { scopes?: string[]; like?: KeyRef; enabled?: boolean }, options: { canShowToken: boolean }): Promise<CreateOutcome> {
    assertRule(checkName(ref.name, 'Key name'));
    if ((input.scopes === undefined) === (input.like === undefined)) throw new VaultError('INVALID_INPUT', "Give the key's permissions, or another key of the tenant to copy them from.");
    if (this.keys.find(ref)) {
      throw new VaultError('ALREADY_EXISTS', `The vault already has ${formatKeyRef(ref)}; choose another name.`);
    }
    const { client } = await this.clientFor(ref.tenant);
    let permissions: string[];
    if (input.like) {
      if (input.like.tenant !== ref.tenant) throw new VaultError('INVALID_INPUT', `The key to copy permissions from must be one of ${ref.tenant}'s; keys are tenant-scoped.`);
      permissions = valueOf(await client.get(this.remoteNameOf(input.like))).permissions;
    } else {
      permissions = [...new Set(input.scopes!.map((scope) => scope.trim()))];
      assertRule(checkScopes(permissions));
      if (permissions.length === 0) throw new VaultError('INVALID_INPUT', 'A key needs at least one permission.');
    }
    // Before the server creates anything: the keychain must answer now.
    await requireKeychainBeforeCreate(this.secrets);
    // Written down before it is sent: a creation whose answer is lost is followed up, not forgotten.
    const tenant = this.tenants.require(ref.tenant);
    const intent = { id: randomUUID(), tenant_ref: tenant.ref, key_name: ref.name, remote_name: ref.name, permissions: JSON.stringify(permissions), started_at: this.stamps.now(), state: 'sent' as const };
    this.store.recordCreateIntent(intent);
    const answer = await client.create({ name: ref.name, permissions, ...(input.enabled === false ? { enabled: false } : {}) });
    if (!answer.ok && answer.error.kind === 'network' && answer.error.message.includes('only its answer')) {
      const lost = await followUpLostCreate({ db: this.db, store: this.store, audit: this.audit }, ref, client, intent.id, answer.error.message);
      // What the follow-up learnt (a key nobody holds) is the listing's to show.
      this.events.changed('server key created');
      throw lost;
    }
    this.store.settleCreateIntent(intent.id, 'done');
    const created = valueOf(answer);
    const definition = { name: created.name, enabled: created.enabled, permissions: created.permissions };
    return this.storeCreated(ref, created.token, definition, input.like ? { like: formatKeyRef(input.like) } : {}, options.canShowToken ? null : client);
  }

  /** Changes a server key's state or permissions, and the vault entry's view of them. */
  remoteUpdate(ref: KeyRef, input: { enabled?: boolean; scopes?: string[] }): Promise<ApiKeyDefinition> {
    const local = this.localEntry(ref);
    return this.update(ref.tenant, local?.remoteName ?? ref.name, local, input);
  }

  private async update(tenant: string, remoteName: string, local: KeySummary | null, input: { enabled?: boolean; scopes?: string[] }): Promise<ApiKeyDefinition> {
    if (input.enabled === undefined && input.scopes === undefined) throw new VaultError('INVALID_INPUT', 'Nothing to change: enable or disable the key, or give its new permissions.');
    if (input.scopes) {
      assertRule(checkScopes(input.scopes));
      if (input.scopes.length === 0) throw new VaultError('INVALID_INPUT', 'A key needs at least one permission.');
    }
    const { client } = await this.clientFor(tenant);
    // The endpoint replaces both fields: what is not changed is read first.
    const current = input.enabled === undefined || input.scopes === undefined ? valueOf(await client.get(remoteName)) : null;
    const updated = valueOf(await client.update(remoteName, { enabled: input.enabled ?? current!.enabled, permissions: input.scopes ?? current!.permissions }));
    this.db.transaction(() => {
      if (local) this.keys.updateRemoteState(local.id, { scopes: updated.permissions, enabled: updated.enabled });
      this.audit.record('remote_updated', { tenant, keyName: local?.name ?? remoteName, ...(local ? { keyId: local.id, fingerprint: local.fingerprint } : {}), detail: { remoteName, enabled: updated.enabled, permissions: updated.permissions } });
    });
    this.events.changed('server key updated');
    return updated;
  }

  /** Deletes the server key (it stops working at once), then the vault entry and its secrets. */
  async remoteDelete(ref: KeyRef): Promise<{ remoteName: string; wasOnServer: boolean; removedLocal: boolean }> {
    const local = this.localEntry(ref);
    if (local) {
      if (this.store.openRotations(ref.tenant).some((rotation) => rotation.key_id === local.id)) throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is being rotated; finish or abort the rotation first.`, { remedies: [{ code: 'finish-rotation', key: ref }, { code: 'abort-rotation', key: ref }] });
    }
    const { client } = await this.clientFor(ref.tenant);
    const remoteName = local?.remoteName ?? ref.name;
    const result = await client.delete(remoteName);
    if (!result.ok && result.error.kind !== 'not_found') throw adminFailure(result.error);
    this.db.transaction(() => {
      this.audit.record('remote_deleted', { tenant: ref.tenant, keyName: local?.name ?? remoteName, ...(local ? { keyId: local.id, fingerprint: local.fingerprint } : {}), detail: { remoteName, wasOnServer: result.ok } });
      // A key whose creating answer was lost is gone now: nothing is left to follow up.
      for (const intent of this.store.createIntents(this.tenants.require(ref.tenant).ref)) if (intent.remote_name === remoteName) this.store.settleCreateIntent(intent.id, 'done');
    });
    if (local) await this.keys.remove(ref);
    this.events.changed('server key deleted');
    return { remoteName, wasOnServer: result.ok, removedLocal: local !== null };
  }

  /**
   * Stores a token the server just showed: keychain first, then the row. On a keychain failure the
   * token comes back to be shown once, and the incident is in the audit log; or, when nobody can be
   * shown it (`discardWith` is given), the key is deleted again on the server with that client.
   */
  async storeCreated(ref: KeyRef, token: string, definition: ApiKeyDefinition, detail: Record<string, unknown>, discardWith: AdminClient | null = null): Promise<CreateOutcome> {
    try {
      const key = await this.keys.add(
        { ...ref, secret: token, scopes: definition.permissions },
        'created',
        { remoteName: definition.name, enabled: definition.enabled, createdByServer: true },
      );
      return { stored: true, key, definition, token };
    } catch (error) {
      if (error instanceof VaultError && error.code === 'STORAGE_ERROR') throw error; // the token is in the keychain
      const reason = error instanceof VaultError ? error.message : 'the keychain write failed unexpectedly';
      const print = fingerprint(token);
      if (discardWith) return this.discardUnsaved(ref, definition.name, print, reason, detail, discardWith);
      this.recordUnsaved(ref, definition.name, print, reason, detail);
      return { stored: false, definition, token, fingerprint: print, reason };
    }
  }

  /** A key whose token nobody holds: deleted again on the server (it was never used), and audited. */
  private async discardUnsaved(ref: KeyRef, remoteName: string, print: string, reason: string, detail: Record<string, unknown>, client: AdminClient): Promise<never> {
    const deleted = await client.delete(remoteName);
    try {
      this.audit.record('token_discarded', { tenant: ref.tenant, keyName: ref.name, fingerprint: print, detail: { ...detail, remoteName, reason, deletedOnServer: deleted.ok } });
    } catch {
      // The inventory failing too must not hide what happened on the server.
    }
    if (!deleted.ok) {
      throw new VaultError(
        'KEYCHAIN_UNAVAILABLE',
        `The server created "${remoteName}", but the keychain refused its token (${reason}) and nobody could be shown it; deleting the key again failed too (${deleted.error.message}). Its token is lost: delete "${remoteName}" on the server.`,
      );
    }
    throw new VaultError(
      'KEYCHAIN_UNAVAILABLE',
      `The server created "${remoteName}", but the keychain refused its token (${reason}), and there was nobody to show it to (no terminal, and no JSON asked for): the key was deleted again on the server, unused. Fix the keychain and create it again.`,
    );
  }

  /** The audit entry of a token that could not be stored; best effort, it never hides the token. */
  recordUnsaved(ref: KeyRef, remoteName: string, print: string, reason: string, detail: Record<string, unknown> = {}): void {
    try {
      this.audit.record('token_unsaved', { tenant: ref.tenant, keyName: ref.name, fingerprint: print, detail: { ...detail, remoteName, reason } });
    } catch {
      // The inventory failing too must not stop the token from being shown.
    }
  }

  /** The server name a ref stands for: the vault entry's, or the name itself when not in the vault. */
  remoteNameOf(ref: KeyRef): string {
    return this.localEntry(ref)?.remoteName ?? ref.name;
  }

  private localEntry(ref: KeyRef): KeySummary | null {
    return this.keys.find(ref);
  }
}

/** A listing as the app shows it: the snapshot's row id is the inventory's business. */
function withoutSnapshotId(listing: RemoteListing): Omit<RemoteListing, 'snapshotId'> {
  const { snapshotId: _, ...rest } = listing;
  return rest;
}

/** Per scope, the probes and endpoints known to need it. */
function scopeUses(): Record<string, ScopeUse[]> {
  const uses: Record<string, ScopeUse[]> = {};
  const add = (scope: string, use: ScopeUse) => (uses[scope] ??= []).push(use);
  for (const probe of WALLET_CREW_PROBES) if (probe.scope) add(probe.scope, { method: probe.method, path: probe.path, probe: probe.id });
  for (const endpoint of ADMIN_ENDPOINTS) add(endpoint.scope, { method: endpoint.method, path: endpoint.path, probe: null });
  return uses;
}
