/**
 * The offline review: every key flagged from what the vault knows — its metadata, its last
 * judgement, the tenant's last server snapshot, the keychain's entries, open rotations — with a
 * reason and what to do; a summary, chart data, and what changed since the last sign-off. No network:
 * a reviewer can answer "what is at risk, who owns it, what changed" on a plane.
 */
import { createHash } from 'node:crypto';
import type {
  ChartBar,
  Flag,
  FlagCode,
  KeySummary,
  ReviewChanges,
  ReviewedKey,
  ReviewQuery,
  ReviewReport,
  ReviewSettings,
  ReviewSummary,
  Severity,
  SignOff,
  VaultFinding,
} from '../../shared/contract.ts';
import { FLAG_CODES } from '../../shared/contract.ts';
import { judgementState, judgementStateWords, type JudgementState } from '../../shared/verdicts.ts';
import { assertRule, VaultError } from '../errors.ts';
import { checkText } from '../../shared/rules.ts';
import { KEY_COLUMNS, KEY_FROM, toKeySummary, type CredentialRow, type KeyRow, type RemoteKey, type RotationRow, type TenantRow } from '../inventory/inventory.ts';
import { PROBE_ACCOUNT_PREFIX } from '../secrets/secret-store.ts';
import { bearerAccount } from '../vault/vault-service.ts';
import type { VaultService } from '../vault/vault-service.ts';

export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = { expiringDays: [30, 7, 1], staleCheckDays: 90, snapshotStaleDays: 30, rotationPolicyDays: 365 };

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const DAY_MS = 86_400_000;
/** Flags whose keys a query expresses; the others are shown by their keys' ids. */
const ID_LIMIT = 10_000;

/** The review's own view of a key row: the summary and the tenant row it belongs to. */
interface Reviewing {
  key: KeySummary;
  tenant: TenantRow;
}

export class ReviewService {
  private readonly vault: VaultService;

  constructor(options: { vault: VaultService }) {
    this.vault = options.vault;
  }

  settings(): ReviewSettings {
    const stored = this.vault.inventory.setting('review');
    if (!stored) return { ...DEFAULT_REVIEW_SETTINGS, expiringDays: [...DEFAULT_REVIEW_SETTINGS.expiringDays] };
    return { ...DEFAULT_REVIEW_SETTINGS, ...(stored as Partial<ReviewSettings>) };
  }

  setSettings(change: Partial<ReviewSettings>): ReviewSettings {
    const next = { ...this.settings(), ...change };
    const days = (value: number, what: string, max: number) => {
      if (!Number.isInteger(value) || value < 1 || value > max) throw new VaultError('INVALID_INPUT', `${what} must be a whole number of days from 1 to ${max}.`);
    };
    if (next.expiringDays.length === 0 || next.expiringDays.length > 5) throw new VaultError('INVALID_INPUT', 'Give from 1 to 5 expiring-soon windows, in days (e.g. 30, 7, 1).');
    next.expiringDays.forEach((value) => days(value, 'An expiring-soon window', 3650));
    next.expiringDays = [...new Set(next.expiringDays)].sort((a, b) => b - a);
    days(next.staleCheckDays, 'The stale-check threshold', 3650);
    days(next.snapshotStaleDays, 'The snapshot age limit', 3650);
    days(next.rotationPolicyDays, 'The rotation policy', 36500);
    this.vault.inventory.transaction(() => {
      this.vault.inventory.setSetting('review', next);
      this.vault.audit('settings_changed', { detail: { review: next } });
    });
    return next;
  }

