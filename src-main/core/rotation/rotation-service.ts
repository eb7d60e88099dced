/**
 * Rotation the way the vendor recommends: create a new key with the same permissions, deploy it,
 * retire the old one after an overlap. A journal in the inventory records every step before and
 * after it happens, so a rotation interrupted anywhere (crash, kill, network fault, server error)
 * resumes or rolls back cleanly. Two promises hold at every moment:
 * - every server key the vault created is known to it (the new key's name is written down before
 *   the create call, and stays on record until that key is deleted or becomes the entry's);
 * - the entry has a working key in the keychain (it switches only after the new key passed a probe,
 *   and the old key is retired only after the switch).
 *
 * Steps of a rotation (its `step` column):
 *   begin → create → created → verified → switched (state overlap) → retire → finished
 *   aborting → rolled_back, from anywhere before retire.
 */
import { randomUUID } from 'node:crypto';
import type { CheckResult } from '../../shared/check.ts';
import type { KeyRef, RetireMode, RotationPlan, RotationProgress, RotationStatus, RotationWithJournal } from '../../shared/contract.ts';
import type { Remedy } from '../../shared/remedies.ts';
import { checkName } from '../../shared/rules.ts';
import type { AdminService } from '../admin/admin-service.ts';
import { adminFailure, valueOf, type AdminClient, type AdminError } from '../admin/admin-client.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { JournalEntry, RotationRow } from '../inventory/inventory.ts';
import { defaultProbe } from '../probe/catalogue.ts';
import type { CheckService } from '../probe/check-service.ts';
import { requireKeychainBeforeCreate } from '../secrets/round-trip.ts';
import { fingerprint } from '../vault/fingerprint.ts';
import { formatKeyRef } from '../vault/key-ref.ts';
import type { VaultService } from '../vault/vault-service.ts';

export type { RetireMode, RotationStatus };

export interface UnsavedToken {
  key: KeyRef;
  remoteName: string;
  token: string;
  fingerprint: string;
  reason: string;
}

export interface RotationOptions {
  vault: VaultService;
  admin: AdminService;
  checks: CheckService;
  /**
   * Called at once when a new token could not be stored: shows it to the person now, once, and
   * returns true; or returns false when nobody can be shown it (no terminal, no window), and the new
   * server key is deleted again, since nobody holds its token. Without it, nobody can be shown it.
   */
  onUnsavedToken?: (token: UnsavedToken) => boolean;
  /** Probe attempts for a new key (the server may take a moment to accept it), and the pause between. */
  verifyAttempts?: number;
  verifyDelayMs?: number;
}

export class RotationService {
  private readonly vault: VaultService;
  private readonly admin: AdminService;
  private readonly checks: CheckService;
  private readonly onUnsavedToken: (token: UnsavedToken) => boolean;
  private readonly verifyAttempts: number;
  private readonly verifyDelayMs: number;
  private readonly stepListeners = new Set<(progress: RotationProgress) => void>();

  constructor(options: RotationOptions) {
    this.vault = options.vault;
    this.admin = options.admin;
    this.checks = options.checks;
    this.onUnsavedToken = options.onUnsavedToken ?? (() => false);
    this.verifyAttempts = options.verifyAttempts ?? 6;
    this.verifyDelayMs = options.verifyDelayMs ?? 500;
  }

  /** Tells `listener` of every step written to any rotation's journal; returns a function that stops it. */
  onStep(listener: (progress: RotationProgress) => void): () => void {
    this.stepListeners.add(listener);
    return () => this.stepListeners.delete(listener);
  }

  /** What rotating the key would do: its server name, a free name for the new key, and what blocks it. */
  plan(ref: KeyRef): RotationPlan {
    const key = this.vault.requireKey(ref);
    const open = this.vault.inventory.openRotation(key.id);
    const oldRemoteName = key.remote_name ?? key.name;
    const snapshot = this.vault.inventory.latestSnapshot(key.tenant_ref);
    const taken = new Set((snapshot?.keys ?? []).map((remote) => remote.name));
    const onServer = snapshot?.keys.find((remote) => remote.name === oldRemoteName);
    const blocked = key.is_admin
      ? `${formatKeyRef(ref)} is the tenant's admin credential: rotating it would cut the branch the rotation sits on.`
      : open
        ? `${formatKeyRef(ref)} is already being rotated (${open.step}).`
        : null;
    return {
      key: ref,
      oldRemoteName,
      proposedName: derivedName(oldRemoteName, this.vault.now().slice(0, 10), taken),
      permissions: onServer?.permissions ?? (JSON.parse(key.scopes) as string[]),
      blocked,
      open: open ? this.status(open) : null,
    };
  }

