/**
 * Replace after regenerate. Airwallex regenerates a key in its web app and the old one stops at once
 * (no overlap, unlike a rotation): the entry is then broken until it holds the new key. The new key
 * is checked first; only when it authenticates does the entry switch to it, and the old secret —
 * dead on the server — is dropped from the keychain. The entry keeps its name, history and audit
 * trail; the old key stays in its history as an earlier key, deleted.
 */
import { randomUUID } from 'node:crypto';
import type { CheckResult } from '../../shared/check.ts';
import type { KeyRef } from '../../shared/contract.ts';
import { checkSecret } from '../../shared/rules.ts';
import { assertRule, VaultError } from '../errors.ts';
import { defaultProbe } from '../probe/catalogue.ts';
import type { CheckService } from '../probe/check-service.ts';
import { toTenant } from '../inventory/inventory.ts';
import { fingerprint } from '../vault/fingerprint.ts';
import { formatKeyRef } from '../vault/key-ref.ts';
import type { VaultService } from '../vault/vault-service.ts';

/** What a person should know before regenerating: the old key stops the moment they do. */
export const REGENERATE_WARNING =
  'Regenerating a key stops the old one at once: every integration using it fails until it has the new key. Regenerate at a quiet moment, then replace the key here and deploy it right away.';

/**
 * Checks `newSecret` and switches the entry to it. `oldDropped` is false when the keychain refused
 * to delete the old secret after the switch: the replacement stands (it is committed), and the old
 * entry, dead on the server, is left for the person to delete.
 */
export async function replaceAfterRegenerate(vault: VaultService, checks: CheckService, ref: KeyRef, newSecret: string): Promise<{ result: CheckResult; fingerprint: string; oldDropped: boolean; oldAccount: string }> {
  assertRule(checkSecret(newSecret));
  const row = vault.requireKey(ref);
  const print = fingerprint(newSecret);
  if (print === row.fingerprint) throw new VaultError('INVALID_INPUT', `That is the key ${formatKeyRef(ref)} already holds (fingerprint ${print}); paste the regenerated one.`);
  const twin = vault.inventory.findKeysByFingerprint(print)[0];
  if (twin) throw new VaultError('ALREADY_EXISTS', `This key is already stored as ${twin.tenant_alias}/${twin.name}; a key belongs to one entry.`);
  const tenant = toTenant(vault.requireTenant(ref.tenant), 0);
  const target = checks.targetFor(tenant, row.remote_name ?? row.name);
  const { probe } = defaultProbe(checks.probes(target.vendor), JSON.parse(row.scopes) as string[], true);
  const result = await checks.checkSecret(target, newSecret, probe);
  if (result.verdict !== 'valid' && result.verdict !== 'authenticated' && result.verdict !== 'forbidden') {
    throw new VaultError('REMOTE_REFUSED', `The new key did not pass the ${probe.id} check (${result.verdict}${result.status ? `, ${result.status}` : ''}): ${result.summary} ${formatKeyRef(ref)} keeps the key it had.`, { remedies: [{ code: 'check-login-credentials' }] });
  }
  const account = randomUUID();
  await vault.secrets.set(account, newSecret);
  const at = vault.now();
  try {
    vault.inventory.transaction(() => {
      vault.inventory.insertCredential({ account: row.secret_account, key_id: row.id, remote_name: row.remote_name ?? row.name, fingerprint: row.fingerprint, state: 'deleted', replaced_at: at, retired_at: at });
      vault.inventory.switchKeyCredential(row.id, { account, remoteName: row.remote_name ?? row.name, fingerprint: print, at });
      vault.audit('replaced', { tenant: ref.tenant, keyName: ref.name, keyId: row.id, fingerprint: print, detail: { oldFingerprint: row.fingerprint, verdict: result.verdict } });
    });
  } catch (error) {
    // The entry still holds its old key: the new secret is not left behind in the keychain.
    await vault.secrets.delete(account).catch(() => undefined);
    throw error;
  }
  const oldDropped = await vault.secrets.delete(row.secret_account).then(
    () => true,
    () => false,
  );
  return { result, fingerprint: print, oldDropped, oldAccount: row.secret_account };
}
