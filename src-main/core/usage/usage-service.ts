/**
 * A key's usage, from two sources, each said with where it came from:
 *
 * - the vendor's logs: the tenant's usage query (usage-query.ts) run through the Insights API with
 *   the tenant's admin credential, or else a stored key that holds Insights.Read, at most 60 calls a
 *   minute per tenant. The vault's own requests (checks, negative controls, admin calls: its user
 *   agent) are left out: they are not use. What the logs showed is remembered (usage-store.ts).
 * - the vault's own records: `exec` runs that handed the key to a program (the audit log).
 *
 * No evidence is said as such (no credential, a refused query), never shown as zero use.
 */
import type { KeyRef, KeySummary } from '../../shared/contract.ts';
import type { InsightsEvidence, KeyUsage, OverlapUsage, RememberedUsage, UsageCaller, UsageColumns, UsageHour, UsageSettings, VaultEvidence } from '../../shared/usage.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { Connection } from '../db/connection.ts';
import { VaultError } from '../errors.ts';
import { STANDARD_HEADERS, type HttpClient } from '../http/http-client.ts';
import { formatKeyRef } from '../keys/key-ref.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { vendorOf } from '../vendors/vendors.ts';
import type { AdminCredential } from '../vendors/wallet-crew/admin-api.ts';
import { INSIGHTS_CALLS_PER_MINUTE, INSIGHTS_SCOPE, queryInsights, type InsightsTable } from '../vendors/wallet-crew/insights-api.ts';
import { DEFAULT_COLUMN_MAPPING, parseWindow, renderUsageQuery, usageSettingsProblem, usageTemplate } from './usage-query.ts';
import { remember, UsageStore } from './usage-store.ts';

/** The vendor keeps 45 days of logs: the longest window worth asking for. */
export const LOG_RETENTION_DAYS = 45;
/** The vault's own requests carry this user agent: they are not use. */
export const VAULT_USER_AGENT = STANDARD_HEADERS['user-agent']!;

interface StoredSettings {
  template?: string;
  columns?: Partial<UsageColumns>;
}

export interface UsageVault {
  db: Connection;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  admin: AdminService;
  settings: SettingsService;
}

export class UsageService {
  private readonly vault: UsageVault;
  private readonly http: HttpClient;
  private readonly store: UsageStore;
  /** Insights calls sent per tenant in the last minute (epoch ms), to stay within the vendor's limit. */
  private readonly sent = new Map<string, number[]>();

  constructor(options: { http: HttpClient; vault: UsageVault }) {
    this.http = options.http;
    this.vault = options.vault;
    this.store = new UsageStore(options.vault.db);
  }

  /** The tenant's usage query and column mapping: its own, or the defaults. */
  settings(alias: string): UsageSettings {
    const tenant = this.vault.tenants.require(alias);
    const stored = (this.vault.settings.get(settingName(tenant.ref)) ?? {}) as StoredSettings;
    const columns: UsageColumns = { ...DEFAULT_COLUMN_MAPPING, ...stored.columns };
    const template = stored.template ?? usageTemplate(columns);
    return { tenant: alias, template, columns, templateIsDefault: stored.template === undefined };
  }

  /**
   * Changes the tenant's usage query or mapping (`reset` goes back to the defaults). A template left
   * as the default follows the mapping. Audited; refused with what to fix when it cannot work.
   */
  configure(alias: string, change: { template?: string | null; columns?: Partial<UsageColumns>; reset?: boolean }): UsageSettings {
    const tenant = this.vault.tenants.require(alias);
    const current = this.settings(alias);
    const columns: UsageColumns = change.reset ? { ...DEFAULT_COLUMN_MAPPING } : { ...current.columns, ...change.columns };
    const template = change.reset || change.template === null ? undefined : (change.template ?? (current.templateIsDefault ? undefined : current.template));
    const problem = usageSettingsProblem(template ?? usageTemplate(columns), columns);
    if (problem) throw new VaultError('INVALID_INPUT', problem);
    const stored: StoredSettings = { columns, ...(template === undefined ? {} : { template: template.trim() }) };
    this.vault.db.transaction(() => {
      this.vault.settings.set(settingName(tenant.ref), stored);
      this.vault.audit.record('settings_changed', { tenant: alias, detail: { usageQuery: template === undefined ? 'default' : 'custom', columns } });
    });
    return this.settings(alias);
  }

