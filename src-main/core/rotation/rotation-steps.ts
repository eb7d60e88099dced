/**
 * The steps of a rotation, each journaled before and after it happens (see rotation-service.ts for
 * the order): create the new server key and keep its token, verify it, switch the entry over,
 * retire the old key, or roll back. Each step reads where the rotation stands from its row, so a
 * step run twice (after a crash) does what is left of it and no more.
 */
import type { CheckResult } from '../../shared/check.ts';
import type { KeyRef, RetireMode, RotationProgress, RotationStatus } from '../../shared/contract.ts';
import type { Remedy } from '../../shared/remedies.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { UnsavedToken } from '../admin/unsaved-tokens.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { CheckService } from '../checks/check-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { VaultError } from '../errors.ts';
import { fingerprint } from '../keys/fingerprint.ts';
import type { KeyService } from '../keys/key-service.ts';
import { requireKeychainBeforeCreate } from '../secrets/round-trip.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { defaultProbe } from '../vendors/vendor.ts';
import { adminFailure, type AdminClient, type AdminError } from '../vendors/wallet-crew/admin-api.ts';
import type { RotationRow, RotationStore } from './rotation-store.ts';

export interface RotationStepsOptions {
  db: Connection;
  store: RotationStore;
  secrets: SecretStore;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  admin: AdminService;
  checks: CheckService;
  onUnsavedToken: (token: UnsavedToken) => boolean;
  verifyAttempts: number;
  verifyDelayMs: number;
  /** Told of every step written to a journal. */
  stepListeners: Set<(progress: RotationProgress) => void>;
}

export class RotationSteps {
  private readonly db: Connection;
  private readonly store: RotationStore;
  private readonly secrets: SecretStore;
  private readonly stamps: Stamps;
  private readonly audit: AuditService;
  private readonly tenants: TenantService;
  private readonly keys: KeyService;
  private readonly admin: AdminService;
  private readonly checks: CheckService;
  private readonly onUnsavedToken: (token: UnsavedToken) => boolean;
  private readonly verifyAttempts: number;
  private readonly verifyDelayMs: number;
  private readonly stepListeners: Set<(progress: RotationProgress) => void>;

  constructor(options: RotationStepsOptions) {
    this.db = options.db;
    this.store = options.store;
    this.secrets = options.secrets;
    this.stamps = options.stamps;
    this.audit = options.audit;
    this.tenants = options.tenants;
    this.keys = options.keys;
    this.admin = options.admin;
    this.checks = options.checks;
    this.onUnsavedToken = options.onUnsavedToken;
    this.verifyAttempts = options.verifyAttempts;
    this.verifyDelayMs = options.verifyDelayMs;
    this.stepListeners = options.stepListeners;
  }

  /** create → created → verified → switched, from wherever the rotation stands. */
  async advance(id: string, client: AdminClient): Promise<RotationStatus> {
    for (;;) {
      const rotation = this.row(id);
      switch (rotation.step) {
        case 'begin':
        case 'create':
        case 'store-failed':
          await this.create(rotation, client);
          break;
        case 'created':
          await this.verify(rotation, client);
          break;
        case 'verified':
          this.switchOver(rotation);
          break;
        default:
          return rotationStatus(rotation);
      }
    }
  }