  /**
   * The old and the new key of the key's latest rotation, checked side by side with the probe the
   * rotation verifies with: during the overlap both should pass; after a finish, the old one fails.
   * The old key is null once its secret is gone (it was deleted).
   */
  async checkBoth(ref: KeyRef): Promise<{ rotation: RotationStatus; old: CheckResult | null; new: CheckResult }> {
    const key = this.vault.requireKey(ref);
    const row = this.vault.inventory.rotations({ keyId: key.id }).filter((rotation) => rotation.state !== 'rolled_back').at(-1);
    if (!row) throw new VaultError('NOT_FOUND', `${formatKeyRef(ref)} has never been rotated.`, { remedies: [{ code: 'start-rotation', key: ref }] });
    if (row.state === 'started') throw new VaultError('CONFLICT', `The rotation of ${formatKeyRef(ref)} has not switched to the new key yet (${row.step}).`, { remedies: [{ code: 'resume-rotation', key: ref }] });
    const client = await this.clientFor(row);
    const oldSecret = await this.vault.secrets.get(row.old_account);
    const newSecret = await this.vault.secrets.get(row.new_account);
    if (newSecret === null) throw new VaultError('SECRET_MISSING', `The keychain no longer holds the new key of ${formatKeyRef(ref)}.`, { remedies: [{ code: 'run-reconcile' }] });
    const tenant = this.vault.requireTenant(row.tenant);
    const { probe } = defaultProbe(this.checks.probes('wallet-crew'), JSON.parse(row.permissions) as string[], true);
    const target = (keyName: string) => ({ baseUrl: tenant.base_url, tenantId: tenant.tenant_id, vendor: 'wallet-crew' as const, auth: { kind: 'header' as const, name: 'X-API-KEY' }, keyName });
    const [oldResult, newResult] = await Promise.all([
      oldSecret === null ? Promise.resolve(null) : this.checks.checkSecret(target(row.old_remote_name), oldSecret, probe, { redactor: client.redactor }),
      this.checks.checkSecret(target(row.new_remote_name), newSecret, probe, { redactor: client.redactor }),
    ]);
    return { rotation: this.status(row), old: oldResult, new: newResult };
  }

  /** Open rotations with their journals (where an interrupted one stopped), then the latest ended ones. */
  listWithJournals(): RotationWithJournal[] {
    const open = this.vault.inventory.rotations({ openOnly: true });
    const ended = this.vault.inventory.rotations({}).filter((row) => row.state === 'finished' || row.state === 'rolled_back').slice(-10).reverse();
    return [...open, ...ended].map((row) => ({ rotation: this.status(row), journal: this.vault.inventory.journalEntries(row.id) }));
  }