  /** The key's usage over the last `since` (24h, 7d; at most the 45 days the vendor keeps). */
  async usage(ref: KeyRef, options: { since?: string } = {}): Promise<KeyUsage> {
    const key = this.vault.keys.show(ref);
    const since = options.since ?? `${LOG_RETENTION_DAYS}d`;
    const window = parseWindow(since);
    if (!window) throw new VaultError('INVALID_INPUT', `Since: "${since}" is not a window; give hours, days or minutes, such as 24h, 7d or 90m.`);
    if (window.ms > LOG_RETENTION_DAYS * 86_400_000) throw new VaultError('INVALID_INPUT', `Since: the vendor keeps ${LOG_RETENTION_DAYS} days of logs; ask for ${LOG_RETENTION_DAYS}d or less.`);
    const to = this.vault.stamps.now();
    const from = new Date(Date.parse(to) - window.ms).toISOString();
    const insights = await this.insights(key, key.remoteName, window.literal, from, to);
    let remembered = this.store.get(key.id);
    // Remembered only when the vault's own checks could be told apart: else its own checks would read as use.
    if (insights.state === 'found' && insights.ownChecksKnown) {
      remembered = remember(remembered, { from, to, lastSeen: insights.lastSeen });
      this.store.put(key.id, remembered);
    }
    return { key: { tenant: key.tenant, name: key.name }, window: { since: window.literal, from, to }, insights, vault: this.execRuns(key, from), remembered };
  }

  /** What the vault knows of every key's use, by key id (for the review): what the logs showed, and its newest exec run. */
  knownUse(): Map<string, { logs: RememberedUsage | null; lastExec: string | null }> {
    const known = new Map<string, { logs: RememberedUsage | null; lastExec: string | null }>();
    for (const [keyId, logs] of this.store.all()) known.set(keyId, { logs, lastExec: null });
    // Newest first: a key's first entry met is its last run.
    for (const entry of this.vault.audit.all({ action: 'injected' })) {
      const key = entry.tenant && entry.keyName ? this.vault.keys.find({ tenant: entry.tenant, name: entry.keyName }) : null;
      if (!key) continue;
      const use = known.get(key.id) ?? { logs: null, lastExec: null };
      if (use.lastExec === null || use.lastExec < entry.at) use.lastExec = entry.at;
      known.set(key.id, use);
    }
    return known;
  }

  private execRuns(key: KeySummary, from: string): VaultEvidence {
    const runs = this.vault.audit
      .all({ key: { tenant: key.tenant, name: key.name }, action: 'injected', since: from })
      .map((entry) => ({ at: entry.at, program: typeof entry.detail?.program === 'string' ? entry.detail.program : 'a program', actor: entry.actor }));
    return { runs, lastSeen: runs[0]?.at ?? null };
  }

  /**
   * A rotation's overlap: the old and the new server key's use since the rotation began, or over
   * the last week when that is longer (at most the 45 days the vendor keeps), and what that says of
   * the old key. Two Insights calls.
   */
  async overlap(rotation: { key: KeyRef; oldRemoteName: string; newRemoteName: string; startedAt: string }): Promise<OverlapUsage> {
    const key = this.vault.keys.show(rotation.key);
    const to = this.vault.stamps.now();
    // A week at least: how long the old key has been quiet matters from before the rotation too.
    const hours = Math.min(LOG_RETENTION_DAYS * 24, Math.max(OVERLAP_MIN_HOURS, Math.ceil((Date.parse(to) - Date.parse(rotation.startedAt)) / HOUR_MS) + 1));
    const since = `${hours}h`;
    const from = new Date(Date.parse(to) - hours * HOUR_MS).toISOString();
    const old = await this.insights(key, rotation.oldRemoteName, since, from, to);
    const fresh = await this.insights(key, rotation.newRemoteName, since, from, to);
    return { key: rotation.key, oldRemoteName: rotation.oldRemoteName, newRemoteName: rotation.newRemoteName, window: { since, from, to }, old, new: fresh, oldKey: oldKeyState(old, Date.parse(to)) };
  }

