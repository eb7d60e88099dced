/**
 * The offline review: every key flagged from what the vault knows — its metadata, its last
 * judgement, the tenant's last server snapshot, the keychain's entries, open rotations — with a
 * reason and what to do; a summary, chart data, and what changed since the last sign-off. No network:
 * a reviewer can answer "what is at risk, who owns it, what changed" on a plane.
 */
import type { KeySummary, ReviewChanges, ReviewedKey, ReviewReport, ReviewSettings, SignOff, FlagCode } from '../../shared/contract.ts';
import { checkText } from '../../shared/rules.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { RotationService } from '../rotation/rotation-service.ts';
import { isKeyAccount, type SecretStore } from '../secrets/secret-store.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { flagKey, unclaimedServerKeys, vaultFindings, type FlagContext, type Snapshot } from './flags.ts';
import { charts, digestOf, rank, summarize } from './review-summary.ts';
import { ReviewStore } from './review-store.ts';
import type { UsageService } from '../usage/usage-service.ts';

export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = { expiringDays: [30, 7, 1], staleCheckDays: 90, snapshotStaleDays: 30, rotationPolicyDays: 365, unusedDays: 90 };

export interface ReviewServiceOptions {
  db: Connection;
  secrets: SecretStore;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  admin: AdminService;
  rotations: RotationService;
  settings: SettingsService;
  events: VaultEvents;
  /** What the vault knows of each key's use (the vendor's logs, exec runs). */
  usage: Pick<UsageService, 'knownUse'>;
}

export class ReviewService {
  private readonly db: Connection;
  private readonly store: ReviewStore;
  private readonly stored: SettingsService;
  private readonly secrets: SecretStore;
  private readonly stamps: Stamps;
  private readonly audit: AuditService;
  private readonly tenants: TenantService;
  private readonly keys: KeyService;
  private readonly admin: AdminService;
  private readonly rotations: RotationService;
  private readonly events: VaultEvents;
  private readonly usage: Pick<UsageService, 'knownUse'>;

  constructor(options: ReviewServiceOptions) {
    this.db = options.db;
    this.store = new ReviewStore(options.db);
    this.stored = options.settings;
    this.secrets = options.secrets;
    this.stamps = options.stamps;
    this.audit = options.audit;
    this.tenants = options.tenants;
    this.keys = options.keys;
    this.admin = options.admin;
    this.rotations = options.rotations;
    this.events = options.events;
    this.usage = options.usage;
  }

  settings(): ReviewSettings {
    const stored = this.stored.get('review');
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
    days(next.unusedDays, 'The unused threshold', 3650);
    this.db.transaction(() => {
      this.stored.set('review', next);
      this.audit.record('settings_changed', { detail: { review: next } });
    });
    this.events.changed('review settings changed');
    return next;
  }

  /** The review of every key (or one tenant's), from the vault alone. */
  async report(options: { tenant?: string } = {}): Promise<ReviewReport> {
    const settings = this.settings();
    const now = this.stamps.now();
    const today = now.slice(0, 10);
    const tenants = this.tenants.records();
    const tenant = options.tenant === undefined ? null : this.tenants.require(options.tenant);
    const everyKey = this.keys.list({ nocase: true });
    const keys = tenant ? everyKey.filter((key) => key.tenant === tenant.alias) : everyKey;
    const tenantByAlias = new Map(tenants.map((row) => [row.alias, row]));

    // What the keychain holds (a local call, no network): missing secrets and stray entries.
    const rotations = this.rotations.list();
    // The keychain is local but may be locked or busy: without its listing the review still stands,
    // minus what only the listing tells (missing and stray entries), and says so.
    const listing = await this.keychainAccounts();
    const accounts = new Set((listing.accounts ?? []).filter(isKeyAccount));
    const missing = new Set(listing.accounts ? keys.filter((key) => !accounts.has(key.secretAccount)).map((key) => key.secretAccount) : []);
    let orphans = 0;
    if (!tenant && listing.accounts) {
      // Every key is in `keys`: what no key, earlier key, rotation or bearer token refers to is stray.
      const known = new Set([...keys.map((key) => key.secretAccount), ...this.keys.knownAccounts()]);
      for (const account of accounts) if (!known.has(account)) orphans += 1;
    }
    // A key held twice may be held under another tenant: every tenant's fingerprints count.
    const byFingerprint = new Map<string, KeySummary[]>();
    for (const key of everyKey) byFingerprint.set(key.fingerprint, [...(byFingerprint.get(key.fingerprint) ?? []), key]);
    const snapshots = new Map<string, Snapshot>();
    for (const row of tenant ? [tenant] : tenants) {
      const snapshot = this.admin.snapshotOf(row.ref);
      snapshots.set(row.ref, snapshot ? { takenAt: snapshot.takenAt, byName: new Map(snapshot.keys.map((remote) => [remote.name, remote])) } : null);
    }
    const unclaimed = unclaimedServerKeys(tenants, everyKey, this.keys.credentials(), rotations, snapshots);
    const context: FlagContext = {
      settings,
      now,
      snapshots,
      unclaimed,
      byFingerprint,
      tenantIds: new Map(tenants.map((row) => [row.alias, row.tenantId])),
      missing,
      openRotations: new Map(rotations.map((rotation) => [`${rotation.key.tenant}/${rotation.key.name}`, rotation])),
      usage: this.usage.knownUse(),
    };
    const reviewed = keys.map((key) => flagKey(key, tenantByAlias.get(key.tenant)!, context));

    // Most severe first, then the most problems; keys came in tenant and name order, which sort keeps.
    const weight = new Map(reviewed.map((key) => [key, rank(key) * 1000 - key.flags.filter((flag) => flag.severity !== 'info').length]));
    reviewed.sort((a, b) => weight.get(a)! - weight.get(b)!);

    const findings = vaultFindings(tenant ? [tenant] : tenants, keys, snapshots, unclaimed, orphans);
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
        return { accounts: await this.secrets.listAccounts(), problem: null };
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
    const at = this.stamps.now();
    const state = report.keys.map((key) => [key.id, `${key.tenant}/${key.name}`, key.fingerprint, key.flags.map((flag) => flag.code).join(',')]);
    const id = this.db.transaction(() => {
      const signOffId = this.store.insertSignOff({ at, reviewer, note, digest: report.digest, keys: report.keys.length, flagged: report.summary.flagged, state: JSON.stringify(state) });
      this.audit.record('signed', { detail: { reviewer, note, digest: report.digest, keys: report.keys.length, flagged: report.summary.flagged, signOff: signOffId } });
      return signOffId;
    });
    this.events.changed('review signed');
    return { id, at, reviewer, note, digest: report.digest, keys: report.keys.length, flagged: report.summary.flagged };
  }

  lastSignOff(): SignOff | null {
    const row = this.store.latestSignOff();
    return row ? { id: row.id, at: row.at, reviewer: row.reviewer, note: row.note, digest: row.digest, keys: row.keys, flagged: row.flagged } : null;
  }

  private changesSince(signOff: SignOff, reviewed: ReviewedKey[], digest: string): ReviewChanges {
    const before = new Map((JSON.parse(this.store.signOffState(signOff.id) ?? '[]') as [string, string, string, string][]).map(([id, ref, print, codes]) => [id, { ref, print, codes: codes ? (codes.split(',') as FlagCode[]) : [] }]));
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
}