  /** Starts a rotation and carries it to the overlap: the entry uses the new key, the old one still works. */
  async start(ref: KeyRef, options: { newName?: string } = {}): Promise<RotationStatus> {
    const key = this.vault.requireKey(ref);
    const open = this.vault.inventory.openRotation(key.id);
    if (open) throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is already being rotated (${open.step}).`, { remedies: nextSteps(open, ref) });
    if (key.is_admin) {
      throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is the tenant's admin credential: rotating it would cut the branch the rotation sits on.`, { remedies: [{ code: 'replace-admin-key', key: ref }] });
    }
    const { client } = await this.admin.clientFor(ref.tenant);
    // The old key is in play too: a server may echo it in any answer of this operation.
    client.redactor.add(await this.vault.secrets.get(key.secret_account));
    const oldRemoteName = key.remote_name ?? key.name;
    const current = await client.get(oldRemoteName);
    if (!current.ok) {
      if (current.error.kind === 'not_found') {
        throw new VaultError('NOT_FOUND', `The server has no key named "${oldRemoteName}", so ${formatKeyRef(ref)} cannot be rotated through the admin API.`, {
          remedies: [{ code: 'list-server-keys', tenant: ref.tenant }],
        });
      }
      throw adminFailure(current.error);
    }
    const existing = new Set(valueOf(await client.list()).map((definition) => definition.name));
    let newName = options.newName;
    if (newName !== undefined) {
      assertRule(checkName(newName, 'New key name'));
      if (existing.has(newName)) throw new VaultError('ALREADY_EXISTS', `The server already has a key named "${newName}".`, { remedies: [{ code: 'choose-another-name' }] });
    } else {
      newName = derivedName(oldRemoteName, this.vault.now().slice(0, 10), existing);
    }
    // Before anything is created: the keychain must answer.
    await requireKeychainBeforeCreate(this.vault.secrets);
    const now = this.vault.now();
    const rotation: RotationRow = {
      id: randomUUID(),
      key_id: key.id,
      tenant: ref.tenant,
      key_name: key.name,
      state: 'started',
      step: 'begin',
      old_remote_name: oldRemoteName,
      old_account: key.secret_account,
      old_fingerprint: key.fingerprint,
      new_remote_name: newName,
      new_account: randomUUID(),
      new_fingerprint: null,
      permissions: JSON.stringify(current.value.permissions),
      retire: null,
      last_error: null,
      started_at: now,
      updated_at: now,
    };
    this.vault.inventory.transaction(() => {
      this.vault.inventory.insertRotation(rotation);
      this.vault.inventory.journal(rotation.id, { at: now, step: 'begin', phase: 'after', detail: { oldRemoteName, newRemoteName: newName, permissions: current.value.permissions } });
      this.vault.audit('rotation_started', { tenant: ref.tenant, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint, detail: { rotation: rotation.id, oldRemoteName, newRemoteName: newName } });
    });
    return this.advance(rotation.id, client);
  }

  /** Retires the old key after the new one is deployed: disable (default) or delete it. */
  async finish(ref: KeyRef, options: { retire?: RetireMode } = {}): Promise<RotationStatus> {
    const rotation = this.openRotationOf(ref);
    if (rotation.state === 'started') {
      throw new VaultError('CONFLICT', `The rotation of ${formatKeyRef(ref)} has not switched to the new key yet (${rotation.step}).`, { remedies: [{ code: 'resume-rotation', key: ref }] });
    }
    // A finish interrupted during retire keeps the mode it started with.
    const retire = rotation.step === 'retire' && rotation.retire ? rotation.retire : (options.retire ?? 'disable');
    const client = await this.clientFor(rotation);
    return this.retire(rotation, retire, client);
  }

  /** Carries an interrupted rotation on from its journal's last step. */
  async resume(ref: KeyRef): Promise<RotationStatus> {
    const rotation = this.openRotationOf(ref);
    const client = await this.clientFor(rotation);
    if (rotation.step === 'aborting') return this.abortRotation(rotation, client);
    if (rotation.state === 'overlap' && rotation.step === 'retire') return this.retire(rotation, rotation.retire ?? 'disable', client);
    if (rotation.state === 'overlap') return this.status(rotation);
    return this.advance(rotation.id, client);
  }

  /** Rolls a rotation back: the entry keeps (or gets back) its old key; the new one is deleted. */
  async abort(ref: KeyRef): Promise<RotationStatus> {
    const rotation = this.openRotationOf(ref);
    if (rotation.step === 'retire') {
      throw new VaultError('CONFLICT', `The old key of ${formatKeyRef(ref)} may already be retired; the rotation can only be finished.`, { remedies: [{ code: 'finish-rotation', key: ref }] });
    }
    const client = await this.clientFor(rotation);
    return this.abortRotation(rotation, client);
  }

  /** Open rotations, and the latest ended ones. */
  list(options: { all?: boolean } = {}): RotationStatus[] {
    const rows = this.vault.inventory.rotations(options.all ? {} : { openOnly: true });
    return rows.map((row) => this.status(row));
  }

  journal(ref: KeyRef): { rotation: RotationStatus; journal: JournalEntry[] }[] {
    const key = this.vault.requireKey(ref);
    return this.vault.inventory.rotations({ keyId: key.id }).map((row) => ({ rotation: this.status(row), journal: this.vault.inventory.journalEntries(row.id) }));
  }

  /** The tenant's admin client, its redactor told the rotation's old and new tokens. */
  private async clientFor(rotation: RotationRow): Promise<AdminClient> {
    const { client } = await this.admin.clientFor(rotation.tenant);
    client.redactor.add(await this.vault.secrets.get(rotation.old_account)).add(await this.vault.secrets.get(rotation.new_account));
    return client;
  }

  // ---- the steps ----

  /** create → created → verified → switched, from wherever the rotation stands. */
  private async advance(id: string, client: AdminClient): Promise<RotationStatus> {
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
          return this.status(rotation);
      }
    }
  }

  private async create(rotation: RotationRow, client: AdminClient): Promise<void> {
    // A kill after the keychain write but before the journal's "after": the token is there.
    const stored = await this.vault.secrets.get(rotation.new_account);
    if (stored !== null) {
      this.mark(rotation, 'create', 'after', { step: 'created', new_fingerprint: fingerprint(stored) }, { recoveredFromKeychain: true });
      return;
    }
    if (rotation.step !== 'begin') {
      // The create may have reached the server without its token reaching the keychain. Such a key's
      // token is gone for good, so the key is deleted before a fresh one is created.
      await this.discardNewServerKey(rotation, client);
    }
    await requireKeychainBeforeCreate(this.vault.secrets);
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
      await this.vault.secrets.set(rotation.new_account, token);
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
    const secret = await this.vault.secrets.get(rotation.new_account);
    if (secret === null) {
      this.mark(rotation, 'verify', 'failed', { step: 'create', last_error: 'the new token is no longer in the keychain' }, null);
      return;
    }
    const tenant = this.vault.requireTenant(rotation.tenant);
    const { probe } = defaultProbe(this.checks.probes('wallet-crew'), JSON.parse(rotation.permissions) as string[], true);
    const target = { baseUrl: tenant.base_url, tenantId: tenant.tenant_id, vendor: 'wallet-crew' as const, auth: { kind: 'header' as const, name: 'X-API-KEY' }, keyName: rotation.new_remote_name };
    this.mark(rotation, 'verify', 'before', {}, { probe: probe.id });
    let result: CheckResult | null = null;
    for (let attempt = 1; attempt <= this.verifyAttempts; attempt += 1) {
      result = await this.checks.checkSecret(target, secret, probe, { redactor: client.redactor });
      if (result.verdict === 'valid' || result.verdict === 'forbidden' || result.verdict === 'authenticated') break;
      if (attempt < this.verifyAttempts) await new Promise((resolve) => setTimeout(resolve, this.verifyDelayMs * attempt));
    }
    if (result!.verdict !== 'valid' && result!.verdict !== 'forbidden' && result!.verdict !== 'authenticated') {
      const message = `The new key "${rotation.new_remote_name}" did not pass the ${probe.id} probe (${result!.verdict}${result!.status ? `, ${result!.status}` : ''}): ${result!.summary}`;
      this.mark(rotation, 'verify', 'failed', { last_error: message }, { verdict: result!.verdict, status: result!.status });
      const ref = { tenant: rotation.tenant, name: rotation.key_name };
      throw new VaultError('REMOTE_FAILED', `${message} The entry still uses its old key.`, { remedies: [{ code: 'resume-rotation', key: ref }, { code: 'abort-rotation', key: ref }] });
    }
    this.mark(rotation, 'verify', 'after', { step: 'verified', last_error: null }, { probe: probe.id, verdict: result!.verdict, status: result!.status });
  }

  /** One transaction: the entry uses the new key; the old one is kept as the overlap credential. */
  private switchOver(rotation: RotationRow): void {
    const at = this.vault.now();
    this.vault.inventory.transaction(() => {
      this.vault.inventory.insertCredential({
        account: rotation.old_account,
        key_id: rotation.key_id,
        remote_name: rotation.old_remote_name,
        fingerprint: rotation.old_fingerprint,
        state: 'overlap',
        replaced_at: at,
        retired_at: null,
      });
      this.vault.inventory.switchKeyCredential(rotation.key_id, { account: rotation.new_account, remoteName: rotation.new_remote_name, fingerprint: rotation.new_fingerprint!, at });
      this.vault.inventory.updateRotation(rotation.id, { state: 'overlap', step: 'switched', updated_at: at });
      this.vault.inventory.journal(rotation.id, { at, step: 'switch', phase: 'after', detail: { newRemoteName: rotation.new_remote_name } });
      this.vault.audit('rotated', {
        tenant: rotation.tenant,
        keyName: rotation.key_name,
        keyId: rotation.key_id,
        fingerprint: rotation.new_fingerprint!,
        detail: { rotation: rotation.id, from: rotation.old_remote_name, to: rotation.new_remote_name, oldFingerprint: rotation.old_fingerprint },
      });
    });
  }

  private async retire(rotation: RotationRow, mode: RetireMode, client: AdminClient): Promise<RotationStatus> {
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
    if (gone) await this.vault.secrets.delete(rotation.old_account);
    const at = this.vault.now();
    this.vault.inventory.transaction(() => {
      this.vault.inventory.setCredentialState(rotation.old_account, gone ? 'deleted' : 'disabled', at);
      this.vault.inventory.updateRotation(rotation.id, { state: 'finished', step: 'finished', last_error: null, updated_at: at });
      this.vault.inventory.journal(rotation.id, { at, step: 'retire', phase: 'after', detail: { mode, result: gone ? 'deleted' : 'disabled' } });
      this.vault.audit('retired', { tenant: rotation.tenant, keyName: rotation.key_name, keyId: rotation.key_id, fingerprint: rotation.old_fingerprint, detail: { rotation: rotation.id, remoteName: rotation.old_remote_name, result: gone ? 'deleted' : 'disabled' } });
    });
    return this.status(this.row(rotation.id));
  }

  private failRetire(rotation: RotationRow, error: AdminError): never {
    this.mark(rotation, 'retire', 'failed', { last_error: error.message }, { kind: error.kind, status: error.status });
    const failure = adminFailure(error);
    throw new VaultError(failure.code, `${failure.message} The entry uses the new key; the old one is not retired yet.`, {
      remedies: [{ code: 'resume-rotation', key: { tenant: rotation.tenant, name: rotation.key_name } }],
    });
  }

  private async abortRotation(rotation: RotationRow, client: AdminClient): Promise<RotationStatus> {
    if (rotation.state === 'overlap') {
      // Back to the old key first (it still works), so the entry is never without a working key.
      const at = this.vault.now();
      this.vault.inventory.transaction(() => {
        this.vault.inventory.switchKeyCredential(rotation.key_id, { account: rotation.old_account, remoteName: rotation.old_remote_name, fingerprint: rotation.old_fingerprint, at: null });
        this.vault.inventory.deleteCredential(rotation.old_account);
        this.vault.inventory.updateRotation(rotation.id, { state: 'started', step: 'aborting', updated_at: at });
        this.vault.inventory.journal(rotation.id, { at, step: 'switch-back', phase: 'after', detail: null });
      });
      rotation = this.row(rotation.id);
    } else if (rotation.step !== 'aborting') {
      this.mark(rotation, 'abort', 'before', { step: 'aborting' }, null);
    }
    await this.discardNewServerKey(rotation, client);
    await this.vault.secrets.delete(rotation.new_account);
    this.end(rotation, 'rolled_back', null);
    return this.status(this.row(rotation.id));
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
    const at = this.vault.now();
    this.vault.inventory.transaction(() => {
      this.vault.inventory.updateRotation(rotation.id, { state, step: state, last_error: error, updated_at: at });
      this.vault.inventory.journal(rotation.id, { at, step: state, phase: 'after', detail: error ? { error } : null });
      this.vault.audit('rotation_rolled_back', { tenant: rotation.tenant, keyName: rotation.key_name, keyId: rotation.key_id, fingerprint: rotation.old_fingerprint, detail: { rotation: rotation.id, newRemoteName: rotation.new_remote_name, ...(error ? { error } : {}) } });
    });
  }

  /** Writes a journal entry and the rotation's new step in one transaction. */
  private mark(rotation: RotationRow, step: string, phase: 'before' | 'after' | 'failed', changes: Partial<Pick<RotationRow, 'state' | 'step' | 'new_fingerprint' | 'retire' | 'last_error'>>, detail: Record<string, unknown> | null): void {
    const at = this.vault.now();
    this.vault.inventory.transaction(() => {
      this.vault.inventory.journal(rotation.id, { at, step, phase, detail });
      this.vault.inventory.updateRotation(rotation.id, { ...changes, updated_at: at });
    });
    for (const listener of this.stepListeners) listener({ rotationId: rotation.id, step, phase });
  }

  private row(id: string): RotationRow {
    return this.vault.inventory.findRotation(id)!;
  }

  private openRotationOf(ref: KeyRef): RotationRow {
    const key = this.vault.requireKey(ref);
    const rotation = this.vault.inventory.openRotation(key.id);
    if (!rotation) throw new VaultError('NOT_FOUND', `${formatKeyRef(ref)} has no rotation in progress.`, { remedies: [{ code: 'start-rotation', key: ref }] });
    return rotation;
  }

  private status(row: RotationRow): RotationStatus {
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
}

/** What can be done with a rotation where it stands. */
function nextSteps(row: RotationRow, key: KeyRef): Remedy[] {
  if (row.state === 'finished' || row.state === 'rolled_back') return [];
  if (row.state === 'overlap' && row.step === 'retire') return [{ code: 'resume-rotation', key }];
  if (row.state === 'overlap') return [{ code: 'deploy-new-key', key }, { code: 'finish-rotation', key }, { code: 'abort-rotation', key }];
  return [{ code: 'resume-rotation', key }, { code: 'abort-rotation', key }];
}

/** `crm-sync` → `crm-sync-20261122`; a date suffix from an earlier rotation is replaced, and a clash numbered. */
export function derivedName(oldName: string, isoDate: string, taken: Set<string>): string {
  const stem = oldName.replace(/-\d{8}(?:-\d+)?$/, '');
  const base = `${stem}-${isoDate.replaceAll('-', '')}`;
  if (!taken.has(base) && base !== oldName) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}-${n}`) && `${base}-${n}` !== oldName) return `${base}-${n}`;
}
