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
import { checkName } from '../../shared/rules.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { UnsavedToken } from '../admin/unsaved-tokens.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { CheckService } from '../checks/check-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import { formatKeyRef } from '../keys/key-ref.ts';
import type { KeyService } from '../keys/key-service.ts';
import { requireKeychainBeforeCreate } from '../secrets/round-trip.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { defaultProbe } from '../vendors/vendor.ts';
import { adminFailure, valueOf, type AdminClient } from '../vendors/wallet-crew/admin-api.ts';
import { replaceAfterRegenerate } from './replace.ts';
import { RotationStore, type JournalEntry, type RotationRow } from './rotation-store.ts';
import { nextSteps, rotationStatus, RotationSteps } from './rotation-steps.ts';

export type { RetireMode, RotationStatus };

export type { UnsavedToken };

export interface RotationOptions {
  db: Connection;
  secrets: SecretStore;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  events: VaultEvents;
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
  private readonly db: Connection;
  private readonly store: RotationStore;
  private readonly secrets: SecretStore;
  private readonly stamps: Stamps;
  private readonly audit: AuditService;
  private readonly tenants: TenantService;
  private readonly keys: KeyService;
  private readonly events: VaultEvents;
  private readonly admin: AdminService;
  private readonly checks: CheckService;
  private readonly stepListeners = new Set<(progress: RotationProgress) => void>();
  private readonly steps: RotationSteps;

  constructor(options: RotationOptions) {
    this.db = options.db;
    this.store = new RotationStore(options.db);
    this.secrets = options.secrets;
    this.stamps = options.stamps;
    this.audit = options.audit;
    this.tenants = options.tenants;
    this.keys = options.keys;
    this.events = options.events;
    this.admin = options.admin;
    this.checks = options.checks;
    this.steps = new RotationSteps({
      ...options,
      store: this.store,
      onUnsavedToken: options.onUnsavedToken ?? (() => false),
      verifyAttempts: options.verifyAttempts ?? 6,
      verifyDelayMs: options.verifyDelayMs ?? 500,
      stepListeners: this.stepListeners,
    });
  }

  /** Tells `listener` of every step written to the journal of the key's rotations; returns a function that stops it. */
  onStep(ref: KeyRef, listener: (progress: RotationProgress) => void): () => void {
    const keyId = this.keys.show(ref).id;
    const own = (progress: RotationProgress) => {
      if (this.store.find(progress.rotationId)?.key_id === keyId) listener(progress);
    };
    this.stepListeners.add(own);
    return () => this.stepListeners.delete(own);
  }

