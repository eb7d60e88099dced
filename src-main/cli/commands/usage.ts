/** `tkv key usage` and `tkv tenant usage-query` (declared in command-table.ts). */
import type { InsightsEvidence, KeyUsage, UsageColumns, UsageSettings } from '../../shared/usage.ts';
import { formatKeyRef, parseKeyRef } from '../../core/keys/key-ref.ts';
import { text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { fields, table } from '../format.ts';
import { UsageError } from '../io.ts';

export async function keyUsage(parsed: Parsed, context: CommandContext): Promise<number> {
  const ref = parseKeyRef(parsed.positionals[0]!);
  const since = text(parsed, 'since');
  const usage = await context.services().usage.usage(ref, since === undefined ? {} : { since });
  return context.print(usage, () => formatUsage(usage, Date.parse(usage.window.to)), parsed);
}

export async function usageQuery(parsed: Parsed, context: CommandContext): Promise<number> {
  const alias = parsed.positionals[0]!;
  const usage = context.services().usage;
  const columns: Partial<UsageColumns> = {};
  const column = (flag: string, role: keyof UsageColumns) => {
    const value = text(parsed, flag);
    if (value !== undefined) columns[role] = value;
  };
  column('key-column', 'key');
  column('time-column', 'time');
  column('address-column', 'address');
  column('user-agent-column', 'userAgent');
  if (parsed.values['no-address-column']) columns.address = null;
  if (parsed.values['no-user-agent-column']) columns.userAgent = null;
  const template = text(parsed, 'template');
  const reset = parsed.values.reset === true;
  const defaultTemplate = parsed.values['default-template'] === true;
  if (reset && (template !== undefined || defaultTemplate || Object.keys(columns).length > 0)) throw new UsageError('--reset goes back to the defaults: give it alone');
  if (template !== undefined && defaultTemplate) throw new UsageError('give --template or --default-template, not both');
  const changing = reset || defaultTemplate || template !== undefined || Object.keys(columns).length > 0;
  const settings = changing ? usage.configure(alias, { ...(template === undefined ? {} : { template }), ...(defaultTemplate ? { template: null } : {}), columns, reset }) : usage.settings(alias);
  return context.print(settings, () => formatSettings(settings, changing), parsed);
}

function formatSettings(settings: UsageSettings, changed: boolean): string {
  const { columns } = settings;
  return (
    (changed ? `Updated the usage query of ${settings.tenant}.\n\n` : '') +
    fields([
      ['Usage query', `${settings.template}${settings.templateIsDefault ? '  (the default, following the column mapping)' : '  (this tenant’s own)'}`],
      ['Key column', columns.key],
      ['Time column', columns.time],
      ['Caller address', columns.address ?? 'none (the logs have no such column)'],
      ['Caller user agent', columns.userAgent ?? 'none (the vault’s own checks cannot be told apart)'],
    ]) +
    '\nThe query is sent to the tenant’s Insights API with {keyName} (the key’s name on the server, quoted) and {since} (a window such as 45d) filled in. Its result needs the columns Hour, Requests and LastSeen, and the caller columns above.\n'
  );
}

/** A window as words: 24h → 24 hours, 168h → 7 days, 45d → 45 days. */
export function span(since: string): string {
  const match = /^(\d+)([dhm])$/.exec(since);
  if (!match) return since;
  const count = Number(match[1]);
  const [amount, unit] = match[2] === 'd' ? [count, 'day'] : match[2] === 'h' && count % 24 === 0 && count >= 48 ? [count / 24, 'day'] : [count, match[2] === 'h' ? 'hour' : 'minute'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** `2026-12-07 09:05 UTC`. */
function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** How long ago, in the largest whole unit. */
export function ago(iso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 60) return minutes <= 1 ? 'just now' : `${minutes} minutes ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

const BARS = ' ▁▂▃▄▅▆▇█';

/** One line per day that had a request: its 24 hours as bars, scaled to the busiest hour of the window. */
function hourLines(hours: { hour: string; requests: number }[]): string[] {
  const peak = Math.max(1, ...hours.map((hour) => hour.requests));
  const days = new Map<string, number[]>();
  for (const { hour, requests } of hours) {
    const day = hour.slice(0, 10);
    const cells = days.get(day) ?? Array.from({ length: 24 }, () => -1);
    cells[Number(hour.slice(11, 13))] = requests;
    days.set(day, cells);
  }
  const lines: string[] = [];
  for (const [day, cells] of days) {
    const total = cells.reduce((sum, count) => sum + Math.max(0, count), 0);
    if (total === 0) continue;
    const bars = cells.map((count) => (count < 0 ? '·' : count === 0 ? ' ' : BARS[Math.max(1, Math.round((count / peak) * 8))])).join('');
    lines.push(`    ${day}  |${bars}|  ${total}`);
  }
  return lines;
}

function formatInsights(insights: InsightsEvidence, now: number, tenant: string): string {
  if (insights.state !== 'found') {
    const why = insights.state === 'no-credential' || insights.state === 'unsupported' ? 'not asked' : 'no answer';
    const fix = insights.state === 'bad-query' || insights.state === 'unreadable' ? `\n  See it, and change it: tkv tenant usage-query ${tenant}` : '';
    return `The vendor's logs (Insights): ${why}. ${insights.reason}${fix}\n  This is no evidence either way: it does not mean the key is unused.\n`;
  }
  const own = insights.ownChecksKnown ? (insights.ownChecks > 0 ? ` (${insights.ownChecks} request${insights.ownChecks === 1 ? '' : 's'} of the vault's own checks left out)` : '') : " (the logs have no user-agent column: the vault's own checks are counted in)";
  const lines = [`The vendor's logs (Insights, asked with the ${insights.credential}):`];
  if (insights.lastSeen === null) {
    lines.push(`  No request with this key in the window${own}.`);
    return `${lines.join('\n')}\n`;
  }
  const last = insights.callers.find((caller) => caller.lastSeen === insights.lastSeen);
  const from = last ? [last.address, last.userAgent ? `"${last.userAgent}"` : null].filter(Boolean).join(' ') : '';
  lines.push(fields([
    ['  Last request', `${minute(insights.lastSeen)} (${ago(insights.lastSeen, now)})${from ? `, from ${from}` : ''}`],
    ['  Requests', `${insights.requests} in the window${own}`],
  ]).trimEnd());
  lines.push('  Per hour (UTC, hours 0 to 23; · is outside the window; days without a request left out):');
  lines.push(...hourLines(insights.hours));
  lines.push('  Callers:');
  lines.push(
    table(
      ['ADDRESS', 'USER AGENT', 'REQUESTS', 'LAST SEEN'],
      insights.callers.map((caller) => [caller.address ?? '(not logged)', caller.userAgent ?? '(not logged)', String(caller.requests), minute(caller.lastSeen)]),
    )
      .trimEnd()
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n'),
  );
  return `${lines.join('\n')}\n`;
}

export function formatUsage(usage: KeyUsage, now: number): string {
  const { window, vault } = usage;
  const head = `Usage of ${formatKeyRef(usage.key)} over the last ${span(window.since)} (${minute(window.from)} to ${minute(window.to)}).\n\n`;
  const execLines =
    vault.runs.length === 0
      ? "The vault's own records (tkv exec): no run handed this key to a program in the window.\n"
      : `The vault's own records (tkv exec): ${vault.runs.length} run${vault.runs.length === 1 ? '' : 's'} handed this key to a program; the last ${minute(vault.runs[0]!.at)} (${ago(vault.runs[0]!.at, now)}), for the program "${vault.runs[0]!.program}".\n`;
  const remembered = usage.remembered;
  const memory =
    remembered && usage.insights.state !== 'found'
      ? `\nFrom earlier asks: ${remembered.lastSeen ? `the last request seen was ${minute(remembered.lastSeen)}` : 'no request seen'} (logs read from ${minute(remembered.coveredFrom)} to ${minute(remembered.askedAt)}).\n`
      : '';
  return `${head}${formatInsights(usage.insights, now, usage.key.tenant)}\n${execLines}${memory}`;
}
