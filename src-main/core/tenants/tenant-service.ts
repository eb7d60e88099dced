/**
 * Tenants: where a vendor's API answers for one customer, and the pasted admin bearer token a
 * tenant's server calls may use. Removing a tenant removes its keys first, through the keys domain.
 */
import { randomUUID } from 'node:crypto';
import type { NewTenantInput, Tenant } from '../../shared/contract.ts';
import { checkBaseUrl, checkName, checkText, looksLikeSecret, normalizeBaseUrl, shownName } from '../../shared/rules.ts';
import { count } from '../../shared/words.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { vendorOf } from '../vendors/vendors.ts';
import { TenantStore, type TenantRow } from './tenant-store.ts';

/** A tenant as the other domains use it: the contract's view, with its row id and its bearer token's times. */
export interface TenantRecord extends Tenant {
  /** The row id: what the other tables refer to. */
  ref: string;
  bearerSetAt: string | null;
  bearerExpiresAt: string | null;
}

/** What removing a tenant asks of the keys domain (which depends on this one, so it is handed in). */
export interface TenantKeys {
  /** Removes every key of the tenant (keychain entries too); returns how many. */
  removeAllOf(alias: string): Promise<number>;
}

/** The keychain account of a tenant's pasted admin bearer token. */
export function bearerAccount(tenantRef: string): string {
  return `bearer:${tenantRef}`;
}

export class TenantService {
  private readonly db: Connection;
  private readonly store: TenantStore;
  private readonly secrets: SecretStore;
  private readonly stamps: Stamps;
  private readonly audit: AuditService;
  private readonly events: VaultEvents;
  private readonly keys: () => TenantKeys;

  constructor(options: { db: Connection; secrets: SecretStore; stamps: Stamps; audit: AuditService; events: VaultEvents; keys: () => TenantKeys }) {
    this.db = options.db;
    this.store = new TenantStore(options.db);
    this.secrets = options.secrets;
    this.stamps = options.stamps;
    this.audit = options.audit;
    this.events = options.events;
    this.keys = options.keys;
  }

  list(): Tenant[] {
    return this.store.list().map((row) => toTenant(row, row.key_count));
  }

  /** Every tenant with its row id, for the domains that join on it. */
  records(): TenantRecord[] {
    return this.store.list().map((row) => toRecord(row, row.key_count));
  }

  /** Adds a tenant; `sandbox` marks the app's built-in sandbox tenant (never from a person's input). */
  add(input: NewTenantInput, options: { sandbox?: boolean } = {}): Tenant {
    assertRule(checkName(input.alias, 'Tenant alias'));
    assertRule(checkName(input.tenantId, 'Tenant id'));
    if (input.label !== undefined) assertRule(checkText(input.label, 'Label'));
    const provider = input.provider ?? 'wallet-crew';
    const vendor = vendorOf(provider);
    if (!vendor) throw new VaultError('INVALID_INPUT', 'Provider must be wallet-crew or airwallex.');
    vendor.checkTenant(input);
    let baseUrl: string;
    if (input.environment === 'custom') {
      if (!input.baseUrl) throw new VaultError('INVALID_INPUT', 'A custom environment needs a base URL (https://…).');
      assertRule(checkBaseUrl(input.baseUrl));
      baseUrl = normalizeBaseUrl(input.baseUrl);
    } else if (input.environment === 'production' || input.environment === 'staging') {
      if (input.baseUrl !== undefined) {
        throw new VaultError('INVALID_INPUT', `Give either an environment (${input.environment}) or a base URL, not both.`);
      }
      baseUrl = vendor.baseUrls[input.environment];
    } else {
      throw new VaultError('INVALID_INPUT', 'Environment must be production, staging or custom.');
    }
    if (this.store.find(input.alias)) {
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
      created_at: this.stamps.now(),
      sandbox: options.sandbox ? 1 : 0,
      client_id: input.clientId ?? null,
      login_as: input.loginAs ?? null,
    };
    this.db.transaction(() => {
      this.store.insert(row);
      this.audit.record('tenant_added', { tenant: row.alias, detail: { tenantId: row.tenant_id, baseUrl, provider, ...(options.sandbox ? { sandbox: true } : {}) } });
    });
    this.events.changed('tenant added');
    return toTenant(row, 0);
  }