  /** A step of a rotation's, announced as a change once it has run (the vault changed, whether it went through or not). */
  private async announced<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } finally {
      this.events.changed('rotation step');
    }
  }

  /**
   * Replaces an entry's key with one regenerated outside the vault (Airwallex's web app), checked
   * first; see replace.ts.
   */
  replaceAfterRegenerate(ref: KeyRef, newSecret: string): ReturnType<typeof replaceAfterRegenerate> {
    return replaceAfterRegenerate({ db: this.db, secrets: this.secrets, stamps: this.stamps, audit: this.audit, tenants: this.tenants, keys: this.keys, checks: this.checks, events: this.events }, ref, newSecret);
  }

  /** What rotating the key would do: its server name, a free name for the new key, and what blocks it. */
  plan(ref: KeyRef): RotationPlan {
    const key = this.keys.show(ref);
    const open = this.store.open(key.id);
    const oldRemoteName = key.remoteName;
    const snapshot = this.admin.snapshotOf(this.tenants.require(ref.tenant).ref);
    const taken = new Set((snapshot?.keys ?? []).map((remote) => remote.name));
    const onServer = snapshot?.keys.find((remote) => remote.name === oldRemoteName);
    const blocked = key.admin
      ? `${formatKeyRef(ref)} is the tenant's admin credential: rotating it would cut the branch the rotation sits on.`
      : open
        ? `${formatKeyRef(ref)} is already being rotated (${open.step}).`
        : null;
    return {
      key: ref,
      oldRemoteName,
      proposedName: derivedName(oldRemoteName, this.stamps.now().slice(0, 10), taken),
      permissions: onServer?.permissions ?? key.scopes,
      blocked,
      open: open ? rotationStatus(open) : null,
    };
  }

  /**
   * The old and the new key of the key's latest rotation, checked side by side with the probe the
   * rotation verifies with: during the overlap both should pass; after a finish, the old one fails.
   * The old key is null once its secret is gone (it was deleted).
   */
  async checkBoth(ref: KeyRef): Promise<{ rotation: RotationStatus; old: CheckResult | null; new: CheckResult }> {
    const key = this.keys.show(ref);
    const row = this.store.list({ keyId: key.id }).filter((rotation) => rotation.state !== 'rolled_back').at(-1);
    if (!row) throw new VaultError('NOT_FOUND', `${formatKeyRef(ref)} has never been rotated.`, { remedies: [{ code: 'start-rotation', key: ref }] });
    if (row.state === 'started') throw new VaultError('CONFLICT', `The rotation of ${formatKeyRef(ref)} has not switched to the new key yet (${row.step}).`, { remedies: [{ code: 'resume-rotation', key: ref }] });
    const client = await this.clientFor(row);
    const oldSecret = await this.secrets.get(row.old_account);
    const newSecret = await this.secrets.get(row.new_account);
    if (newSecret === null) throw new VaultError('SECRET_MISSING', `The keychain no longer holds the new key of ${formatKeyRef(ref)}.`, { remedies: [{ code: 'run-reconcile' }] });
    const tenant = this.tenants.require(row.tenant);
    const target = (keyName: string) => this.checks.targetFor(tenant, keyName);
    const { probe } = defaultProbe(this.checks.probes(target(row.new_remote_name).vendor), JSON.parse(row.permissions) as string[], true);
    const [oldResult, newResult] = await Promise.all([
      oldSecret === null ? Promise.resolve(null) : this.checks.checkSecret(target(row.old_remote_name), oldSecret, probe, { redactor: client.redactor }),
      this.checks.checkSecret(target(row.new_remote_name), newSecret, probe, { redactor: client.redactor }),
    ]);
    return { rotation: rotationStatus(row), old: oldResult, new: newResult };
  }

  /** Open rotations with their journals (where an interrupted one stopped), then the latest ended ones. */
  listWithJournals(): RotationWithJournal[] {
    const open = this.store.list({ openOnly: true });
    const ended = this.store.list({}).filter((row) => row.state === 'finished' || row.state === 'rolled_back').slice(-10).reverse();
    return [...open, ...ended].map((row) => ({ rotation: rotationStatus(row), journal: this.store.journalEntries(row.id) }));
  }

  /** Starts a rotation and carries it to the overlap: the entry uses the new key, the old one still works. */
  async start(ref: KeyRef, options: { newName?: string } = {}): Promise<RotationStatus> {
    const key = this.keys.show(ref);
    const open = this.store.open(key.id);
    if (open) throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is already being rotated (${open.step}).`, { remedies: nextSteps(open, ref) });
    if (key.admin) {
      throw new VaultError('CONFLICT', `${formatKeyRef(ref)} is the tenant's admin credential: rotating it would cut the branch the rotation sits on.`, { remedies: [{ code: 'replace-admin-key', key: ref }] });
    }
    const { client } = await this.admin.clientFor(ref.tenant);
    // The old key is in play too: a server may echo it in any answer of this operation.
    client.redactor.add(await this.secrets.get(key.secretAccount));
    const oldRemoteName = key.remoteName;
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
      newName = derivedName(oldRemoteName, this.stamps.now().slice(0, 10), existing);
    }
    // Before anything is created: the keychain must answer.
    await requireKeychainBeforeCreate(this.secrets);
    const now = this.stamps.now();
    const rotation: RotationRow = {
      id: randomUUID(),
      key_id: key.id,
      tenant: ref.tenant,
      key_name: key.name,
      state: 'started',
      step: 'begin',
      old_remote_name: oldRemoteName,
      old_account: key.secretAccount,
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
    this.db.transaction(() => {
      this.store.insert(rotation);
      this.store.journal(rotation.id, { at: now, step: 'begin', phase: 'after', detail: { oldRemoteName, newRemoteName: newName, permissions: current.value.permissions } });
      this.audit.record('rotation_started', { tenant: ref.tenant, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint, detail: { rotation: rotation.id, oldRemoteName, newRemoteName: newName } });
    });
    return this.announced(this.steps.advance(rotation.id, client));
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
    return this.announced(this.steps.retire(rotation, retire, client));
  }

  /** Carries an interrupted rotation on from its journal's last step. */
  async resume(ref: KeyRef): Promise<RotationStatus> {
    const rotation = this.openRotationOf(ref);
    const client = await this.clientFor(rotation);
    if (rotation.step === 'aborting') return this.announced(this.steps.abortRotation(rotation, client));
    if (rotation.state === 'overlap' && rotation.step === 'retire') return this.announced(this.steps.retire(rotation, rotation.retire ?? 'disable', client));
    if (rotation.state === 'overlap') return rotationStatus(rotation);
    return this.announced(this.steps.advance(rotation.id, client));
  }

  /** Rolls a rotation back: the entry keeps (or gets back) its old key; the new one is deleted. */
  async abort(ref: KeyRef): Promise<RotationStatus> {
    const rotation = this.openRotationOf(ref);
    if (rotation.step === 'retire') {
      throw new VaultError('CONFLICT', `The old key of ${formatKeyRef(ref)} may already be retired; the rotation can only be finished.`, { remedies: [{ code: 'finish-rotation', key: ref }] });
    }
    const client = await this.clientFor(rotation);
    return this.announced(this.steps.abortRotation(rotation, client));
  }

  /** Open rotations, and the latest ended ones. */
  list(options: { all?: boolean } = {}): RotationStatus[] {
    const rows = this.store.list(options.all ? {} : { openOnly: true });
    return rows.map((row) => rotationStatus(row));
  }

  journal(ref: KeyRef): { rotation: RotationStatus; journal: JournalEntry[] }[] {
    const key = this.keys.show(ref);
    return this.store.list({ keyId: key.id }).map((row) => ({ rotation: rotationStatus(row), journal: this.store.journalEntries(row.id) }));
  }

  /** The tenant's admin client, its redactor told the rotation's old and new tokens. */
  async clientFor(rotation: RotationRow): Promise<AdminClient> {
    const { client } = await this.admin.clientFor(rotation.tenant);
    client.redactor.add(await this.secrets.get(rotation.old_account)).add(await this.secrets.get(rotation.new_account));
    return client;
  }

  private row(id: string): RotationRow {
    return this.store.find(id)!;
  }

  private openRotationOf(ref: KeyRef): RotationRow {
    const key = this.keys.show(ref);
    const rotation = this.store.open(key.id);
    if (!rotation) throw new VaultError('NOT_FOUND', `${formatKeyRef(ref)} has no rotation in progress.`, { remedies: [{ code: 'start-rotation', key: ref }] });
    return rotation;
  }

}

/** `crm-sync` → `crm-sync-20261122`; a date suffix from an earlier rotation is replaced, and a clash numbered. */
export function derivedName(oldName: string, isoDate: string, taken: Set<string>): string {
  const stem = oldName.replace(/-\d{8}(?:-\d+)?$/, '');
  const base = `${stem}-${isoDate.replaceAll('-', '')}`;
  if (!taken.has(base) && base !== oldName) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}-${n}`) && `${base}-${n}` !== oldName) return `${base}-${n}`;
}
