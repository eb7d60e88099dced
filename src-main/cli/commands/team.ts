/** `tkv team …`: a team sharing keys through git and age (declared in command-table.ts; core/team). */
import os from 'node:os';
import path from 'node:path';
import type { PullReport, RefusedChange, RemoveMemberReport, SharedKey, TeamStatus } from '../../shared/contract/team.ts';
import { formatKeyRef, parseKeyRef } from '../../core/keys/key-ref.ts';
import { confirmed, list, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { fields, table } from '../format.ts';
import { UsageError } from '../io.ts';

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function loginName(): string {
  const name = os.userInfo().username.replace(/[^A-Za-z0-9._-]/g, '-');
  return /^[A-Za-z0-9._-]{1,64}$/.test(name) && !/^\.+$/.test(name) ? name : 'me';
}

export async function identity(parsed: Parsed, context: CommandContext): Promise<number> {
  const renew = parsed.values.new === true;
  // --yes answers the question --new asks; alone it would be taken as done and do nothing.
  if (parsed.values.yes === true && !renew) throw new UsageError('--yes goes with --new (it answers its question); tkv team identity alone only prints the identity');
  const team = context.services().team;
  // In a team, the refusal comes at once (newIdentity below), not after a question asked for nothing.
  if (renew && !team.joined() && !(await confirmed(context, parsed.values.yes === true, 'Replace this vault’s team identity? The old private halves are deleted from the keychain: nothing encrypted to them can be read here any more.'))) {
    context.io.stderr.write('Nothing was changed.\n');
    return 1;
  }
  const id = renew ? await team.newIdentity() : await team.identity();
  const as = text(parsed, 'as') ?? loginName();
  const back = renew ? '\nOnce they have, and pushed, this vault joins again: tkv team join DIR (the working copy it kept) or tkv team join GIT-URL --into NEW-DIR.\n' : '';
  return context.print(id, () => `${renew ? 'This vault has a new team identity; the old one is gone from the keychain.\n\n' : ''}${id.recipient}\n${id.signingKey}\n\nA member adds this vault to their team with:\n  tkv team add-member ${as} ${id.recipient} ${id.signingKey}\n${back}`, parsed);
}

export async function init(parsed: Parsed, context: CommandContext): Promise<number> {
  const remote = text(parsed, 'remote');
  const status = await context.services().team.init(parsed.positionals[0]!, { name: text(parsed, 'name')!, member: text(parsed, 'member') ?? loginName(), ...(remote === undefined ? {} : { remote }) });
  const team = status.team!;
  return context.print(status, () => {
    const lines = [`Founded team ${team.name} in ${team.dir}, with you as its founding member ${team.you ?? ''}.`];
    lines.push(team.remote ? `Its remote is ${team.remote}: tkv team push publishes it.` : 'It has no remote yet: add one with git (git -C DIR remote add origin URL), then tkv team push.');
    lines.push('Next: a colleague runs tkv team identity and sends you its two lines; you add them with tkv team add-member, push, and they join.');
    return `${lines.join('\n')}\n`;
  }, parsed);
}

export async function join(parsed: Parsed, context: CommandContext): Promise<number> {
  const services = context.services();
  const into = text(parsed, 'into') ?? path.join(services.paths.dataDir, 'team');
  const report = await services.team.join(parsed.positionals[0]!, { into });
  const team = report.status.team!;
  const code = context.print(report, () => {
    const lines = [`Joined team ${team.name} (${team.dir}).`, `Its founding member is ${team.founder.name}, signing key ${report.founderKey}: compare it with theirs; every change is checked against it from now on.`];
    if (team.you === null) {
      if (report.refused.length > 0) lines.push('', ...formatRefused(report.refused));
      lines.push('', 'This vault is not a member yet. Send a member these two lines (tkv team identity); once they add you and push, run tkv team pull.');
      lines.push(`  ${report.status.identity!.recipient}`, `  ${report.status.identity!.signingKey}`);
    } else {
      lines.push(`You are member ${team.you}.`);
      lines.push('', formatPull(report));
    }
    return `${lines.join('\n')}\n`;
  }, parsed);
  // As a pull: files refused while joining make the exit code 3, for a script to see.
  return code === 0 && report.refused.length > 0 ? 3 : code;
}

export async function addMember(parsed: Parsed, context: CommandContext): Promise<number> {
  const [name, recipient, signingKey] = parsed.positionals as [string, string, string];
  const status = await context.services().team.addMember(name, recipient, signingKey);
  return context.print(status, () => `Added ${name} to ${status.team!.name}, signed by you (${status.team!.you ?? ''}). Push it (tkv team push); share keys with them by name (tkv team share ALIAS/NAME --to ${name}).\n`, parsed);
}

export async function removeMember(parsed: Parsed, context: CommandContext): Promise<number> {
  const name = parsed.positionals[0]!;
  if (!(await confirmed(context, parsed.values.yes === true, `Remove ${name} from the team, and encrypt again without them every secret they could read?`))) return 1;
  const report = await context.services().team.removeMember(name);
  return context.print(report, () => formatRemoval(report), parsed);
}

export async function share(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const toList = list(text(parsed, 'to'));
  const toAll = parsed.values['to-all'] === true;
  const metadataOnly = parsed.values['metadata-only'] === true;
  if ([toList !== undefined, toAll, metadataOnly].filter(Boolean).length > 1) throw new UsageError('give one of --to, --to-all and --metadata-only');
  const result = await context.services().team.share({ key: ref, ...(toAll ? { to: 'all' as const } : toList ? { to: toList } : {}), ...(metadataOnly ? { metadataOnly } : {}) });
  const shared = result.status.keys.find((key) => key.local?.tenant === ref.tenant && key.local.name === ref.name);
  return context.print(result, () => {
    if (result.version === null) return `${formatKeyRef(ref)} is already shared as it is: nothing to do.\n`;
    const head = shared?.heads[0];
    const readers = head?.readers ?? [];
    const who = !head?.withSecret ? 'its metadata only (no secret)' : readers.length > 1 ? `readable by ${readers.join(', ')}` : 'readable by you alone';
    return `Shared ${formatKeyRef(ref)} with ${result.status.team!.name}: ${who}; version ${result.version}, signed by you.\nPush it: tkv team push\n`;
  }, parsed);
}

export async function pull(parsed: Parsed, context: CommandContext): Promise<number> {
  const report = await context.services().team.pull();
  context.print(report, () => `${formatPull(report)}\n`, parsed);
  return report.refused.length > 0 ? 3 : 0;
}

export async function push(parsed: Parsed, context: CommandContext): Promise<number> {
  const result = await context.services().team.push();
  const team = result.status.team!;
  const remote = team.remote ?? 'the remote';
  return context.print(result, () => (result.pushed === 0 ? `Nothing to push: ${remote} has everything of this working copy.\n` : `Pushed ${result.pushed} commit${result.pushed === 1 ? '' : 's'} to ${remote}.\n`), parsed);
}

export async function status(parsed: Parsed, context: CommandContext): Promise<number> {
  const result = await context.services().team.status();
  return context.print(result, () => formatStatus(result), parsed);
}

export async function leave(parsed: Parsed, context: CommandContext): Promise<number> {
  if (!(await confirmed(context, parsed.values.yes === true, 'Leave the team? This vault stops pulling from it; its working copy, the keys it received and its identity stay.'))) return 1;
  const left = await context.services().team.leave();
  return context.print(left, () => `This vault left team ${left.name}. Its working copy stays in ${left.dir} (delete it when you no longer need it); the keys it received stay in this vault.\n`, parsed);
}

export async function resolve(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const take = text(parsed, 'take');
  const mine = parsed.values.mine === true;
  if ((take === undefined) === !mine) throw new UsageError('give --take VERSION (one of the team’s versions) or --mine (this vault’s)');
  const services = context.services();
  const before = await services.team.status();
  const key = findShared(before, ref);
  const report = await services.team.resolve(key.path, mine ? 'mine' : { version: take! });
  return context.print(report, () => `Settled ${formatKeyRef(ref)}: ${mine ? 'this vault’s version' : `version ${take ?? ''}`} is the team’s now. Push it: tkv team push\n${formatPull(report)}\n`, parsed);
}

function findShared(status: TeamStatus, ref: { tenant: string; name: string }): SharedKey {
  const found = status.keys.find((key) => key.local?.tenant === ref.tenant && key.local.name === ref.name) ?? status.keys.find((key) => key.heads[0]!.tenant.alias === ref.tenant && key.heads[0]!.name === ref.name);
  if (!found) throw new UsageError(`the team shares no key ${formatKeyRef(ref)} (tkv team status lists what it shares)`);
  return found;
}

const STATE_WORDS: Record<SharedKey['state'], string> = {
  'in-step': 'in step',
  'changed-here': 'changed here: share it',
  incoming: 'newer in the team: pull',
  conflict: 'conflict: choose a version',
  'not-held': 'not in this vault',
};

export function formatStatus(status: TeamStatus): string {
  const team = status.team;
  if (!team) {
    return `This vault is in no team.\nFound one (tkv team init DIR --name TEAM) or join one (tkv team join DIR|GIT-URL).${status.identity ? `\nIts identity: ${status.identity.recipient}` : ''}\n`;
  }
  const lines: string[] = [];
  lines.push(
    fields([
      ['Team', team.name],
      ['Working copy', team.dir],
      ['Remote', team.remote ? `${team.remote} (${team.ahead} to push, ${team.behind} to pull as last fetched)` : 'none: add one with git'],
      ['You', team.you ?? 'not a member yet: send your team identity to a member'],
      ['Founder', `${team.founder.name} (${team.founder.signingKey})`],
      ['Last pull', team.lastPull ? `${when(team.lastPull.at)} at ${team.lastPull.commit}` : 'never'],
    ]).trimEnd(),
  );
  lines.push('', 'Members');
  lines.push(
    table(
      ['NAME', 'ADDED BY', 'SINCE', 'STATUS'],
      status.members.map((member) => [
        `${member.name}${member.you ? ' (you)' : ''}`,
        member.founder ? 'founder' : member.addedBy,
        member.addedAt.slice(0, 10),
        member.removedBy ? `removed by ${member.removedBy} ${member.removedAt!.slice(0, 10)}` : 'member',
      ]),
    ).trimEnd(),
  );
  lines.push('', status.keys.length === 0 ? 'Nothing is shared yet (tkv team share ALIAS/NAME --to NAME,…).' : 'Shared keys');
  if (status.keys.length > 0) {
    lines.push(
      table(
        ['KEY', 'FINGERPRINT', 'READERS', 'SHARED BY', 'LAST JUDGED', 'HERE'],
        status.keys.flatMap((key) =>
          key.heads.map((head, index) => [
            `${key.local ? formatKeyRef(key.local) : `${head.tenant.alias}/${head.name}`}${key.heads.length > 1 ? ` [${index + 1}/${key.heads.length} ${head.version}]` : key.state === 'conflict' ? ` [team's: ${head.version}]` : ''}`,
            head.fingerprint,
            head.withSecret ? head.readers.join(', ') : 'metadata only',
            `${head.author} ${head.at.slice(0, 10)}`,
            head.lastJudgement ? `${head.lastJudgement.verdict} ${head.lastJudgement.at.slice(0, 10)} (${head.lastJudgement.by})` : 'never',
            key.state === 'incoming' && !key.canRead ? 'newer in the team, not shared with you' : STATE_WORDS[key.state],
          ]),
        ),
      ).trimEnd(),
    );
  }
  if (status.refused.length > 0) lines.push('', ...formatRefused(status.refused));
  return `${lines.join('\n')}\n`;
}

function formatRefused(refused: RefusedChange[]): string[] {
  return [
    `Refused (${refused.length}): not trusted, not applied`,
    // Git's author is whatever the committer typed: a lead, not a signature.
    ...refused.map((item) => `  ${/^[\x21-\x7e]+$/.test(item.file) ? item.file : JSON.stringify(item.file)}${item.commit ? ` (commit ${item.commit}${item.author ? `, git author ${item.author}` : ''})` : ''}: ${item.reason}`),
    'They stay refused until a member deletes them from the repository (git rm, commit, push) or shares the key again.',
  ];
}

export function formatPull(report: PullReport): string {
  const lines: string[] = [];
  if (report.commits.length > 0) {
    lines.push(`${report.commits.length} new commit${report.commits.length === 1 ? '' : 's'}:`);
    for (const commit of report.commits.slice(0, 20)) lines.push(`  ${commit.commit} ${commit.author}: ${commit.subject}`);
    if (report.commits.length > 20) lines.push(`  … and ${report.commits.length - 20} more`);
  } else if (report.fetched) lines.push('No new commits on the remote.');
  const you = report.status.team?.you ?? null;
  for (const name of report.membersAdded) lines.push(name === you ? `You were added to the team, as ${name}.` : `Member added: ${name}`);
  for (const name of report.membersRemoved) lines.push(`Member removed: ${name}`);
  for (const item of report.received) lines.push(`Received ${formatKeyRef(item.key)} from ${item.from}: its secret is in your keychain.`);
  for (const item of report.updated) lines.push(`Updated ${formatKeyRef(item.key)} from ${item.from}: ${item.fields.join(', ')}.`);
  for (const item of report.replaced) {
    lines.push(`Replaced ${formatKeyRef(item.key)}'s secret with the one ${item.from} shared (it checked ${item.verdict})${item.oldDropped ? '; the old one is gone from your keychain' : '; the keychain kept the old one, delete it by hand'}.`);
  }
  for (const item of report.notReplaced) lines.push(`Not applied to ${formatKeyRef(item.key)} (from ${item.from}): ${item.reason}`);
  for (const item of report.changedHere) lines.push(`Changed here since you last shared it: ${formatKeyRef(item)}. Share it (tkv team share ${formatKeyRef(item)}) to hand it over.`);
  for (const item of report.conflicts) {
    const name = formatKeyRef(item.key ?? item.shared);
    lines.push(`Conflict on ${name}: changed by ${item.authors.join(' and ')}. Both are kept; tkv team status lists the versions, tkv team resolve ${name} --take VERSION${item.key ? ' (or --mine)' : ''} keeps one.`);
  }
  for (const item of report.seenByRemoved) {
    lines.push(`${item.members.join(' and ')} could read ${formatKeyRef(item.key ?? item.shared)} before leaving the team and may have kept a copy: rotate it${item.key ? ` (tkv rotate ${formatKeyRef(item.key)})` : ' (its readers can)'}.`);
  }
  if (report.refused.length > 0) lines.push(...formatRefused(report.refused));
  if (report.status.team && you === null) lines.push('This vault is not a member of the team yet: nothing is shared with it. Send its two public keys (tkv team identity) to a member; once they add you and push, pull again.');
  else if (lines.length === 0 || (report.commits.length === 0 && lines.length === 1 && report.fetched)) lines.push('Your vault is in step with the team.');
  return lines.join('\n');
}

function formatRemoval(report: RemoveMemberReport & { status: TeamStatus }): string {
  const lines = [`Removed ${report.removed} from ${report.status.team!.name}.`];
  if (report.reencrypted.length > 0) lines.push(`Encrypted again without them: ${report.reencrypted.length} secret${report.reencrypted.length === 1 ? '' : 's'}.`);
  for (const item of report.notReencrypted) {
    lines.push(`Could not encrypt ${item.path} again: you are not one of its readers. ${item.readers.length > 0 ? `Ask ${item.readers.join(' or ')} to share it again.` : 'No other member can read it: its key should be rotated, then shared again.'}`);
  }
  if (report.addedByThem.length > 0) lines.push(`${report.removed} had added ${report.addedByThem.join(', ')}, who stay${report.addedByThem.length === 1 ? 's' : ''} members (now vouched for by you): remove them too if they should go.`);
  if (report.seenBy.length > 0) {
    lines.push('', `${report.removed} could read these secrets and may have kept copies: rotate each.`);
    for (const item of report.seenBy) lines.push(`  seen by ${report.removed}: ${item.key ? `${formatKeyRef(item.key)}  → tkv rotate ${formatKeyRef(item.key)}` : `${item.tenant}/${item.name} (not in this vault: a vault that holds it rotates it)`}`);
  } else lines.push(`${report.removed} could read no shared secret: nothing to rotate.`);
  lines.push('', 'Push it: tkv team push');
  return `${lines.join('\n')}\n`;
}
