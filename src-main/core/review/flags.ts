/**
 * The review's flags: for each key, what deserves a reviewer's attention (expired or expiring, a
 * wildcard, a failing last judgement, drift from the server's last listing, a missing keychain
 * entry, an open rotation, an overdue rotation, no owner), each with its reason and what to do; and
 * the vault's findings beyond one key (server keys nobody holds, stray keychain entries).
 */
import type { Flag, FlagCode, KeySummary, ReviewedKey, ReviewSettings, Severity, VaultFinding } from '../../shared/contract.ts';
import type { RemoteKey } from '../admin/admin-service.ts';
import type { CredentialRow } from '../keys/key-service.ts';
import type { RotationStatus } from '../rotation/rotation-service.ts';
import type { TenantRecord } from '../tenants/tenant-service.ts';
import type { RememberedUsage } from '../../shared/usage.ts';
import { DAY_MS, SEVERITY_RANK, toReviewed } from './review-summary.ts';

/** A tenant's last server listing, by key name. */
export type Snapshot = { takenAt: string; byName: Map<string, RemoteKey> } | null;

/** What flagging a key reads besides the key: computed once for the whole review. */
export interface FlagContext {
  settings: ReviewSettings;
  now: string;
  /** Last listings by tenant row id. */
  snapshots: Map<string, Snapshot>;
  /** Per tenant row id, the server keys no entry is linked to. */
  unclaimed: Map<string, string[]>;
  /** Entries by fingerprint (every tenant's, when one tenant is reviewed). */
  byFingerprint: Map<string, KeySummary[]>;
  /** Tenant ids by alias. */
  tenantIds: Map<string, string>;
  /** Keychain accounts the vault lists that the keychain does not hold. */
  missing: Set<string>;
  /** Open rotations by `tenant/name`. */
  openRotations: Map<string, RotationStatus>;
  /** What the vault knows of each key's use, by key id (UsageService.knownUse). */
  usage: Map<string, KnownUse>;
}

type KnownUse = { logs: RememberedUsage | null; lastExec: string | null };