  private async insights(key: KeySummary, remoteName: string, since: string, from: string, to: string): Promise<InsightsEvidence> {
    const tenant = this.vault.tenants.require(key.tenant);
    const vendor = vendorOf(tenant.provider);
    if (vendor?.noAdminApi) return { state: 'unsupported', reason: `${vendor.name} has no Insights API: the vault knows of this key's use only what it handed to programs (exec).` };
    const settings = this.settings(key.tenant);
    const query = renderUsageQuery(settings.template, { keyName: remoteName, since });
    const candidates = this.credentials(key.tenant);
    if (candidates.length === 0) {
      return { state: 'no-credential', reason: `No credential of ${key.tenant} can read its logs: none is marked admin, and no stored key declares ${INSIGHTS_SCOPE}. Store one (an admin key, or a key with ${INSIGHTS_SCOPE}) to see this key's use.` };
    }
    const tenantRedactor = await this.vault.admin.redactorFor(key.tenant);
    let refused: InsightsEvidence | null = null;
    // A credential whose scopes were declared wrongly is refused (403): the next one is tried, each read from the keychain only when its turn comes.
    for (const candidate of candidates) {
      if (!this.allowCall(tenant.ref)) {
        return { state: 'throttled', credential: null, reason: `The vault has sent ${INSIGHTS_CALLS_PER_MINUTE} Insights queries for ${key.tenant} in the last minute, the vendor's limit; ask again in a minute.`, retryAfterSeconds: 60 };
      }
      const credential = await candidate();
      if (!credential) continue;
      // What the server sends back may echo the credential that asked (a bearer token the tenant's keys do not hold).
      const redactor = tenantRedactor.with(credential.kind === 'api-key' ? credential.secret : credential.token);
      const answer = await queryInsights(this.http, { baseUrl: tenant.baseUrl, tenantId: tenant.tenantId }, credential, query, redactor);
      if (answer.ok) return readTable(answer.table, settings.columns, { credential: credential.label, query, from, to, redactor });
      refused = { state: answer.kind, credential: credential.label, reason: answer.message, ...(answer.kind === 'throttled' ? { retryAfterSeconds: answer.retryAfterSeconds } : {}) };
      if (answer.kind !== 'refused') break;
    }
    return refused ?? { state: 'no-credential', reason: `No credential of ${key.tenant} can read its logs: its bearer token is gone or expired, and no stored key declares ${INSIGHTS_SCOPE}. Paste a new token, or store a key with ${INSIGHTS_SCOPE}, to see this key's use.` };
  }

  /**
   * Who may ask the tenant's logs, in turn: its admin keys (else its pasted bearer token), then stored
   * keys that declare Insights.Read. Each is read from the keychain only when asked for; null when it
   * cannot be used (a bearer token gone or expired).
   */
  private credentials(alias: string): (() => Promise<AdminCredential | null>)[] {
    const admins = this.vault.keys.admins(alias);
    const readers = this.vault.keys.list({ tenant: alias }).filter((key) => !key.admin && key.scopes.includes(INSIGHTS_SCOPE) && key.lastJudgement !== 'unauthorized');
    const bearer = this.vault.tenants.require(alias).bearerSetAt !== null && admins.length === 0;
    return [
      ...admins.map((admin) => async (): Promise<AdminCredential> => ({ kind: 'api-key', secret: await this.vault.keys.secretOf(admin), label: `admin key ${formatKeyRef(admin)}` })),
      ...(bearer
        ? [
            async (): Promise<AdminCredential | null> => {
              const pasted = await this.vault.tenants.bearerOf(alias);
              return pasted && (pasted.expiresAt === null || Date.parse(pasted.expiresAt) > Date.now()) ? { kind: 'bearer', token: pasted.token, label: `bearer token of ${alias}` } : null;
            },
          ]
        : []),
      ...readers.map((reader) => async (): Promise<AdminCredential> => ({ kind: 'api-key', secret: await this.vault.keys.secretOf(reader), label: `key ${formatKeyRef(reader)} (it holds ${INSIGHTS_SCOPE})` })),
    ];
  }

  private allowCall(tenantRef: string): boolean {
    const now = Date.now();
    const recent = (this.sent.get(tenantRef) ?? []).filter((at) => now - at < 60_000);
    if (recent.length >= INSIGHTS_CALLS_PER_MINUTE) return false;
    recent.push(now);
    this.sent.set(tenantRef, recent);
    return true;
  }
}

