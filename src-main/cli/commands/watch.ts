/** `tkv watch --once`: one scheduled round for machines without the app (declared in command-table.ts). */
import { clockFromEnv } from '../../core/clock.ts';
import { attentionWords, watchRound } from '../../core/watch/watch-round.ts';
import { formatKeyRef } from '../../core/keys/key-ref.ts';
import { integer, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../io.ts';
import { staleSince } from './check.ts';

/** The exit code of a round that found something for a person. */
export const EXIT_NEEDS_A_PERSON = 14;

export async function watch(parsed: Parsed, context: CommandContext): Promise<number> {
  if (parsed.values.once !== true) {
    throw new UsageError('give --once: a watch runs one round and exits, and a scheduler runs the next (cron, a systemd timer or launchd: see the README); the app keeps watch by itself while it runs');
  }
  const stale = staleSince(text(parsed, 'stale') ?? '24h', context)!;
  const now = clockFromEnv(context.io.env).now();
  const round = await watchRound(context.services(), {
    now,
    staleHours: (now.getTime() - Date.parse(stale.before)) / 3_600_000,
    expiringDays: integer(parsed, 'expiring-days', 7),
    overlapDays: integer(parsed, 'overlap-days', 7),
  });
  const failedAll = round.checked !== null && round.checked.checked === 0 && round.checked.failures.length > 0;
  const code = failedAll ? 1 : round.attention.length > 0 ? EXIT_NEEDS_A_PERSON : 0;
  context.print(round, () => {
    const lines: string[] = [];
    const checked = round.checked;
    lines.push(checked === null ? `No key was last judged longer ago than ${stale.window}: none checked.` : `Checked ${checked.checked} of ${checked.total} key${checked.total === 1 ? '' : 's'} not judged within the last ${stale.window}${checked.failures.length > 0 ? `; ${checked.failures.length} could not be checked` : ''}.`);
    for (const failure of checked?.failures ?? []) lines.push(`  could not check ${formatKeyRef(failure.ref)}: ${failure.error}`);
    if (round.attention.length === 0) lines.push('Nothing needs a person.');
    else {
      lines.push(`${round.attention.length} thing${round.attention.length === 1 ? ' needs' : 's need'} a person:`);
      for (const item of round.attention) lines.push(`  ${formatKeyRef(item.key)}: ${attentionWords(item)}`);
    }
    return `${lines.join('\n')}\n`;
  }, parsed);
  return code;
}
