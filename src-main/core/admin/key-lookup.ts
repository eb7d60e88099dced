/**
 * One server key looked up for a check's diagnosis: what the admin API says of it (found, absent),
 * or why it could not be asked (no admin credential but the key diagnosed, a vendor without an admin
 * API, a failed call). Names and permissions from the server pass through the redactor.
 */
import { VaultError } from '../errors.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { vendorOf } from '../vendors/vendors.ts';
import type { ApiKeyDefinition } from '../vendors/wallet-crew/admin-api.ts';
import type { AdminService } from './admin-service.ts';

/** What the admin API said of one server key (`lookupKey`), or why it could not be asked. */
export type KeyLookup =
  | { kind: 'found'; definition: ApiKeyDefinition; credential: string }
  | { kind: 'absent'; credential: string }
  /** No admin key (other than the one diagnosed) and no bearer token. */
  | { kind: 'no-credential' }
  /** The tenant's only admin credential is the key diagnosed. */
  | { kind: 'self' }
  | { kind: 'no-admin-api'; vendor: string; where: string }
  | { kind: 'failed'; reason: string };

/** Looks `remoteName` up on the tenant's server, never with the key whose fingerprint is `diagnosed`. */
export async function lookupKey(
  sources: { admin: Pick<AdminService, 'clientFor'>; tenants: Pick<TenantService, 'require'>; keys: Pick<KeyService, 'list'> },
  alias: string,
  remoteName: string,
  diagnosed: string,
  redactor: Redactor,
): Promise<KeyLookup> {
  const tenant = sources.tenants.require(alias);
  const vendor = vendorOf(tenant.provider);
  if (vendor?.noAdminApi) return { kind: 'no-admin-api', vendor: vendor.name, where: vendor.noAdminApi };
  let asked: Awaited<ReturnType<AdminService['clientFor']>>;
  try {
    asked = await sources.admin.clientFor(alias, { notWith: diagnosed });
  } catch (error) {
    if (!(error instanceof VaultError) || error.code !== 'NOT_FOUND') return { kind: 'failed', reason: error instanceof VaultError ? error.message : 'the admin credential could not be read' };
    const self = sources.keys.list({ tenant: alias }).some((key) => key.admin && key.fingerprint === diagnosed);
    return { kind: self ? 'self' : 'no-credential' };
  }
  const answer = await asked.client.get(remoteName);
  if (answer.ok) {
    const { name, enabled, permissions } = answer.value;
    return { kind: 'found', credential: asked.credential, definition: { name: redactor.redactName(name), enabled, permissions: permissions.map((permission) => redactor.redactName(permission)) } };
  }
  if (answer.error.kind === 'not_found') return { kind: 'absent', credential: asked.credential };
  return { kind: 'failed', reason: redactor.redactText(answer.error.message) };
}
