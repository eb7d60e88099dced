/** Keys handed to a program's environment (the command line's `exec`): refused when the vault knows them not to work. */
import type { KeyRef, KeySummary, Tenant } from '../../shared/contract.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Connection } from '../db/connection.ts';
import { VaultError } from '../errors.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { formatKeyRef } from './key-ref.ts';
import type { KeyService } from './key-service.ts';

/**
 * Keys and their secrets for a program's environment. A key the vault knows not to work — expired,
 * or refused (401) when last judged — is refused, naming why, unless `force`; each key
 * handed out is audited with the program's name (never its arguments).
 */
export async function keysForInjection(keys: Pick<KeyService, 'show' | 'secretOf'>, vault: { db: Connection; tenants: TenantService; audit: AuditService }, refs: KeyRef[], options: { force: boolean; program: string }): Promise<{ key: KeySummary; tenant: Tenant; secret: string }[]> {
  const chosen = refs.map((ref) => keys.show(ref));
  if (!options.force) {
    for (const key of chosen) {
      const ref = { tenant: key.tenant, name: key.name };
      if (key.expired && key.expiresOn !== null) {
        throw new VaultError('CONFLICT', `${formatKeyRef(ref)} expired on ${key.expiresOn}; it is not handed to the program (force it if you know it still works).`, { remedies: [{ code: 'key-expired', expiresOn: key.expiresOn }, { code: 'check-key', key: ref }] });
      }
      if (key.lastJudgement === 'unauthorized') {
        throw new VaultError('CONFLICT', `${formatKeyRef(ref)} was refused by the server (401) when last judged, ${(key.lastJudgedAt ?? 'an unrecorded day').slice(0, 10)}; it is not handed to the program (force it, or check it again).`, { remedies: [{ code: 'check-key', key: ref }, { code: 'list-server-keys', tenant: key.tenant }] });
      }
    }
  }
  const handed: { key: KeySummary; tenant: Tenant; secret: string }[] = [];
  for (const key of chosen) handed.push({ key, tenant: vault.tenants.require(key.tenant), secret: await keys.secretOf(key) });
  vault.db.transaction(() => {
    for (const { key } of handed) vault.audit.record('injected', { tenant: key.tenant, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint, detail: { program: options.program, forced: options.force } });
  });
  return handed;
}