/** A result cell as text: strings and numbers as they are, anything else (a server's odd answer) as nothing. */
function cellText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** What an overlap's evidence says of the old key: used within the last hour, quiet, or unknown. */
function oldKeyState(old: InsightsEvidence, now: number): OverlapUsage['oldKey'] {
  if (old.state !== 'found') return { state: 'unknown', reason: old.reason };
  if (old.lastSeen !== null && now - Date.parse(old.lastSeen) < HOUR_MS) {
    const caller = old.callers.find((candidate) => candidate.lastSeen === old.lastSeen);
    return { state: 'in-use', lastSeen: old.lastSeen, caller: caller ? [caller.address, caller.userAgent && `"${caller.userAgent}"`].filter(Boolean).join(' ') || null : null };
  }
  const since = old.lastSeen ?? old.hours[0]?.hour ?? new Date(now).toISOString();
  return { state: 'quiet', quietHours: Math.floor((now - Date.parse(since)) / HOUR_MS), lastSeen: old.lastSeen };
}

function settingName(tenantRef: string): string {
  return `usage-query:${tenantRef}`;
}

const HOUR_MS = 3_600_000;
const OVERLAP_MIN_HOURS = 7 * 24;

/** The result table read through the mapping: hours (every hour of the window), callers, the last request; the vault's own left out. */
function readTable(table: InsightsTable, columns: UsageColumns, context: { credential: string; query: string; from: string; to: string; redactor: Redactor }): InsightsEvidence {
  const index = (name: string | null) => (name === null ? -1 : table.columns.findIndex((column) => column.name === name));
  const at = { hour: index('Hour'), requests: index('Requests'), lastSeen: index('LastSeen'), address: index(columns.address), userAgent: index(columns.userAgent) };
  const missing = (['Hour', 'Requests', 'LastSeen'] as const).filter((_, i) => [at.hour, at.requests, at.lastSeen][i]! < 0);
  if (missing.length > 0) {
    return { state: 'unreadable', credential: context.credential, reason: `The tenant's usage query answered without the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (it gave ${context.redactor.redactName(table.columns.map((column) => column.name).join(', ')) || 'none'}). Its result needs Hour, Requests and LastSeen: correct the tenant's usage query.` };
  }
  const hours = new Map<number, number>();
  const callers = new Map<string, UsageCaller>();
  let ownChecks = 0;
  let requests = 0;
  let lastSeen: string | null = null;
  const windowStart = Math.floor(Date.parse(context.from) / HOUR_MS) * HOUR_MS;
  const windowEnd = Date.parse(context.to);
  for (const row of table.rows) {
    const hour = Date.parse(cellText(row[at.hour]));
    const count = Number(row[at.requests]);
    const seen = Date.parse(cellText(row[at.lastSeen]));
    if (!Number.isFinite(hour) || !Number.isFinite(count) || !Number.isFinite(seen)) continue;
    // A query that does not keep to the window (a template without {since}) is read within it only.
    if (hour < windowStart || hour > windowEnd) continue;
    const userAgent = at.userAgent >= 0 ? context.redactor.redactText(cellText(row[at.userAgent])) : null;
    if (userAgent !== null && userAgent.startsWith(VAULT_USER_AGENT)) {
      ownChecks += count;
      continue;
    }
    const address = at.address >= 0 ? context.redactor.redactText(cellText(row[at.address])) : null;
    const hourStart = Math.floor(hour / HOUR_MS) * HOUR_MS;
    hours.set(hourStart, (hours.get(hourStart) ?? 0) + count);
    requests += count;
    const seenIso = new Date(seen).toISOString();
    if (lastSeen === null || seenIso > lastSeen) lastSeen = seenIso;
    const id = `${address ?? ''}\n${userAgent ?? ''}`;
    const caller = callers.get(id);
    if (caller) {
      caller.requests += count;
      if (seenIso > caller.lastSeen) caller.lastSeen = seenIso;
    } else callers.set(id, { address: address || null, userAgent: userAgent || null, requests: count, lastSeen: seenIso });
  }
  const series: UsageHour[] = [];
  const first = Math.floor(Date.parse(context.from) / HOUR_MS) * HOUR_MS;
  for (let hour = first; hour <= Date.parse(context.to); hour += HOUR_MS) series.push({ hour: new Date(hour).toISOString(), requests: hours.get(hour) ?? 0 });
  return {
    state: 'found',
    credential: context.credential,
    query: context.query,
    lastSeen,
    requests,
    hours: series,
    callers: [...callers.values()].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)),
    ownChecks,
    ownChecksKnown: at.userAgent >= 0,
  };
}
