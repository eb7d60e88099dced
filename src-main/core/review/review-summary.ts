/**
 * The review's figures, from the flagged keys alone: a summary by severity, flag, verdict,
 * environment and tenant; the charts' bars, each with the key-table filter that shows its keys; the
 * digest a sign-off records.
 */
import { createHash } from 'node:crypto';
import type { ChartBar, Flag, FlagCode, KeySummary, ReviewedKey, ReviewQuery, ReviewReport, ReviewSummary, Severity } from '../../shared/contract.ts';
import { FLAG_CODES } from '../../shared/contract.ts';
import { judgementState, judgementStateWords, type JudgementState } from '../../shared/verdicts.ts';
import type { TenantRecord } from '../tenants/tenant-service.ts';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
export const DAY_MS = 86_400_000;
/** Flags whose keys a query expresses; the others are shown by their keys' ids. */
const ID_LIMIT = 10_000;

export function rank(key: ReviewedKey): number {
  return key.severity === null ? 3 : SEVERITY_RANK[key.severity];
}

export function toReviewed(key: KeySummary, drift: ReviewedKey['drift'], flags: Flag[], severity: Severity | null, use: Pick<ReviewedKey, 'lastUsedAt' | 'lastUsedSource' | 'usageKnownSince'>): ReviewedKey {
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
    ...use,
    drift,
    flags,
    severity,
  };
}

/** SHA-256 of what was reviewed: every key's id, fingerprint and flag codes, in a fixed order. */
export function digestOf(keys: ReviewedKey[]): string {
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

export function summarize(keys: ReviewedKey[], tenants: TenantRecord[], snapshots: Map<string, { takenAt: string } | null>): ReviewSummary {
  const perSeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  const perFlag = new Map<FlagCode, { severity: Severity; keys: number }>();
  const perVerdict: Partial<Record<JudgementState, number>> = {};
  const perEnvironment: Record<string, number> = {};
  const perTenant = new Map(tenants.map((tenant) => [tenant.alias, { tenant: tenant.alias, environment: tenant.environment, sandbox: tenant.sandbox, keys: 0, flagged: 0, snapshotAt: snapshots.get(tenant.ref)?.takenAt ?? null }]));
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

export function charts(keys: ReviewedKey[], today: string): ReviewReport['charts'] {
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