  private async create(rotation: RotationRow, client: AdminClient): Promise<void> {
    // A kill after the keychain write but before the journal's "after": the token is there.
    const stored = await this.secrets.get(rotation.new_account);
    if (stored !== null) {
      this.mark(rotation, 'create', 'after', { step: 'created', new_fingerprint: fingerprint(stored) }, { recoveredFromKeychain: true });
      return;
    }
    if (rotation.step !== 'begin') {
      // The create may have reached the server without its token reaching the keychain. Such a key's
      // token is gone for good, so the key is deleted before a fresh one is created.
      await this.discardNewServerKey(rotation, client);
    }
    await requireKeychainBeforeCreate(this.secrets);
    this.mark(rotation, 'create', 'before', { step: 'create' }, { name: rotation.new_remote_name });
    const created = await client.create({ name: rotation.new_remote_name, permissions: JSON.parse(rotation.permissions) as string[] });
    if (!created.ok) {
      this.mark(rotation, 'create', 'failed', { last_error: created.error.message }, { kind: created.error.kind, status: created.error.status });
      if (created.error.kind === 'invalid' || created.error.kind === 'conflict') {
        // Nothing was created: the rotation ends here, the entry keeps its key.
        this.end(rotation, 'rolled_back', created.error.message);
      }
      throw adminFailure(created.error);
    }
    const token = created.value.token;
    try {
      await this.secrets.set(rotation.new_account, token);
    } catch (error) {
      const reason = error instanceof VaultError ? error.message : 'the keychain write failed';
      const print = fingerprint(token);
      const ref = { tenant: rotation.tenant, name: rotation.key_name };
      this.admin.recordUnsaved(ref, rotation.new_remote_name, print, reason, { rotation: rotation.id });
      this.mark(rotation, 'store', 'failed', { step: 'store-failed', last_error: reason }, { fingerprint: print });
      if (this.onUnsavedToken({ key: ref, remoteName: rotation.new_remote_name, token, fingerprint: print, reason })) {
        throw new VaultError(
          'KEYCHAIN_UNAVAILABLE',
          `The server created "${rotation.new_remote_name}" but its token could not be stored (${reason}); it was shown once and the incident is in the audit log. ` +
            'The entry still uses its old key; once the keychain answers, resuming replaces that key with a fresh one.',
          { remedies: [{ code: 'fix-keychain' }, { code: 'resume-rotation', key: ref }, { code: 'abort-rotation', key: ref }] },
        );
      }
      // Nobody could be shown the token: the key is of no use to anyone, so it goes again at once.
      await this.discardNewServerKey(rotation, client);
      throw new VaultError(
        'KEYCHAIN_UNAVAILABLE',
        `The server created "${rotation.new_remote_name}" but its token could not be stored (${reason}), and nobody could be shown it; the new key was deleted again on the server. ` +
          'The entry still uses its old key.',
        { remedies: [{ code: 'fix-keychain' }, { code: 'resume-rotation', key: ref }, { code: 'abort-rotation', key: ref }] },
      );
    }
    this.mark(rotation, 'create', 'after', { step: 'created', new_fingerprint: fingerprint(token), last_error: null }, { fingerprint: fingerprint(token) });
  }

  /** Probes the new key, retrying briefly: a 2xx, or a 403 (it authenticates, scope aside), passes. */
  private async verify(rotation: RotationRow, client: AdminClient): Promise<void> {
    const secret = await this.secrets.get(rotation.new_account);
    if (secret === null) {
      this.mark(rotation, 'verify', 'failed', { step: 'create', last_error: 'the new token is no longer in the keychain' }, null);
      return;
    }
    const target = this.checks.targetFor(this.tenants.require(rotation.tenant), rotation.new_remote_name);
    const { probe } = defaultProbe(this.checks.probes(target.vendor), JSON.parse(rotation.permissions) as string[], true);
    this.mark(rotation, 'verify', 'before', {}, { probe: probe.id });
    let result: CheckResult | null = null;
    for (let attempt = 1; attempt <= this.verifyAttempts; attempt += 1) {
      result = await this.checks.checkSecret(target, secret, probe, { redactor: client.redactor });
      // Inconclusive is no propagation delay: its control already had its own tries.
      if (result.verdict === 'valid' || result.verdict === 'forbidden' || result.verdict === 'authenticated' || result.verdict === 'inconclusive') break;
      if (attempt < this.verifyAttempts) await new Promise((resolve) => setTimeout(resolve, this.verifyDelayMs * attempt));
    }
    if (result!.verdict !== 'valid' && result!.verdict !== 'forbidden' && result!.verdict !== 'authenticated') {
      const message = `The new key "${rotation.new_remote_name}" ${result!.verdict === 'inconclusive' ? 'could not be confirmed by' : 'did not pass'} the ${probe.id} probe (${result!.verdict}${result!.status ? `, ${result!.status}` : ''}): ${result!.summary}`;
      this.mark(rotation, 'verify', 'failed', { last_error: message }, { verdict: result!.verdict, status: result!.status });
      const ref = { tenant: rotation.tenant, name: rotation.key_name };
      // Inconclusive: what made it so (an endpoint that lets any key in) comes first; resuming before that is fixed gets the same answer.
      const cause = result!.verdict === 'inconclusive' ? result!.nextSteps : [];
      throw new VaultError('REMOTE_FAILED', `${message} The entry still uses its old key; the new server key "${rotation.new_remote_name}" stays until the rotation is resumed or aborted.`, { remedies: [...cause, { code: 'resume-rotation', key: ref }, { code: 'abort-rotation', key: ref }] });
    }
    this.mark(rotation, 'verify', 'after', { step: 'verified', last_error: null }, { probe: probe.id, verdict: result!.verdict, status: result!.status });
  }