  /** Points a tenant at another base URL (the sandbox's port changes from one start to the next). */
  setBaseUrl(alias: string, baseUrl: string): void {
    const tenant = this.require(alias);
    assertRule(checkBaseUrl(baseUrl));
    const normalized = normalizeBaseUrl(baseUrl);
    if (normalized === tenant.baseUrl) return;
    this.db.transaction(() => {
      this.store.setBaseUrl(tenant.ref, normalized);
      this.audit.record('tenant_updated', { tenant: alias, detail: { baseUrl: normalized } });
    });
    this.events.changed('tenant updated');
  }

  /** Removes a tenant; refuses while it holds keys unless `withKeys`, which removes them first. */
  async remove(alias: string, options: { withKeys?: boolean } = {}): Promise<{ removedKeys: number }> {
    const tenant = this.require(alias);
    const held = this.store.keyCount(tenant.ref);
    if (held > 0 && !options.withKeys) {
      throw new VaultError('CONFLICT', `Tenant "${alias}" still holds ${count(held, 'key')}.`, { remedies: [{ code: 'remove-tenant-with-keys', tenant: alias }] });
    }
    const removedKeys = held > 0 ? await this.keys().removeAllOf(alias) : 0;
    await this.secrets.delete(bearerAccount(tenant.ref));
    this.db.transaction(() => {
      this.store.delete(tenant.ref);
      this.audit.record('tenant_removed', { tenant: alias, detail: { removedKeys } });
    });
    this.events.changed('tenant removed');
    return { removedKeys };
  }

  /** The tenant (its key count is not read: 0), or a NOT_FOUND error that says how to list them. */
  require(alias: string): TenantRecord {
    const row = this.store.find(alias);
    if (!row) throw new VaultError('NOT_FOUND', `No tenant ${looksLikeSecret(alias) ? shownName(alias) : `"${alias}"`} in the vault.`, { remedies: [{ code: 'list-tenants' }] });
    return toRecord(row);
  }

  /** The tenant of a row id (another table's reference), if it is still there. */
  byRef(ref: string): TenantRecord | undefined {
    const row = this.store.findById(ref);
    return row ? toRecord(row) : undefined;
  }

  /** The app's sandbox tenant, if it has one. */
  sandbox(): TenantRecord | undefined {
    const row = this.store.sandbox();
    return row ? toRecord(row) : undefined;
  }

  /**
   * Keeps a pasted OAuth bearer token for the tenant's admin calls: keychain first, then the
   * metadata (when it was set, when it expires). A JWT's own `exp` is used when no expiry is given.
   */
  async setBearer(alias: string, token: string, expiresAt: string | null): Promise<{ expiresAt: string | null }> {
    const tenant = this.require(alias);
    const bare = token.trim().replace(/^Bearer\s+/i, '');
    if (bare.length < 16 || /\s/.test(bare)) throw new VaultError('INVALID_INPUT', 'That does not look like a bearer token (at least 16 characters, no spaces). Paste the access token itself.');
    let expiry = expiresAt;
    if (expiry !== null && Number.isNaN(Date.parse(expiry))) throw new VaultError('INVALID_INPUT', 'The expiry must be a date and time (ISO 8601), e.g. 2026-11-22T18:00:00Z.');
    expiry ??= jwtExpiry(bare);
    await this.secrets.set(bearerAccount(tenant.ref), bare);
    this.db.transaction(() => {
      this.store.setBearer(tenant.ref, this.stamps.now(), expiry);
      this.audit.record('bearer_set', { tenant: alias, detail: { expiresAt: expiry } });
    });
    this.events.changed('bearer token kept');
    return { expiresAt: expiry };
  }

  async clearBearer(alias: string): Promise<boolean> {
    const tenant = this.require(alias);
    const deleted = await this.secrets.delete(bearerAccount(tenant.ref));
    this.db.transaction(() => {
      this.store.setBearer(tenant.ref, null, null);
      this.audit.record('bearer_cleared', { tenant: alias });
    });
    this.events.changed('bearer token cleared');
    return deleted;
  }

  /** The tenant's pasted bearer token, if one is kept. */
  async bearerOf(alias: string): Promise<{ token: string; expiresAt: string | null } | null> {
    const tenant = this.require(alias);
    if (!tenant.bearerSetAt) return null;
    const token = await this.secrets.get(bearerAccount(tenant.ref));
    return token === null ? null : { token, expiresAt: tenant.bearerExpiresAt };
  }
}

function toTenant(row: TenantRow, keyCount: number): Tenant {
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

function toRecord(row: TenantRow & { key_count?: number }, keyCount = row.key_count ?? 0): TenantRecord {
  return { ...toTenant(row, keyCount), ref: row.id, bearerSetAt: row.bearer_set_at ?? null, bearerExpiresAt: row.bearer_expires_at ?? null };
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
