/**
 * A scheduled round: the keys whose last judgement is older than a window are checked again (a bulk
 * run, within the politeness limits, each with its negative control), then what needs a person is
 * listed: keys refused by the server (401 or 403), not judged (inconclusive), expired or expiring
 * within a few days (only those keys are read), and rotations whose overlap has stayed open longer
 * than planned.
 * The command line runs one per call of its watch command; the app runs them while it is open.
 */
import type { BulkSummary, RefusalWord } from '../../shared/check.ts';
import type { KeySummary } from '../../shared/contract.ts';
import type { Attention } from '../../shared/contract/watch.ts';
import type { CheckService } from '../checks/check-service.ts';
import type { Connection } from '../db/connection.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { RotationService } from '../rotation/rotation-service.ts';
import { WatchStore } from './watch-store.ts';

export const DEFAULT_WATCH = { staleHours: 24, expiringDays: 7, overlapDays: 7 } as const;

export type { Attention };

export interface WatchOptions {
  now: Date;
  staleHours?: number;
  expiringDays?: number;
  overlapDays?: number;
  signal?: AbortSignal;
}

export interface WatchRound {
  at: string;
  /** The bulk run of the stale keys (null when none was stale). */
  checked: BulkSummary | null;
  attention: Attention[];
}

/** Runs a round: stale keys checked, then what needs a person. */
export async function watchRound(vault: { db: Connection; checks: CheckService; keys: KeyService; rotations: RotationService }, options: WatchOptions): Promise<WatchRound> {
  const staleHours = options.staleHours ?? DEFAULT_WATCH.staleHours;
  const judgedBefore = new Date(options.now.getTime() - staleHours * 3_600_000).toISOString();
  const stale = vault.keys.toCheck({ judgedBefore }).length;
  const checked = stale > 0 ? await vault.checks.checkAll({ judgedBefore, concurrency: 4, perTenant: 2, ...(options.signal ? { signal: options.signal } : {}) }) : null;
  const keys = new WatchStore(vault.db);
  return { at: options.now.toISOString(), checked, attention: needsAPerson((days) => keys.candidates(options.now.toISOString().slice(0, 10), days), vault.rotations, options, keys.refusalWords()) };
}

/**
 * What needs a person now, from what the vault knows (no request is sent), among `candidates`: the
 * keys that can need one within an expiry window (WatchStore.candidates; never every key). A refused
 * key carries the server's word on that refusal, when `words` (by key id) has it.
 */
export function needsAPerson(
  candidates: (expiringDays: number) => KeySummary[],
  rotations: Pick<RotationService, 'list'>,
  options: Pick<WatchOptions, 'now' | 'expiringDays' | 'overlapDays'>,
  words: ReadonlyMap<string, RefusalWord> = new Map(),
): Attention[] {
  const expiringDays = options.expiringDays ?? DEFAULT_WATCH.expiringDays;
  const overlapDays = options.overlapDays ?? DEFAULT_WATCH.overlapDays;
  const attention: Attention[] = [];
  for (const key of candidates(expiringDays)) {
    const ref = { tenant: key.tenant, name: key.name };
    if (key.lastJudgement === 'unauthorized' || key.lastJudgement === 'forbidden') {
      const server = words.get(key.id);
      attention.push({ kind: key.lastJudgement, key: ref, since: key.lastJudgedAt, ...(server ? { server } : {}) });
    }
    else if (key.lastAttempt === 'inconclusive') attention.push({ kind: 'inconclusive', key: ref, since: key.lastAttemptAt });
    if (key.expiresOn !== null && key.expiresInDays !== null && key.expiresInDays <= expiringDays) {
      attention.push({ kind: key.expired ? 'expired' : 'expiring', key: ref, expiresOn: key.expiresOn, days: key.expiresInDays });
    }
  }
  for (const rotation of rotations.list()) {
    const days = Math.floor((options.now.getTime() - Date.parse(rotation.startedAt)) / 86_400_000);
    if (rotation.state === 'overlap' && days >= overlapDays) attention.push({ kind: 'overlap', key: rotation.key, startedAt: rotation.startedAt, days, oldRemoteName: rotation.oldRemoteName });
  }
  return attention;
}

/** One line of fact for an item, the same in every front door. */
export function attentionWords(item: Attention): string {
  switch (item.kind) {
    case 'unauthorized':
    case 'forbidden':
      return refusalWords(item.kind, item.since, item.server);
    case 'inconclusive':
      return 'its last check was inconclusive: nothing confirmed that the endpoint refuses a key that cannot exist';
    case 'expired':
      return `expired on ${item.expiresOn}`;
    case 'expiring':
      return item.days === 0 ? `expires today (${item.expiresOn})` : `expires in ${item.days} day${item.days === 1 ? '' : 's'} (${item.expiresOn})`;
    case 'overlap':
      return `its rotation has kept the old key "${item.oldRemoteName}" working for ${item.days} days (since ${item.startedAt.slice(0, 10)})`;
  }
}

/** A refusal in words: what the check got, when, and what the server's admin API said of the key then. */
function refusalWords(kind: 'unauthorized' | 'forbidden', since: string | null, server: RefusalWord | undefined): string {
  const when = since ? `, ${since.slice(0, 16).replace('T', ' ')} UTC` : '';
  const holds = (permissions: string[] | null) => (permissions?.length ? permissions.join(', ') : 'no permission');
  if (kind === 'unauthorized') {
    if (server?.state === 'deleted') return `refused by the server (401) when last judged${when}: its admin API has no key "${server.remoteName}", so it was deleted on the server`;
    if (server?.state === 'disabled') return `refused by the server (401) when last judged${when}: its admin API lists "${server.remoteName}" as disabled`;
    if (server?.state === 'enabled') return `refused by the server (401) when last judged${when}, yet its admin API lists "${server.remoteName}" as enabled: the vault's secret is not that key's token (regenerated or rotated elsewhere)`;
    return `refused by the server (401: missing, invalid or revoked) when last judged${when}`;
  }
  if (server?.state === 'enabled' && server.needed) return `lacks a scope the check needed (403) when last judged${when}: the server lists "${server.remoteName}" with ${holds(server.permissions)}; the check needed ${server.needed}`;
  return `lacks a scope the check needed (403) when last judged${when}`;
}