  /** One transaction: the entry uses the new key; the old one is kept as the overlap credential. */
  private switchOver(rotation: RotationRow): void {
    const at = this.stamps.now();
    this.db.transaction(() => {
      this.keys.keepCredential({
        account: rotation.old_account,
        key_id: rotation.key_id,
        remote_name: rotation.old_remote_name,
        fingerprint: rotation.old_fingerprint,
        state: 'overlap',
        replaced_at: at,
        retired_at: null,
      });
      this.keys.switchCredential(rotation.key_id, { account: rotation.new_account, remoteName: rotation.new_remote_name, fingerprint: rotation.new_fingerprint!, at });
      this.store.update(rotation.id, { state: 'overlap', step: 'switched', updated_at: at });
      this.store.journal(rotation.id, { at, step: 'switch', phase: 'after', detail: { newRemoteName: rotation.new_remote_name } });
      this.audit.record('rotated', {
        tenant: rotation.tenant,
        keyName: rotation.key_name,
        keyId: rotation.key_id,
        fingerprint: rotation.new_fingerprint!,
        detail: { rotation: rotation.id, from: rotation.old_remote_name, to: rotation.new_remote_name, oldFingerprint: rotation.old_fingerprint },
      });
    });
  }

  async retire(rotation: RotationRow, mode: RetireMode, client: AdminClient): Promise<RotationStatus> {
    this.mark(rotation, 'retire', 'before', { step: 'retire', retire: mode }, { mode, name: rotation.old_remote_name });
    let gone = false;
    if (mode === 'delete') {
      const deleted = await client.delete(rotation.old_remote_name);
      if (!deleted.ok && deleted.error.kind !== 'not_found') return this.failRetire(rotation, deleted.error);
      gone = true;
    } else {
      const current = await client.get(rotation.old_remote_name);
      if (!current.ok && current.error.kind !== 'not_found') return this.failRetire(rotation, current.error);
      if (current.ok) {
        const updated = await client.update(rotation.old_remote_name, { enabled: false, permissions: current.value.permissions });
        if (!updated.ok && updated.error.kind !== 'not_found') return this.failRetire(rotation, updated.error);
        gone = !updated.ok;
      } else {
        gone = true;
      }
    }
    // A deleted key's secret has no use left; a disabled one's is kept, should it be enabled again.
    if (gone) await this.secrets.delete(rotation.old_account);
    const at = this.stamps.now();
    this.db.transaction(() => {
      this.keys.retireCredential(rotation.old_account, gone ? 'deleted' : 'disabled', at);
      this.store.update(rotation.id, { state: 'finished', step: 'finished', last_error: null, updated_at: at });
      this.store.journal(rotation.id, { at, step: 'retire', phase: 'after', detail: { mode, result: gone ? 'deleted' : 'disabled' } });
      this.audit.record('retired', { tenant: rotation.tenant, keyName: rotation.key_name, keyId: rotation.key_id, fingerprint: rotation.old_fingerprint, detail: { rotation: rotation.id, remoteName: rotation.old_remote_name, result: gone ? 'deleted' : 'disabled' } });
    });
    return rotationStatus(this.row(rotation.id));
  }

  private failRetire(rotation: RotationRow, error: AdminError): never {
    this.mark(rotation, 'retire', 'failed', { last_error: error.message }, { kind: error.kind, status: error.status });
    const failure = adminFailure(error);
    throw new VaultError(failure.code, `${failure.message} The entry uses the new key; the old one is not retired yet.`, {
      remedies: [{ code: 'resume-rotation', key: { tenant: rotation.tenant, name: rotation.key_name } }],
    });
  }