  /** The review of every key (or one tenant's), from the vault alone. */
  async report(options: { tenant?: string } = {}): Promise<ReviewReport> {
    const settings = this.settings();
    const now = this.vault.now();
    const today = now.slice(0, 10);
    const tenants = this.vault.inventory.listTenants();
    const tenant = options.tenant === undefined ? null : this.vault.requireTenant(options.tenant);
    const rows = this.vault.inventory.db
      .prepare(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} ${tenant ? 'WHERE k.tenant_ref = ?' : ''} ORDER BY t.alias, k.name COLLATE NOCASE`)
      .all(...(tenant ? [tenant.id] : [])) as KeyRow[];
    const tenantById = new Map(tenants.map((row) => [row.id, row]));
    const keys: Reviewing[] = rows.map((row) => ({ key: toKeySummary(row, today), tenant: tenantById.get(row.tenant_ref)! }));

    // What the keychain holds (a local call, no network): missing secrets and stray entries.
    const rotationRows = this.vault.inventory.rotations({ openOnly: true });
    const credentials = this.vault.inventory.credentials();
    // The keychain is local but may be locked or busy: without its listing the review still stands,
    // minus what only the listing tells (missing and stray entries), and says so.
    const listing = await this.keychainAccounts();
    const accounts = new Set((listing.accounts ?? []).filter((account) => !account.startsWith(PROBE_ACCOUNT_PREFIX)));
    const missing = new Set(listing.accounts ? rows.filter((row) => !accounts.has(row.secret_account)).map((row) => row.secret_account) : []);
    let orphans = 0;
    if (!tenant && listing.accounts) {
      // Every key is in `rows`: what no key, earlier key, rotation or bearer token refers to is stray.
      const known = new Set([...rows.map((row) => row.secret_account), ...credentials.map((credential) => credential.account), ...rotationRows.map((rotation) => rotation.new_account), ...tenants.map((row) => bearerAccount(row.id))]);
      for (const account of accounts) if (!known.has(account)) orphans += 1;
    }
    const openRotations = new Map(rotationRows.map((rotation) => [rotation.key_id, rotation]));
    const byFingerprint = new Map<string, KeySummary[]>();
    for (const { key } of keys) byFingerprint.set(key.fingerprint, [...(byFingerprint.get(key.fingerprint) ?? []), key]);
    if (tenant) {
      // A key held twice may be held under another tenant: the fingerprints of the rest count too.
      for (const other of this.vault.inventory.db.prepare(`SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k.tenant_ref <> ?`).all(tenant.id) as KeyRow[]) {
        const held = byFingerprint.get(other.fingerprint);
        if (held) held.push(toKeySummary(other, today));
      }
    }
    const snapshots = new Map<string, { takenAt: string; byName: Map<string, RemoteKey> } | null>();
    for (const row of tenant ? [tenant] : tenants) {
      const snapshot = this.vault.inventory.latestSnapshot(row.id);
      snapshots.set(row.id, snapshot ? { takenAt: snapshot.takenAt, byName: new Map(snapshot.keys.map((remote) => [remote.name, remote])) } : null);
    }
    const unclaimed = this.unclaimed(tenants, rows, credentials, rotationRows, snapshots);

    const reviewed = keys.map(({ key, tenant: owner }) => {
      const flags: Flag[] = [];
      const ref = { tenant: key.tenant, name: key.name };
      const flag = (code: FlagCode, severity: Severity, reason: string, remedies: Flag['remedies'] = []) => flags.push({ code, severity, reason, remedies });

      if (key.expiresOn !== null && key.expiresInDays !== null) {
        if (key.expiresInDays < 0) flag('expired', 'critical', `Expired on ${key.expiresOn}.`, [{ code: 'key-expired', expiresOn: key.expiresOn }, { code: 'start-rotation', key: ref }]);
        else {
          const window = [...settings.expiringDays].sort((a, b) => a - b).find((days) => key.expiresInDays! <= days);
          if (window !== undefined) {
            flag('expiring', key.expiresInDays <= 1 ? 'critical' : 'warning', `Expires ${key.expiresInDays === 0 ? 'today' : `in ${key.expiresInDays} day${key.expiresInDays === 1 ? '' : 's'}`} (${key.expiresOn}; within ${window} days).`, [{ code: 'start-rotation', key: ref }]);
          }
        }
      }
      if (key.scopes.includes('*') && !key.admin) flag('wildcard', 'critical', 'Holds `*` (every scope) but is not the tenant’s admin credential.', [{ code: 'run-scope-matrix', key: ref }]);
      if (key.admin) flag('admin-credential', 'info', 'The tenant’s admin credential: it can create, change and delete every key of the tenant.');
      if (key.lastAttemptAt === null) flag('never-checked', 'warning', 'Never checked.', [{ code: 'check-key', key: ref }]);
      else {
        const idle = Math.floor((Date.parse(now) - Date.parse(key.lastAttemptAt)) / DAY_MS);
        if (idle > settings.staleCheckDays) flag('check-stale', 'warning', `Last checked ${idle} days ago (more than ${settings.staleCheckDays}).`, [{ code: 'check-key', key: ref }]);
      }
      if (key.lastJudgement === 'unauthorized' || key.lastJudgement === 'forbidden' || key.lastJudgement === 'not_found') {
        const status = key.lastJudgement === 'unauthorized' ? '401: missing, invalid or revoked' : key.lastJudgement === 'forbidden' ? '403: valid, a scope missing' : '404: not found';
        flag('failing', key.lastJudgement === 'unauthorized' ? 'critical' : 'warning', `Its last judgement failed (${status}) on ${(key.lastJudgedAt ?? 'an unrecorded day').slice(0, 10)}.`, [
          { code: 'check-key', key: ref },
          ...(key.lastJudgement === 'forbidden' ? [{ code: 'run-scope-matrix' as const, key: ref }] : [{ code: 'list-server-keys' as const, tenant: key.tenant }]),
        ]);
      }

      const snapshot = snapshots.get(owner.id) ?? null;
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
        const age = Math.floor((Date.parse(now) - Date.parse(snapshot.takenAt)) / DAY_MS);
        const as = `as of ${snapshot.takenAt.slice(0, 10)}`;
        if (!remote && key.remoteNameKnown) flag('missing-on-server', 'critical', `The server’s list ${as} has no key "${key.remoteName}": it may have been deleted.`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
        // A name only presumed (the entry's own) that the server does not list says nothing of deletion.
        if (!remote && !key.remoteNameKnown) flag('not-linked', 'info', `The vault does not know its name on the server, and the server’s list ${as} has no key named "${key.name}": it cannot be compared.`, [{ code: 'link-server-name', key: ref, candidates: unclaimed.get(owner.id) ?? [] }]);
        if (drift.permissionsDiffer) flag('drift-permissions', 'warning', `The server grants ${remote!.permissions.join(', ') || 'nothing'}; the vault declares ${key.scopes.join(', ') || 'nothing'} (${as}).`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
        if (drift.enabledDiffers) flag('drift-enabled', 'warning', `The server lists it ${remote!.enabled ? 'enabled' : 'disabled'}; the vault believes it ${key.enabled ? 'enabled' : 'disabled'} (${as}).`, remote!.enabled ? [] : [{ code: 'disabled-on-server', remoteName: key.remoteName, snapshotAt: snapshot.takenAt }]);
        if (age > settings.snapshotStaleDays) flag('snapshot-stale', 'info', `The last listing of the server is ${age} days old (more than ${settings.snapshotStaleDays}).`, [{ code: 'refresh-server-list', tenant: key.tenant }]);
      }
      const twins = (byFingerprint.get(key.fingerprint) ?? []).filter((other) => other.id !== key.id);
      for (const twin of twins) {
        flag('duplicate-fingerprint', 'warning', `The same key is also stored as ${twin.tenant}/${twin.name}.`, [{ code: 'key-held-elsewhere', holder: { tenant: twin.tenant, name: twin.name }, tenantId: tenants.find((row) => row.alias === twin.tenant)?.tenant_id ?? twin.tenant, environment: twin.environment }]);
      }
      if (missing.has(key.secretAccount)) flag('secret-missing', 'critical', 'Its keychain entry is missing: the vault lists the key but cannot use it.', [{ code: 'run-reconcile' }]);
      const rotation = openRotations.get(key.id);
      if (rotation) {
        flag('rotation-open', 'warning', `A rotation started ${rotation.started_at.slice(0, 10)} is still ${rotation.state === 'overlap' ? 'in its overlap (both keys work)' : `at “${rotation.step}”`}.`, rotation.state === 'overlap' ? [{ code: 'finish-rotation', key: ref }, { code: 'abort-rotation', key: ref }] : [{ code: 'resume-rotation', key: ref }, { code: 'abort-rotation', key: ref }]);
      }
      const since = key.rotatedAt ?? key.createdAt;
      const keyAge = Math.floor((Date.parse(now) - Date.parse(since)) / DAY_MS);
      if (keyAge > settings.rotationPolicyDays && !key.admin) flag('rotation-due', 'warning', `${key.rotatedAt ? 'Last rotated' : 'Created'} ${keyAge} days ago; the rotation policy is ${settings.rotationPolicyDays} days.`, [{ code: 'start-rotation', key: ref }]);
      if (key.owner === null) flag('no-owner', 'info', 'Nobody is recorded as its owner.', [{ code: 'set-owner', key: ref }]);

      flags.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
      const severity = flags.length === 0 ? null : flags[0]!.severity;
      return toReviewed(key, drift, flags, severity);
    });

    // Most severe first, then the most problems; rows came in tenant and name order, which sort keeps.
    const weight = new Map(reviewed.map((key) => [key, rank(key) * 1000 - key.flags.filter((flag) => flag.severity !== 'info').length]));
    reviewed.sort((a, b) => weight.get(a)! - weight.get(b)!);

    const findings = this.findings(tenant ? [tenant] : tenants, rows, snapshots, unclaimed, orphans);
    if (listing.problem) {
      findings.unshift({ code: 'keychain-unlisted', severity: 'warning', tenant: null, name: 'keychain', reason: `The keychain could not be listed (${listing.problem}), so missing and stray keychain entries are not flagged in this review.`, remedies: [{ code: 'fix-keychain' }] });
    }
    const summary = summarize(reviewed, tenant ? [tenant] : tenants, snapshots);
    const digest = digestOf(reviewed);
    const lastSignOff = this.lastSignOff();
    return {
      generatedAt: now,
      tenant: tenant?.alias ?? null,
      settings,
      summary,
      keys: reviewed,
      findings,
      charts: charts(reviewed, today),
      lastSignOff,
      changes: lastSignOff ? this.changesSince(lastSignOff, reviewed, digest) : null,
      digest,
    };
  }

  /** The keychain's accounts (one retry: a listing can race an entry deleted meanwhile), or why not. */
  private async keychainAccounts(): Promise<{ accounts: string[] | null; problem: string | null }> {
    let problem = '';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        return { accounts: await this.vault.secrets.listAccounts(), problem: null };
      } catch (error) {
        problem = error instanceof VaultError ? error.message.replace(/\.$/, '') : 'an unexpected keychain error';
      }
    }
    return { accounts: null, problem };
  }

  /** Records a sign-off of the current state: who, when, a digest of what was reviewed, in the audit log. */
  async sign(input: { reviewer: string; note?: string }): Promise<SignOff> {
    const reviewer = input.reviewer.trim();
    if (reviewer === '' || reviewer.length > 200) throw new VaultError('INVALID_INPUT', 'Reviewer: give a name (up to 200 characters).');
    assertRule(checkText(reviewer, 'Reviewer'));
    const note = input.note?.trim() || null;
    if (note !== null) assertRule(checkText(note, 'Note', { multiline: true }));
    const report = await this.report();
    const at = this.vault.now();
    const state = report.keys.map((key) => [key.id, `${key.tenant}/${key.name}`, key.fingerprint, key.flags.map((flag) => flag.code).join(',')]);
    const id = this.vault.inventory.transaction(() => {
      const signOffId = this.vault.inventory.insertSignOff({ at, reviewer, note, digest: report.digest, keys: report.keys.length, flagged: report.summary.flagged, state: JSON.stringify(state) });
      this.vault.audit('signed', { detail: { reviewer, note, digest: report.digest, keys: report.keys.length, flagged: report.summary.flagged, signOff: signOffId } });
      return signOffId;
    });
    return { id, at, reviewer, note, digest: report.digest, keys: report.keys.length, flagged: report.summary.flagged };
  }

  lastSignOff(): SignOff | null {
    const row = this.vault.inventory.latestSignOff();
    return row ? { id: row.id, at: row.at, reviewer: row.reviewer, note: row.note, digest: row.digest, keys: row.keys, flagged: row.flagged } : null;
  }

  private changesSince(signOff: SignOff, reviewed: ReviewedKey[], digest: string): ReviewChanges {
    const before = new Map((JSON.parse(this.vault.inventory.signOffState(signOff.id) ?? '[]') as [string, string, string, string][]).map(([id, ref, print, codes]) => [id, { ref, print, codes: codes ? (codes.split(',') as FlagCode[]) : [] }]));
    const changes: ReviewChanges = { since: signOff, added: [], removed: [], replaced: [], newlyFlagged: [], cleared: [], unchanged: digest === signOff.digest };
    const seen = new Set<string>();
    for (const key of reviewed) {
      const ref = `${key.tenant}/${key.name}`;
      const old = before.get(key.id);
      seen.add(key.id);
      if (!old) {
        changes.added.push(ref);
        continue;
      }
      if (old.print !== key.fingerprint) changes.replaced.push(ref);
      const now = key.flags.map((flag) => flag.code);
      const raised = [...new Set(now.filter((code) => !old.codes.includes(code)))];
      const cleared = [...new Set(old.codes.filter((code) => !now.includes(code)))];
      if (raised.length) changes.newlyFlagged.push({ key: ref, codes: raised });
      if (cleared.length) changes.cleared.push({ key: ref, codes: cleared });
    }
    for (const [id, old] of before) if (!seen.has(id)) changes.removed.push(old.ref);
    return changes;
  }

  /**
   * Per tenant, the server keys of its last listing that no entry of the vault is linked to: not an
   * entry's own (known or presumed), not an earlier key of a rotation, not a rotation's new one.
   */
  private unclaimed(tenants: TenantRow[], rows: KeyRow[], credentials: CredentialRow[], rotations: RotationRow[], snapshots: Map<string, { takenAt: string; byName: Map<string, RemoteKey> } | null>): Map<string, string[]> {
    const tenantOfKey = new Map(rows.map((row) => [row.id, row.tenant_ref]));
    const result = new Map<string, string[]>();
    for (const tenant of tenants) {
      const snapshot = snapshots.get(tenant.id);
      if (!snapshot) continue;
      const known = new Set<string>();
      for (const row of rows) if (row.tenant_ref === tenant.id) known.add(row.remote_name ?? row.name);
      for (const credential of credentials) if (tenantOfKey.get(credential.key_id) === tenant.id) known.add(credential.remote_name);
      for (const rotation of rotations) if (rotation.tenant === tenant.alias) known.add(rotation.new_remote_name);
      result.set(tenant.id, [...snapshot.byName.keys()].filter((name) => !known.has(name)).sort());
    }
    return result;
  }

  private findings(tenants: TenantRow[], rows: KeyRow[], snapshots: Map<string, { takenAt: string; byName: Map<string, RemoteKey> } | null>, unclaimed: Map<string, string[]>, orphans: number): VaultFinding[] {
    const findings: VaultFinding[] = [];
    for (const tenant of tenants) {
      const snapshot = snapshots.get(tenant.id);
      if (!snapshot) continue;
      // Entries whose server name the vault does not know, and that the listing does not show by their own name: perhaps one of these.
      const unlinked = rows.filter((row) => row.tenant_ref === tenant.id && row.remote_name === null && !snapshot.byName.has(row.name)).map((row) => ({ tenant: tenant.alias, name: row.name }));
      for (const name of unclaimed.get(tenant.id) ?? []) {
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
}

function rank(key: ReviewedKey): number {
  return key.severity === null ? 3 : SEVERITY_RANK[key.severity];
}

function toReviewed(key: KeySummary, drift: ReviewedKey['drift'], flags: Flag[], severity: Severity | null): ReviewedKey {
  return {
    id: key.id,
    tenant: key.tenant,
    name: key.name,
    environment: key.environment,
    remoteName: key.remoteName,
    owner: key.owner,
    notes: key.notes,
    scopes: key.scopes,
    admin: key.admin,
    enabled: key.enabled,
    fingerprint: key.fingerprint,
    createdAt: key.createdAt,
    rotatedAt: key.rotatedAt,
    expiresOn: key.expiresOn,
    lastJudgement: key.lastJudgement,
    lastJudgedAt: key.lastJudgedAt,
    lastCheckedAt: key.lastAttemptAt,
    drift,
    flags,
    severity,
  };
}

/** SHA-256 of what was reviewed: every key's id, fingerprint and flag codes, in a fixed order. */
function digestOf(keys: ReviewedKey[]): string {
  const hash = createHash('sha256');
  for (const key of [...keys].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) hash.update(`${key.id}\t${key.fingerprint}\t${key.flags.map((flag) => flag.code).sort().join(',')}\n`);
  return hash.digest('hex');
}

/** The key-table filter a flag stands for: a filter where one says exactly the same, else the keys' ids. */
function flagQuery(code: FlagCode, keys: ReviewedKey[]): ReviewQuery {
  const label = `Flagged: ${code.replaceAll('-', ' ')}`;
  switch (code) {
    case 'expired':
      return { label, query: { expiry: 'expired' } };
    case 'admin-credential':
      return { label, query: { admin: true } };
    case 'never-checked':
      return { label, query: { neverChecked: true } };
    case 'no-owner':
      return { label, query: { noOwner: true } };
    default:
      return { label, query: { ids: idsOf(keys, code) } };
  }
}

function idsOf(keys: ReviewedKey[], code: FlagCode): string[] {
  return keys.filter((key) => key.flags.some((flag) => flag.code === code)).slice(0, ID_LIMIT).map((key) => key.id);
}

function summarize(keys: ReviewedKey[], tenants: TenantRow[], snapshots: Map<string, { takenAt: string } | null>): ReviewSummary {
  const perSeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  const perFlag = new Map<FlagCode, { severity: Severity; keys: number }>();
  const perVerdict: Partial<Record<JudgementState, number>> = {};
  const perEnvironment: Record<string, number> = {};
  const perTenant = new Map(tenants.map((tenant) => [tenant.alias, { tenant: tenant.alias, environment: tenant.environment, sandbox: tenant.sandbox === 1, keys: 0, flagged: 0, snapshotAt: snapshots.get(tenant.id)?.takenAt ?? null }]));
  let flagged = 0;
  for (const key of keys) {
    if (key.severity !== null) perSeverity[key.severity] += 1;
    if (key.flags.some((flag) => flag.severity !== 'info')) flagged += 1;
    for (const code of new Set(key.flags.map((flag) => flag.code))) {
      const worst = key.flags.find((flag) => flag.code === code)!.severity;
      const entry = perFlag.get(code) ?? { severity: worst, keys: 0 };
      entry.keys += 1;
      if (SEVERITY_RANK[worst] < SEVERITY_RANK[entry.severity]) entry.severity = worst;
      perFlag.set(code, entry);
    }
    const verdict = judgementState(key.lastJudgement, key.lastCheckedAt);
    perVerdict[verdict] = (perVerdict[verdict] ?? 0) + 1;
    perEnvironment[key.environment] = (perEnvironment[key.environment] ?? 0) + 1;
    const tenant = perTenant.get(key.tenant);
    if (tenant) {
      tenant.keys += 1;
      if (key.flags.some((flag) => flag.severity !== 'info')) tenant.flagged += 1;
    }
  }
  return {
    keys: keys.length,
    flagged,
    perTenant: [...perTenant.values()],
    perEnvironment,
    perSeverity,
    perFlag: FLAG_CODES.filter((code) => perFlag.has(code))
      .map((code) => ({ code, ...perFlag.get(code)!, query: flagQuery(code, keys) }))
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.keys - a.keys),
    perVerdict,
  };
}

const AGE_BUCKETS: { label: string; days: number }[] = [
  { label: '< 30 days', days: 30 },
  { label: '30–90 days', days: 90 },
  { label: '90–180 days', days: 180 },
  { label: '180–365 days', days: 365 },
  { label: '1–2 years', days: 730 },
  { label: '> 2 years', days: Infinity },
];

function charts(keys: ReviewedKey[], today: string): ReviewReport['charts'] {
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  const verdictCounts = new Map<JudgementState, number>();
  for (const key of keys) verdictCounts.set(judgementState(key.lastJudgement, key.lastCheckedAt), (verdictCounts.get(judgementState(key.lastJudgement, key.lastCheckedAt)) ?? 0) + 1);
  const verdicts: ChartBar[] = [...verdictCounts]
    .sort((a, b) => b[1] - a[1])
    .map(([verdict, value]) => {
      const words = judgementStateWords(verdict);
      const query: ReviewQuery['query'] = verdict === 'never-checked' ? { neverChecked: true } : { judgement: verdict };
      return { label: words, value, query: { label: verdict === 'never-checked' || verdict === 'not-judged' ? `Last judgement: none (${words})` : `Last judgement: ${words}`, query } };
    });

  const expiry: ChartBar[] = [{ label: 'expired', value: 0, query: { label: 'Expired', query: { expiry: 'expired' } } }];
  for (let week = 0; week < 52; week += 1) {
    const from = date(todayMs + week * 7 * DAY_MS);
    const to = date(todayMs + (week * 7 + 6) * DAY_MS);
    expiry.push({ label: from, value: 0, query: { label: `Expiring ${from} to ${to}`, query: { expiresFrom: from, expiresTo: to } } });
  }
  for (const key of keys) {
    if (key.expiresOn === null) continue;
    const days = Math.round((Date.parse(`${key.expiresOn}T00:00:00Z`) - todayMs) / DAY_MS);
    if (days < 0) expiry[0]!.value += 1;
    else if (days < 52 * 7) expiry[1 + Math.floor(days / 7)]!.value += 1;
  }

  // Age counts from the last rotation, or the creation; each bar shows its keys by that date's range.
  const age: ChartBar[] = AGE_BUCKETS.map((bucket, index) => {
    const newest = index === 0 ? 0 : AGE_BUCKETS[index - 1]!.days;
    const range = { changedTo: date(todayMs - newest * DAY_MS), ...(bucket.days === Infinity ? {} : { changedFrom: date(todayMs - (bucket.days - 1) * DAY_MS) }) };
    return { label: bucket.label, value: 0, query: { label: `Age ${bucket.label}`, query: range } };
  });
  for (const key of keys) {
    const days = Math.floor((todayMs - Date.parse(`${(key.rotatedAt ?? key.createdAt).slice(0, 10)}T00:00:00Z`)) / DAY_MS);
    age[AGE_BUCKETS.findIndex((bucket) => days < bucket.days)]!.value += 1;
  }

  const scopeCounts = new Map<string, number>();
  for (const key of keys) for (const scope of new Set(key.scopes)) scopeCounts.set(scope, (scopeCounts.get(scope) ?? 0) + 1);
  const scopes: ChartBar[] = [...scopeCounts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 15)
    .map(([scope, value]) => ({ label: scope, value, query: { label: scope === '*' ? 'Holding * (every scope)' : `Holding ${scope}`, query: scope === '*' ? { wildcard: true } : { scope } } }));

  return { verdicts, expiry, age, scopes };
}

