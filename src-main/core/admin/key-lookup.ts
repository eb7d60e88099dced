/**
 * One server key looked up for a check's diagnosis: what the admin API says of it (found, absent),
 * or why it could not be asked (no admin credential but the key diagnosed, a vendor without an admin
 * API, a failed call). Names and permissions from the server pass through the redactor.
 */
import type { KeyRef, KeySummary } from '../../shared/contract.ts';
import type { Remedy } from '../../shared/remedies.ts';
import { VaultError } from '../errors.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { vendorOf } from '../vendors/vendors.ts';
import { READ_SCOPE, type AdminClient, type ApiKeyDefinition } from '../vendors/wallet-crew/admin-api.ts';
import { isAdminScope } from '../vendors/wallet-crew/scopes.ts';
import type { AdminService } from './admin-service.ts';

/** What the admin API said of one server key (`lookupKey`), or why it could not be asked. */
export type KeyLookup =
  | { kind: 'found'; definition: ApiKeyDefinition; credential: string }
  | { kind: 'absent'; credential: string }
  | Exclude<AdminAccess, { kind: 'client' }>;

/** The tenant's admin client for diagnosing keys, or why there is none. */
export type AdminAccess =
  | { kind: 'client'; client: AdminClient; credential: string; whenRefused: Remedy }
  /** No admin key (other than the one diagnosed) and no bearer token; `markable`: stored keys that could be one. */
  | { kind: 'no-credential'; markable: { key: KeyRef; scopes: string[] }[] }
  /** The tenant's only admin credential is the key diagnosed. */
  | { kind: 'self' }
  | { kind: 'no-admin-api'; vendor: string; where: string }
  /** `remedies`: what would let the lookup succeed (the error's own advice, or what fixes a refused credential). */
  | { kind: 'failed'; reason: string; remedies?: Remedy[] };

/**
 * Stored keys of a tenant (`keys`), not marked admin, that declare admin scopes (`*`,
 * `tenant.apiKey:…`): marking one is the shortest way to an admin credential. At most three are
 * offered (a check leaves out the key it diagnoses, then offers two); never `notWith` (a
 * fingerprint), a key disabled on the server, nor one refused at its last judgement.
 */
export function markableAdmins(keys: readonly KeySummary[], notWith?: string): Remedy[] {
  return keys
    .filter((key) => !key.admin && key.enabled && key.fingerprint !== notWith && key.lastJudgement !== 'unauthorized' && key.scopes.some(isAdminScope))
    .slice(0, 3)
    .map((key) => ({ code: 'mark-admin', key: { tenant: key.tenant, name: key.name }, scopes: key.scopes.filter(isAdminScope) }));
}

/**
 * The tenant's admin client for diagnosing a key, never the key whose fingerprint is `notWith`: a
 * key is not asked about itself. One per tenant (and admin key diagnosed) serves a whole bulk run.
 */
export async function adminAccess(
  sources: { admin: Pick<AdminService, 'clientFor'>; tenants: Pick<TenantService, 'require'>; keys: Pick<KeyService, 'admins'> },
  alias: string,
  notWith: string,
): Promise<AdminAccess> {
  const tenant = sources.tenants.require(alias);
  const vendor = vendorOf(tenant.provider);
  if (vendor?.noAdminApi) return { kind: 'no-admin-api', vendor: vendor.name, where: vendor.noAdminApi };
  try {
    const { client, credential, whenRefused } = await sources.admin.clientFor(alias, { notWith });
    return { kind: 'client', client, credential, whenRefused };
  } catch (error) {
    if (!(error instanceof VaultError) || error.code !== 'NOT_FOUND') return error instanceof VaultError ? { kind: 'failed', reason: error.message, remedies: error.remedies } : { kind: 'failed', reason: 'the admin credential could not be read' };
    const self = sources.keys.admins(alias).some((key) => key.fingerprint === notWith);
    if (self) return { kind: 'self' };
    return { kind: 'no-credential', markable: error.remedies.flatMap((remedy) => (remedy.code === 'mark-admin' ? [{ key: remedy.key, scopes: remedy.scopes }] : [])) };
  }
}

/** Looks `remoteName` up with `access`; the names and permissions the server gives pass through `redactor`. */
export async function lookupKey(access: AdminAccess, remoteName: string, redactor: Redactor): Promise<KeyLookup> {
  if (access.kind !== 'client') return access;
  const answer = await access.client.get(remoteName);
  if (answer.ok) {
    const { name, enabled, permissions } = answer.value;
    return { kind: 'found', credential: access.credential, definition: { name: redactor.redactName(name), enabled, permissions: permissions.map((permission) => redactor.redactName(permission)) } };
  }
  if (answer.error.kind === 'not_found') return { kind: 'absent', credential: access.credential };
  const refused = answer.error.kind === 'unauthorized' || answer.error.kind === 'forbidden';
  // An admin key refused the admin API (403) authenticates: its own check would say valid, so the advice is the permission it lacks.
  const lacking: Remedy | null = answer.error.kind === 'forbidden' && access.whenRefused.code === 'admin-key-refused' ? { code: 'admin-key-lacks-scope', key: access.whenRefused.key, scope: READ_SCOPE } : null;
  return { kind: 'failed', reason: redactor.redactText(answer.error.message), ...(refused ? { remedies: [lacking ?? access.whenRefused] } : {}) };
}