  async abortRotation(rotation: RotationRow, client: AdminClient): Promise<RotationStatus> {
    if (rotation.state === 'overlap') {
      // Back to the old key first (it still works), so the entry is never without a working key.
      const at = this.stamps.now();
      this.db.transaction(() => {
        this.keys.switchCredential(rotation.key_id, { account: rotation.old_account, remoteName: rotation.old_remote_name, fingerprint: rotation.old_fingerprint, at: null });
        this.keys.forgetCredential(rotation.old_account);
        this.store.update(rotation.id, { state: 'started', step: 'aborting', updated_at: at });
        this.store.journal(rotation.id, { at, step: 'switch-back', phase: 'after', detail: null });
      });
      rotation = this.row(rotation.id);
    } else if (rotation.step !== 'aborting') {
      this.mark(rotation, 'abort', 'before', { step: 'aborting' }, null);
    }
    await this.discardNewServerKey(rotation, client);
    await this.secrets.delete(rotation.new_account);
    this.end(rotation, 'rolled_back', null);
    return rotationStatus(this.row(rotation.id));
  }

  /** Deletes the rotation's new server key if it exists (404: it never did, or is gone already). */
  private async discardNewServerKey(rotation: RotationRow, client: AdminClient): Promise<void> {
    this.mark(rotation, 'discard-new', 'before', {}, { name: rotation.new_remote_name });
    const deleted = await client.delete(rotation.new_remote_name);
    if (!deleted.ok && deleted.error.kind !== 'not_found') {
      this.mark(rotation, 'discard-new', 'failed', { last_error: deleted.error.message }, { kind: deleted.error.kind });
      throw adminFailure(deleted.error);
    }
    this.mark(rotation, 'discard-new', 'after', {}, { existed: deleted.ok });
  }

  private end(rotation: RotationRow, state: 'rolled_back', error: string | null): void {
    const at = this.stamps.now();
    this.db.transaction(() => {
      this.store.update(rotation.id, { state, step: state, last_error: error, updated_at: at });
      this.store.journal(rotation.id, { at, step: state, phase: 'after', detail: error ? { error } : null });
      this.audit.record('rotation_rolled_back', { tenant: rotation.tenant, keyName: rotation.key_name, keyId: rotation.key_id, fingerprint: rotation.old_fingerprint, detail: { rotation: rotation.id, newRemoteName: rotation.new_remote_name, ...(error ? { error } : {}) } });
    });
  }

  /** Writes a journal entry and the rotation's new step in one transaction. */
  private mark(rotation: RotationRow, step: string, phase: 'before' | 'after' | 'failed', changes: Partial<Pick<RotationRow, 'state' | 'step' | 'new_fingerprint' | 'retire' | 'last_error'>>, detail: Record<string, unknown> | null): void {
    const at = this.stamps.now();
    this.db.transaction(() => {
      this.store.journal(rotation.id, { at, step, phase, detail });
      this.store.update(rotation.id, { ...changes, updated_at: at });
    });
    for (const listener of this.stepListeners) listener({ rotationId: rotation.id, step, phase });
  }

  private row(id: string): RotationRow {
    return this.store.find(id)!;
  }
}

export function rotationStatus(row: RotationRow): RotationStatus {
  const key = { tenant: row.tenant, name: row.key_name };
  return {
    id: row.id,
    key,
    state: row.state,
    step: row.step,
    oldRemoteName: row.old_remote_name,
    newRemoteName: row.new_remote_name,
    newFingerprint: row.new_fingerprint,
    permissions: JSON.parse(row.permissions) as string[],
    retire: row.retire,
    lastError: row.last_error,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    next: nextSteps(row, key),
  };
}

/** What can be done with a rotation where it stands. */
export function nextSteps(row: RotationRow, key: KeyRef): Remedy[] {
  if (row.state === 'finished' || row.state === 'rolled_back') return [];
  if (row.state === 'overlap' && row.step === 'retire') return [{ code: 'resume-rotation', key }];
  if (row.state === 'overlap') return [{ code: 'deploy-new-key', key }, { code: 'finish-rotation', key }, { code: 'abort-rotation', key }];
  return [{ code: 'resume-rotation', key }, { code: 'abort-rotation', key }];
}
