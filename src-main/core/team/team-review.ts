/**
 * The review of a team's whole inventory: every key the team shares, from its signed metadata alone
 * (no secret, no network), with whose vaults may hold it and what a reviewer should look at, by the
 * same thresholds as this vault's own review (review settings).
 */
import type { ReviewSettings } from '../../shared/contract/review.ts';
import type { TeamInventory, TeamStatus } from '../../shared/contract/team.ts';
import { verdictWords, type Verdict } from '../../shared/verdicts.ts';

const DAY_MS = 86_400_000;
/** The judgements of a key that works: anything else is worth a reviewer's look. */
const WORKING: readonly Verdict[] = ['valid', 'authenticated'];

export function teamInventory(status: TeamStatus, settings: ReviewSettings, now: Date): TeamInventory | null {
  if (!status.team) return null;
  const today = now.toISOString().slice(0, 10);
  const soon = Math.max(0, ...settings.expiringDays);
  const members = status.members.filter((member) => member.removedBy === null).map((member) => member.name);
  const rows = status.keys.map((key) => {
    const head = key.heads[0]!;
    const notes: string[] = [];
    if (key.heads.length > 1) notes.push(`${key.heads.length} versions wait for a choice (by ${key.heads.map((other) => other.author).join(' and ')})`);
    if (head.expiresOn !== null) {
      const days = Math.round((Date.parse(head.expiresOn) - Date.parse(today)) / DAY_MS);
      if (days < 0) notes.push(`expired on ${head.expiresOn}`);
      else if (days <= soon) notes.push(`expires in ${days} day${days === 1 ? '' : 's'} (${head.expiresOn})`);
    }
    if (head.lastJudgement === null) notes.push('never judged by the vault that shared it');
    else {
      if (!WORKING.includes(head.lastJudgement.verdict)) notes.push(`last judged ${verdictWords(head.lastJudgement.verdict)} (${head.lastJudgement.by}, ${head.lastJudgement.at.slice(0, 10)})`);
      const age = Math.floor((now.getTime() - Date.parse(head.lastJudgement.at)) / DAY_MS);
      if (age > settings.staleCheckDays) notes.push(`last judged ${age} days ago`);
    }
    if (head.owner === null) notes.push('no owner named');
    const gone = [...new Set([...head.readers.filter((reader) => !members.includes(reader)), ...head.formerReaders])];
    if (gone.length > 0) notes.push(`${gone.join(', ')} could read it before leaving the team: rotate it`);
    return {
      path: key.path,
      tenant: head.tenant,
      name: head.name,
      fingerprint: head.fingerprint,
      scopes: head.scopes,
      expiresOn: head.expiresOn,
      owner: head.owner,
      lastJudgement: head.lastJudgement,
      sharedBy: head.author,
      sharedAt: head.at,
      holders: head.withSecret ? head.readers : [head.author],
      metadataOnly: !head.withSecret,
      heldHere: key.local ? { tenant: key.local.tenant, name: key.local.name } : null,
      notes,
    };
  });
  return { team: status.team.name, members, rows };
}
