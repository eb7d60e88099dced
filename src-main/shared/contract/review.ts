/**
 * The offline review of the inventory: flags per key (each with its reason and what to do), a
 * summary, chart data, the drift from the last server snapshots, sign-offs; and the audit log.
 * Computed from the vault alone: no network.
 */
import type { Remedy } from '../remedies.ts';
import type { Environment } from '../rules.ts';
import type { JudgementState, Verdict } from '../verdicts.ts';
import { channel } from './channel.ts';
export { AUDIT_ACTIONS_SHOWN } from '../audit-actions.ts';
import type { KeyRef } from './keys.ts';

export const FLAG_CODES = [
  'expired',
  'expiring',
  'wildcard',
  'admin-credential',
  'never-checked',
  'check-stale',
  'failing',
  'drift-permissions',
  'drift-enabled',
  'missing-on-server',
  'not-linked',
  'snapshot-stale',
  'no-snapshot',
  'duplicate-fingerprint',
  'secret-missing',
  'rotation-open',
  'rotation-due',
  'no-owner',
  'unused',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Flag {
  code: FlagCode;
  severity: Severity;
  /** Why, as a plain sentence with the figures (dates, days, names). */
  reason: string;
  remedies: Remedy[];
}

/** A key as the review shows and exports it: metadata, last judgement, drift, flags. Never a secret, never a keychain account. */
export interface ReviewedKey {
  id: string;
  tenant: string;
  name: string;
  environment: Environment;
  remoteName: string;
  owner: string | null;
  notes: string | null;
  scopes: string[];
  admin: boolean;
  enabled: boolean;
  fingerprint: string;
  createdAt: string;
  rotatedAt: string | null;
  expiresOn: string | null;
  lastJudgement: Verdict | null;
  lastJudgedAt: string | null;
  lastCheckedAt: string | null;
  /**
   * The key's last known use: the newest request the vendor's logs showed or exec run, and where
   * that came from; `usageKnownSince` is since when the logs were read without a gap (null: never).
   */
  lastUsedAt: string | null;
  lastUsedSource: 'logs' | 'exec' | null;
  usageKnownSince: string | null;
  /** Compared with the tenant's last server snapshot (null when there is none). */
  drift: { snapshotAt: string; onServer: boolean; permissionsDiffer: boolean; enabledDiffers: boolean } | null;
  flags: Flag[];
  /** The most severe flag's severity, or null when the key is not flagged. */
  severity: Severity | null;
}

/** Something flagged that is not a vault entry: a key only on the server, a keychain entry nothing refers to. */
export interface VaultFinding {
  code: 'only-on-server' | 'orphan-secret' | 'keychain-unlisted';
  severity: Severity;
  tenant: string | null;
  name: string;
  reason: string;
  remedies: Remedy[];
}

/** Thresholds of the flags; stored in the inventory. */
export interface ReviewSettings {
  /** Expiring-soon windows in days, e.g. [30, 7, 1]; the smallest that contains the date is named. */
  expiringDays: number[];
  /** A key last checked longer ago than this is flagged. */
  staleCheckDays: number;
  /** A server snapshot older than this no longer counts as current. */
  snapshotStaleDays: number;
  /** A key not rotated (or created) for longer than this is due. */
  rotationPolicyDays: number;
  /** A key with no request seen for longer than this (in the vendor's logs, or an exec run) is flagged unused. */
  unusedDays: number;
}

export interface ChartBar {
  label: string;
  value: number;
  /** What clicking it shows in the key table. */
  query: ReviewQuery | null;
}

/** The key-table filter a flag or a chart bar stands for: a KeyQuery, or the keys by id when no filter expresses it. */
export interface ReviewQuery {
  label: string;
  query: {
    judgement?: Verdict | 'never' | 'not-judged';
    expiry?: 'expired' | 'within-7' | 'within-30';
    expiresFrom?: string;
    expiresTo?: string;
    changedFrom?: string;
    changedTo?: string;
    admin?: boolean;
    wildcard?: boolean;
    neverChecked?: boolean;
    noOwner?: boolean;
    scope?: string;
    ids?: string[];
    tenant?: string;
  };
}

export interface ReviewCharts {
  verdicts: ChartBar[];
  /** Keys expiring per week over the next 12 months (the first bar: already expired). */
  expiry: ChartBar[];
  /** Keys by age since created or last rotated. */
  age: ChartBar[];
  /** Scopes by how many keys hold them, most granted first (`*` included). */
  scopes: ChartBar[];
}

export interface ReviewSummary {
  keys: number;
  flagged: number;
  perTenant: { tenant: string; environment: Environment; sandbox: boolean; keys: number; flagged: number; snapshotAt: string | null }[];
  perEnvironment: Record<string, number>;
  perSeverity: Record<Severity, number>;
  perFlag: { code: FlagCode; severity: Severity; keys: number; query: ReviewQuery }[];
  /** Keys by judgement state: their last judgement, `never-checked` or `not-judged`. */
  perVerdict: Partial<Record<JudgementState, number>>;
}

export interface SignOff {
  id: number;
  at: string;
  reviewer: string;
  note: string | null;
  /** SHA-256 of what was reviewed: every key's id, fingerprint and flags. */
  digest: string;
  keys: number;
  flagged: number;
}

/** What changed since the last sign-off. */
export interface ReviewChanges {
  since: SignOff;
  added: string[];
  removed: string[];
  /** Keys whose secret changed (rotated, replaced). */
  replaced: string[];
  newlyFlagged: { key: string; codes: FlagCode[] }[];
  cleared: { key: string; codes: FlagCode[] }[];
  /** True when nothing changed: the digest is the same. */
  unchanged: boolean;
}

export interface ReviewReport {
  generatedAt: string;
  tenant: string | null;
  settings: ReviewSettings;
  summary: ReviewSummary;
  /** Every key reviewed, most severe first (flagged ones before the rest). */
  keys: ReviewedKey[];
  findings: VaultFinding[];
  charts: ReviewCharts;
  lastSignOff: SignOff | null;
  changes: ReviewChanges | null;
  /** SHA-256 of what is reviewed now, as a sign-off would record it. */
  digest: string;
}

export type ExportFormat = 'csv' | 'json' | 'md' | 'html';


export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  tenant: string | null;
  keyName: string | null;
  fingerprint: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  key?: KeyRef;
  action?: string;
  /** `YYYY-MM-DD` or an ISO time: entries at or after it. */
  since?: string;
  search?: string;
}

export interface AuditVerdict {
  intact: boolean;
  entries: number;
  broken: { id: number; at: string; reason: 'edited' | 'reordered-or-removed' } | null;
}

export const reviewChannels = {
  'review:report': channel<{ tenant?: string }, ReviewReport>(),
  'review:settings': channel<void, ReviewSettings>(),
  'review:set-settings': channel<Partial<ReviewSettings>, ReviewSettings>(),
  'review:sign': channel<{ reviewer: string; note?: string }, SignOff>(),
  /** Writes an export where the person chooses (a save dialog); null when they cancelled. */
  'review:export': channel<{ format: ExportFormat; tenant?: string }, { path: string | null; bytes: number }>(),
  'audit:list': channel<{ query: AuditQuery; offset: number; limit: number }, { entries: AuditRecord[]; total: number }>(),
  'audit:verify': channel<void, AuditVerdict>(),
  'audit:export': channel<{ query: AuditQuery; format: 'csv' | 'json' }, { path: string | null; bytes: number }>(),
};