/** A key with its flags, most severe first. */
export function flagKey(key: KeySummary, owner: TenantRecord, context: FlagContext): ReviewedKey {
  const flags: Flag[] = [];
  const ref = { tenant: key.tenant, name: key.name };
  const flag = (code: FlagCode, severity: Severity, reason: string, remedies: Flag['remedies'] = []) => flags.push({ code, severity, reason, remedies });

  if (key.expiresOn !== null && key.expiresInDays !== null) {
    if (key.expiresInDays < 0) flag('expired', 'critical', `Expired on ${key.expiresOn}.`, [{ code: 'key-expired', expiresOn: key.expiresOn }, { code: 'start-rotation', key: ref }]);
    else {
      const window = [...context.settings.expiringDays].sort((a, b) => a - b).find((days) => key.expiresInDays! <= days);
      if (window !== undefined) {
        flag('expiring', key.expiresInDays <= 1 ? 'critical' : 'warning', `Expires ${key.expiresInDays === 0 ? 'today' : `in ${key.expiresInDays} day${key.expiresInDays === 1 ? '' : 's'}`} (${key.expiresOn}; within ${window} days).`, [{ code: 'start-rotation', key: ref }]);
      }
    }
  }
  if (key.scopes.includes('*') && !key.admin) flag('wildcard', 'critical', 'Holds `*` (every scope) but is not the tenant’s admin credential.', [{ code: 'run-scope-matrix', key: ref }]);
  if (key.admin) flag('admin-credential', 'info', 'The tenant’s admin credential: it can create, change and delete every key of the tenant.');
  if (key.lastAttemptAt === null) flag('never-checked', 'warning', 'Never checked.', [{ code: 'check-key', key: ref }]);
  else {
    const idle = Math.floor((Date.parse(context.now) - Date.parse(key.lastAttemptAt)) / DAY_MS);
    if (idle > context.settings.staleCheckDays) flag('check-stale', 'warning', `Last checked ${idle} days ago (more than ${context.settings.staleCheckDays}).`, [{ code: 'check-key', key: ref }]);
  }
  if (key.lastJudgement === 'unauthorized' || key.lastJudgement === 'forbidden' || key.lastJudgement === 'not_found') {
    const status = key.lastJudgement === 'unauthorized' ? '401: missing, invalid or revoked' : key.lastJudgement === 'forbidden' ? '403: valid, a scope missing' : '404: not found';
    flag('failing', key.lastJudgement === 'unauthorized' ? 'critical' : 'warning', `Its last judgement failed (${status}) on ${(key.lastJudgedAt ?? 'an unrecorded day').slice(0, 10)}.`, [
      { code: 'check-key', key: ref },
      ...(key.lastJudgement === 'forbidden' ? [{ code: 'run-scope-matrix' as const, key: ref }] : [{ code: 'list-server-keys' as const, tenant: key.tenant }]),
    ]);
  }

  const snapshot = context.snapshots.get(owner.ref) ?? null;
  let drift: ReviewedKey['drift'] = null;
  if (snapshot === null) flag('no-snapshot', 'info', 'The vault has never listed this tenant’s keys on the server: drift is unknown.', [{ code: 'refresh-server-list', tenant: key.tenant }]);
  else if ((key.rotatedAt ?? key.createdAt) > snapshot.takenAt) {
    // The key (or its current secret) is newer than the last listing: that listing says nothing of it.
    flag('no-snapshot', 'info', `The last listing of the server (${snapshot.takenAt.slice(0, 10)}) predates this key: drift is unknown.`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
  } else {
    const remote = snapshot.byName.get(key.remoteName);
    const declared = [...key.scopes].sort().join('\n');
    drift = {
      snapshotAt: snapshot.takenAt,
      onServer: remote !== undefined,
      permissionsDiffer: remote !== undefined && [...remote.permissions].sort().join('\n') !== declared,
      enabledDiffers: remote !== undefined && remote.enabled !== key.enabled,
    };
    const age = Math.floor((Date.parse(context.now) - Date.parse(snapshot.takenAt)) / DAY_MS);
    const as = `as of ${snapshot.takenAt.slice(0, 10)}`;
    if (!remote && key.remoteNameKnown) flag('missing-on-server', 'critical', `The server’s list ${as} has no key "${key.remoteName}": it may have been deleted.`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
    // A name only presumed (the entry's own) that the server does not list says nothing of deletion.
    if (!remote && !key.remoteNameKnown) flag('not-linked', 'info', `The vault does not know its name on the server, and the server’s list ${as} has no key named "${key.name}": it cannot be compared.`, [{ code: 'link-server-name', key: ref, candidates: context.unclaimed.get(owner.ref) ?? [] }]);
    if (drift.permissionsDiffer) flag('drift-permissions', 'warning', `The server grants ${remote!.permissions.join(', ') || 'nothing'}; the vault declares ${key.scopes.join(', ') || 'nothing'} (${as}).`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
    if (drift.enabledDiffers) flag('drift-enabled', 'warning', `The server lists it ${remote!.enabled ? 'enabled' : 'disabled'}; the vault believes it ${key.enabled ? 'enabled' : 'disabled'} (${as}).`, remote!.enabled ? [] : [{ code: 'disabled-on-server', remoteName: key.remoteName, snapshotAt: snapshot.takenAt }]);
    if (age > context.settings.snapshotStaleDays) flag('snapshot-stale', 'info', `The last listing of the server is ${age} days old (more than ${context.settings.snapshotStaleDays}).`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
  }
  const twins = (context.byFingerprint.get(key.fingerprint) ?? []).filter((other) => other.id !== key.id);
  for (const twin of twins) {
    flag('duplicate-fingerprint', 'warning', `The same key is also stored as ${twin.tenant}/${twin.name}.`, [{ code: 'key-held-elsewhere', holder: { tenant: twin.tenant, name: twin.name }, tenantId: context.tenantIds.get(twin.tenant) ?? twin.tenant, environment: twin.environment }]);
  }
  if (context.missing.has(key.secretAccount)) flag('secret-missing', 'critical', 'Its keychain entry is missing: the vault lists the key but cannot use it.', [{ code: 'run-reconcile' }]);
  const rotation = context.openRotations.get(`${key.tenant}/${key.name}`);
  if (rotation) {
    flag('rotation-open', 'warning', `A rotation started ${rotation.startedAt.slice(0, 10)} is still ${rotation.state === 'overlap' ? 'in its overlap (both keys work)' : `at “${rotation.step}”`}.`, rotation.state === 'overlap' ? [{ code: 'finish-rotation', key: ref }, { code: 'abort-rotation', key: ref }] : [{ code: 'resume-rotation', key: ref }, { code: 'abort-rotation', key: ref }]);
  }
  const since = key.rotatedAt ?? key.createdAt;
  const keyAge = Math.floor((Date.parse(context.now) - Date.parse(since)) / DAY_MS);
  if (keyAge > context.settings.rotationPolicyDays && !key.admin) flag('rotation-due', 'warning', `${key.rotatedAt ? 'Last rotated' : 'Created'} ${keyAge} days ago; the rotation policy is ${context.settings.rotationPolicyDays} days.`, [{ code: 'start-rotation', key: ref }]);
  if (key.owner === null) flag('no-owner', 'info', 'Nobody is recorded as its owner.', [{ code: 'set-owner', key: ref }]);
  const use = context.usage.get(key.id) ?? { logs: null, lastExec: null };
  const quiet = quietDays(use, key);
  // The vault's own admin credential is used by the vault itself, whose requests are not counted.
  if (quiet !== null && quiet.days > context.settings.unusedDays && !key.admin) {
    const read = `the vendor’s logs, read ${use.logs!.askedAt.slice(0, 10)}`;
    flag('unused', 'warning', quiet.lastUsed === quiet.from ? `No request seen for ${quiet.days} days: the last was ${quiet.from.slice(0, 10)} (${read}); the threshold is ${context.settings.unusedDays} days.` : `No request seen in ${quiet.days} days of logs, from ${quiet.from.slice(0, 10)} (${read}); the threshold is ${context.settings.unusedDays} days.`, [{ code: 'show-usage', key: ref }]);
  }

  flags.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const severity = flags.length === 0 ? null : flags[0]!.severity;
  const lastUsed = newest(use.logs?.lastSeen ?? null, use.lastExec);
  return toReviewed(key, drift, flags, severity, { lastUsedAt: lastUsed, lastUsedSource: lastUsed === null ? null : lastUsed === use.lastExec ? 'exec' : 'logs', usageKnownSince: use.logs?.coveredFrom ?? null });
}

function newest(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a > b ? a : b;
}

/**
 * How many days the evidence shows the key quiet: from the latest of its last known use, the start
 * of the span of logs read without a gap, and the key's creation (or rotation), to the last time the
 * logs were read. Null without logs: exec runs alone never show that nothing else used the key.
 */
function quietDays(use: KnownUse, key: KeySummary): { days: number; lastUsed: string | null; from: string } | null {
  if (!use.logs) return null;
  const lastUsed = newest(use.logs.lastSeen, use.lastExec);
  // Quiet only since what was looked at: a last request before a gap in the reading says nothing of the gap.
  const from = newest(newest(lastUsed, use.logs.coveredFrom), key.rotatedAt ?? key.createdAt)!;
  return { days: Math.floor((Date.parse(use.logs.askedAt) - Date.parse(from)) / DAY_MS), lastUsed, from };
}

/**
 * Per tenant, the server keys of its last listing that no entry of the vault is linked to: not an
 * entry's own (known or presumed), not an earlier key of a rotation, not a rotation's new one.
 */
export function unclaimedServerKeys(tenants: TenantRecord[], keys: KeySummary[], credentials: CredentialRow[], rotations: RotationStatus[], snapshots: Map<string, Snapshot>): Map<string, string[]> {
  const tenantOfKey = new Map(keys.map((key) => [key.id, key.tenant]));
  const result = new Map<string, string[]>();
  for (const tenant of tenants) {
    const snapshot = snapshots.get(tenant.ref);
    if (!snapshot) continue;
    const known = new Set<string>();
    for (const key of keys) if (key.tenant === tenant.alias) known.add(key.remoteName);
    for (const credential of credentials) if (tenantOfKey.get(credential.key_id) === tenant.alias) known.add(credential.remote_name);
    for (const rotation of rotations) if (rotation.key.tenant === tenant.alias) known.add(rotation.newRemoteName);
    result.set(tenant.ref, [...snapshot.byName.keys()].filter((name) => !known.has(name)).sort());
  }
  return result;
}

export function vaultFindings(tenants: TenantRecord[], keys: KeySummary[], snapshots: Map<string, Snapshot>, unclaimed: Map<string, string[]>, orphans: number): VaultFinding[] {
  const findings: VaultFinding[] = [];
  for (const tenant of tenants) {
    const snapshot = snapshots.get(tenant.ref);
    if (!snapshot) continue;
    // Entries whose server name the vault does not know, and that the listing does not show by their own name: perhaps one of these.
    const unlinked = keys.filter((key) => key.tenant === tenant.alias && !key.remoteNameKnown && !snapshot.byName.has(key.name)).map((key) => ({ tenant: tenant.alias, name: key.name }));
    for (const name of unclaimed.get(tenant.ref) ?? []) {
      const as = `as of ${snapshot.takenAt.slice(0, 10)}`;
      findings.push(
        unlinked.length > 0
          ? { code: 'only-on-server', severity: 'info', tenant: tenant.alias, name, reason: `The server lists "${name}" (${as}) and no entry is linked to it; it may be ${unlinked.map((key) => `${key.tenant}/${key.name}`).join(' or ')}, whose name on the server the vault does not know.`, remedies: unlinked.map((key) => ({ code: 'link-server-name' as const, key, candidates: [name] })) }
          : { code: 'only-on-server', severity: 'warning', tenant: tenant.alias, name, reason: `The server lists "${name}" (${as}) and the vault holds no key for it: who uses it?`, remedies: [{ code: 'list-server-keys', tenant: tenant.alias }] },
      );
    }
  }
  if (orphans > 0) {
    findings.push({ code: 'orphan-secret', severity: 'warning', tenant: null, name: `${orphans} keychain ${orphans === 1 ? 'entry' : 'entries'}`, reason: `${orphans} keychain ${orphans === 1 ? 'entry' : 'entries'} of this vault's service belong to no key.`, remedies: [{ code: 'run-reconcile' }] });
  }
  return findings;
}
