/**
 * Replace after regenerate, or after any change of a key's token outside the vault. Airwallex
 * regenerates a key in its web app and the old one stops at once (no overlap, unlike a rotation); a
 * Wallet Crew key's token may be replaced elsewhere (the server's word then lists the key as enabled
 * while refusing the secret held): the entry is broken until it holds the new token. The new key
 * is checked first; only when it authenticates does the entry switch to it, and the old secret —
 * dead on the server — is dropped from the keychain. The entry keeps its name, history and audit
 * trail; the old key stays in its history as an earlier key, deleted.
 */
import { randomUUID } from 'node:crypto';
import type { CheckResult } from '../../shared/check.ts';
import { NON_JUDGEMENTS } from '../../shared/verdicts.ts';
import type { KeyRef } from '../../shared/contract.ts';
import { checkSecret } from '../../shared/rules.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { CheckService } from '../checks/check-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import { fingerprint } from '../keys/fingerprint.ts';
import { formatKeyRef } from '../keys/key-ref.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { defaultProbe } from '../vendors/vendor.ts';

/** What a replacement reads, checks and writes through. */
export interface ReplaceVault {
  db: Connection;
  secrets: SecretStore;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  checks: CheckService;
  events: VaultEvents;
}

/** What a person should know before regenerating: the old key stops the moment they do. */
export const REGENERATE_WARNING =
  'Regenerating a key stops the old one at once: every integration using it fails until it has the new key. Regenerate at a quiet moment, then replace the key here and deploy it right away.';

/**
 * Checks `newSecret` and switches the entry to it. `oldDropped` is false when the keychain refused
 * to delete the old secret after the switch: the replacement stands (it is committed), and the old
 * entry, dead on the server, is left for the person to delete. A team's pull replaces a secret the
 * same way when a member rotated the key: `remoteName` is then the new key's name on the server,
 * and `from` who handed it over (for the audit log).
 */
export async function replaceAfterRegenerate(vault: ReplaceVault, ref: KeyRef, newSecret: string, options: { remoteName?: string; from?: string } = {}): Promise<{ result: CheckResult; fingerprint: string; oldDropped: boolean; oldAccount: string }> {
  assertRule(checkSecret(newSecret));
  const key = vault.keys.show(ref);
  const print = fingerprint(newSecret);
  if (print === key.fingerprint) throw new VaultError('INVALID_INPUT', `That is the key ${formatKeyRef(ref)} already holds (fingerprint ${print}); paste the regenerated one.`);
  const twin = vault.keys.byFingerprint(print)[0];
  if (twin) throw new VaultError('ALREADY_EXISTS', `This key is already stored as ${twin.tenant}/${twin.name}; a key belongs to one entry.`);
  const remoteName = options.remoteName ?? key.remoteName;
  const target = vault.checks.targetFor(vault.tenants.require(ref.tenant), remoteName);
  const { probe } = defaultProbe(vault.checks.probes(target.vendor), key.scopes, true);
  const result = await vault.checks.checkSecret(target, newSecret, probe);
  // An answer that says nothing of the key (a busy or failing server, an unconfirmed control): nothing to refuse it on either.
  if (NON_JUDGEMENTS.includes(result.verdict)) {
    // An endpoint that lets any key in answered: waiting changes nothing until that is fixed.
    const again = result.control?.state === 'accepted' ? 'run this again once the endpoint refuses a key that cannot exist (see below)' : 'run this again when the server answers';
    throw new VaultError('REMOTE_FAILED', `The new key could not be confirmed (${result.verdict}${result.status ? `, ${result.status}` : ''}): ${result.summary} ${formatKeyRef(ref)} keeps the key it had; ${again}.`, {
      remedies: result.nextSteps.filter((step) => step.code !== 'lower-concurrency'),
    });
  }
  if (result.verdict !== 'valid' && result.verdict !== 'authenticated' && result.verdict !== 'forbidden') {
    // The login exchange's remedy is Airwallex's; the check's own next steps say the rest.
    const login = target.auth.kind === 'airwallex' ? [{ code: 'check-login-credentials' as const }] : [];
    throw new VaultError('REMOTE_REFUSED', `The new key did not pass the ${probe.id} check (${result.verdict}${result.status ? `, ${result.status}` : ''}): ${result.summary} ${formatKeyRef(ref)} keeps the key it had.`, { remedies: [...login, ...result.nextSteps.filter((step) => step.code !== 'run-scope-matrix')] });
  }
  const account = randomUUID();
  await vault.secrets.set(account, newSecret);
  const at = vault.stamps.now();
  try {
    vault.db.transaction(() => {
      vault.keys.keepCredential({ account: key.secretAccount, key_id: key.id, remote_name: key.remoteName, fingerprint: key.fingerprint, state: 'deleted', replaced_at: at, retired_at: at });
      vault.keys.switchCredential(key.id, { account, remoteName, fingerprint: print, at });
      vault.audit.record('replaced', { tenant: ref.tenant, keyName: ref.name, keyId: key.id, fingerprint: print, detail: { oldFingerprint: key.fingerprint, verdict: result.verdict, ...(options.from === undefined ? {} : { from: options.from }) } });
    });
  } catch (error) {
    // The entry still holds its old key: the new secret is not left behind in the keychain.
    await vault.secrets.delete(account).catch(() => undefined);
    throw error;
  }
  vault.events.changed('key replaced');
  const oldDropped = await vault.secrets.delete(key.secretAccount).then(
    () => true,
    () => false,
  );
  return { result, fingerprint: print, oldDropped, oldAccount: key.secretAccount };
}
