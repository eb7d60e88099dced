/**
 * `tkv review`: the offline review of the inventory (flags, summary, what changed since the last
 * sign-off), its exports, and sign-off; `tkv audit`: the audit log, and whether its chain holds.
 * Neither touches the network. Declared in command-table.ts.
 */
import { judgementState, judgementStateWords, type JudgementState } from '../../shared/verdicts.ts';
import { count } from '../../shared/words.ts';
import fs from 'node:fs';
import path from 'node:path';
import { auditExport, reviewExport as exportOf } from '../../core/review/export.ts';
import { parseKeyRef } from '../../core/keys/key-ref.ts';
import type { AuditQuery, ExportFormat, ReviewReport, Severity, TeamInventory } from '../../shared/contract.ts';
import { integer, text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { table } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';
import { remedyLines } from '../remedies.ts';


/** The exit code of a review that found something at or above `--fail-on` (for a scheduled job). */
export const EXIT_FLAGGED = 20;

export async function review(parsed: Parsed, context: CommandContext): Promise<number> {
  const failOn = text(parsed, 'fail-on') === 'critical' ? 'critical' : 'warning';
  const tenant = text(parsed, 'tenant');
  const services = context.services();
  const report = await services.review.report(tenant === undefined ? {} : { tenant });
  const failing = report.keys.some((key) => failsAt(key.severity, failOn)) || report.findings.some((finding) => failsAt(finding.severity, failOn));
  if (parsed.values.team === true) {
    const team = await services.team.inventory(report.settings);
    if (!team) throw new UsageError('--team reviews the team’s inventory, and this vault is in no team (tkv team init, or tkv team join)');
    context.print({ ...report, team }, () => `${human(report, parsed.values.all === true)}\n${teamSection(team)}`, parsed);
  } else context.print(report, () => human(report, parsed.values.all === true), parsed);
  return failing ? EXIT_FLAGGED : 0;
}

function failsAt(severity: Severity | null, threshold: 'warning' | 'critical'): boolean {
  return severity === 'critical' || (threshold === 'warning' && severity === 'warning');
}

function human(report: ReviewReport, all: boolean): string {
  const { summary } = report;
  const out: string[] = [];
  out.push(`Review of ${report.tenant ?? 'every tenant'} at ${report.generatedAt} (from the vault alone, no network)`);
  out.push(`${count(summary.keys, 'key')}; ${summary.flagged} flagged: ${summary.perSeverity.critical} critical, ${summary.perSeverity.warning} warning; ${summary.perSeverity.info} with notes only.`);
  out.push('');
  out.push(table(['TENANT', 'ENVIRONMENT', 'KEYS', 'FLAGGED', 'LAST SERVER LISTING'], summary.perTenant.map((tenant) => [`${tenant.tenant}${tenant.sandbox ? ' (sandbox)' : ''}`, tenant.environment, String(tenant.keys), String(tenant.flagged), tenant.snapshotAt ?? 'never'])).trimEnd());
  out.push('');
  if (summary.perFlag.length) out.push(table(['FLAG', 'SEVERITY', 'KEYS'], summary.perFlag.map((flag) => [flag.code, flag.severity, String(flag.keys)])).trimEnd(), '');
  out.push(`By last judgement: ${Object.entries(summary.perVerdict).map(([verdict, count]) => `${judgementStateWords(verdict as JudgementState)} ${count ?? 0}`).join(', ') || 'no keys'}`);
  if (report.changes) {
    const changes = report.changes;
    out.push('');
    if (changes.unchanged) out.push(`Nothing changed since the sign-off by ${changes.since.reviewer} on ${changes.since.at}.`);
    else {
      out.push(`Since the sign-off by ${changes.since.reviewer} on ${changes.since.at}:`);
      if (changes.added.length) out.push(`  added: ${changes.added.join(', ')}`);
      if (changes.removed.length) out.push(`  removed: ${changes.removed.join(', ')}`);
      if (changes.replaced.length) out.push(`  secret replaced: ${changes.replaced.join(', ')}`);
      for (const item of changes.newlyFlagged) out.push(`  newly flagged: ${item.key} (${item.codes.join(', ')})`);
      for (const item of changes.cleared) out.push(`  cleared: ${item.key} (${item.codes.join(', ')})`);
    }
  } else out.push('', 'Never signed off.');
  const shown = report.keys.filter((key) => (all ? key.flags.length > 0 : key.severity === 'critical' || key.severity === 'warning'));
  if (shown.length) {
    out.push('', `Flagged keys, most severe first${all ? '' : ' (notes only: --all)'}:`);
    for (const key of shown) {
      out.push('', `${(key.severity ?? 'note').toUpperCase()}  ${key.tenant}/${key.name}  owner: ${key.owner ?? 'nobody recorded'}  last judgement: ${judgementStateWords(judgementState(key.lastJudgement, key.lastCheckedAt))}`);
      for (const flag of key.flags.filter((candidate) => all || candidate.severity !== 'info')) {
        out.push(`  [${flag.severity}] ${flag.reason}`);
        for (const remedy of flag.remedies) out.push(remedyLines(remedy, '    '));
      }
    }
  }
  if (report.findings.length) {
    out.push('', 'Outside the vault:');
    for (const finding of report.findings) {
      out.push(`  [${finding.severity}] ${finding.reason}`);
      for (const remedy of finding.remedies) out.push(remedyLines(remedy, '    '));
    }
  }
  return `${out.join('\n')}\n`;
}

/** The team's whole inventory: every shared key, whose vaults may hold it, and what to look at. */
function teamSection(team: TeamInventory): string {
  const out = [`Team ${team.team}: ${count(team.rows.length, 'shared key')}, ${count(team.members.length, 'member')} (${team.members.join(', ')}); from the signed metadata alone.`];
  if (team.rows.length === 0) return `${out.join('\n')}\n`;
  out.push(
    table(
      ['KEY', 'FINGERPRINT', 'OWNER', 'EXPIRES', 'HELD BY', 'HERE', 'TO LOOK AT'],
      team.rows.map((row) => [
        `${row.tenant.alias}/${row.name}`,
        row.fingerprint,
        row.owner ?? '-',
        row.expiresOn ?? '-',
        row.metadataOnly ? `${row.sharedBy} (metadata shared)` : row.holders.join(', '),
        row.heldHere ? `${row.heldHere.tenant}/${row.heldHere.name}` : 'no',
        row.notes.join('; ') || '-',
      ]),
    ).trimEnd(),
  );
  return `${out.join('\n')}\n`;
}

export async function reviewExport(parsed: Parsed, context: CommandContext): Promise<number> {
  const format = text(parsed, 'format') as ExportFormat | undefined;
  if (!format) throw new UsageError('--format is required: csv, json, md or html');
  const tenant = text(parsed, 'tenant');
  const services = context.services();
  const report = await services.review.report(tenant === undefined ? {} : { tenant });
  const content = exportOf(report, format);
  const out = text(parsed, 'out');
  if (out) writeExport(out, content);
  else context.io.stdout.write(content);
  services.audit.record('exported', { ...(tenant ? { tenant } : {}), detail: { what: 'review', format, keys: report.keys.length, digest: report.digest } });
  if (out) context.io.stderr.write(`tkv: wrote the review (${count(report.keys.length, 'key')}, ${format}) to ${out}\n`);
  return 0;
}

/** Writes an export readable by its owner only, refusing to follow a link someone left in its place. */
function writeExport(file: string, content: string): void {
  try {
    const handle = fs.openSync(path.resolve(file), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      fs.writeFileSync(handle, content);
    } finally {
      fs.closeSync(handle);
    }
  } catch (error) {
    throw new UsageError(`cannot write ${quoteArgument(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function sign(parsed: Parsed, context: CommandContext): Promise<number> {
  const reviewer = text(parsed, 'reviewer');
  if (!reviewer) throw new UsageError('--reviewer is required: who signs the review off');
  const note = text(parsed, 'note');
  const signOff = await context.services().review.sign({ reviewer, ...(note === undefined ? {} : { note }) });
  return context.print(signOff, () => `Signed off by ${signOff.reviewer} at ${signOff.at}: ${count(signOff.keys, 'key')}, ${signOff.flagged} flagged; digest ${signOff.digest}.\n`, parsed);
}

export async function verify(parsed: Parsed, context: CommandContext): Promise<number> {
  const verdict = context.services().audit.verify();
  context.print(verdict, () => (verdict.intact ? `The audit log's chain holds: ${verdict.entries} entries, none edited, inserted or removed.\n` : `The audit log's chain is broken at entry ${verdict.broken!.id} (${verdict.broken!.at}): ${verdict.broken!.reason === 'edited' ? 'it was edited' : 'an entry before it was removed, or it was inserted or moved'}.\n`), parsed);
  return verdict.intact ? 0 : 1;
}

export async function audit(parsed: Parsed, context: CommandContext): Promise<number> {
  if (parsed.values.csv && parsed.values.json) throw new UsageError('give --json or --csv, not both');
  const limit = integer(parsed, 'limit', 0);
  const key = text(parsed, 'key');
  const action = text(parsed, 'action');
  const since = text(parsed, 'since');
  const query: AuditQuery = { ...(key ? { key: parseKeyRef(key) } : {}), ...(action ? { action } : {}), ...(since ? { since } : {}) };
  const log = context.services().audit;
  const entries = limit > 0 ? log.page(query, 0, limit).entries : log.all(query);
  if (parsed.values.csv) {
    context.io.stdout.write(auditExport(entries, 'csv'));
    return 0;
  }
  return context.print(entries, () => (entries.length === 0 ? 'No audit entries match.\n' : table(['AT', 'ACTOR', 'ACTION', 'KEY', 'FINGERPRINT', 'DETAIL'], entries.map((entry) => [entry.at, entry.actor, entry.action, entry.keyName ? `${entry.tenant ?? '?'}/${entry.keyName}` : (entry.tenant ?? ''), entry.fingerprint ?? '', detailText(entry.detail)]))), parsed);
}

/** An entry's detail as a person reads it, whole: `scopes: Pass.Read, tenant.core:read; admin: no`. */
function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  const value = (item: unknown): string =>
    typeof item === 'string' ? item : typeof item === 'boolean' ? (item ? 'yes' : 'no') : Array.isArray(item) ? item.map(value).join(', ') || 'none' : item === null ? '-' : typeof item === 'object' ? JSON.stringify(item) : String(item as number);
  return Object.entries(detail).map(([name, item]) => `${name}: ${value(item)}`).join('; ');
}
