/** `tkv import`: keys from a `.env` file or a CSV into the keychain and the inventory, then a word to delete the file. */
import fs from 'node:fs';
import { formatOf, parseImport, planImport, storeImport, type ImportFormat } from '../../core/keys/import.ts';
import { parseCommand, text } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { quoteArgument, UsageError } from '../io.ts';
import { IMPORT_USAGE } from '../usage.ts';


export async function importCommand(args: string[], context: CommandContext): Promise<number> {
  const parsed = parseCommand(args, { tenant: { type: 'string' }, format: { type: 'string' }, 'dry-run': { type: 'boolean' } }, 1, IMPORT_USAGE);
  if (parsed.values.help) return context.usage(IMPORT_USAGE);
  const file = parsed.positionals[0]!;
  const tenant = text(parsed, 'tenant');
  if (!tenant) throw new UsageError(`--tenant is required: keys belong to one tenant\nusage: ${IMPORT_USAGE}`);
  const format = (text(parsed, 'format') ?? formatOf(file)) as ImportFormat;
  if (format !== 'env' && format !== 'csv') throw new UsageError(`--format must be env or csv\nusage: ${IMPORT_USAGE}`);
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${quoteArgument(file)}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const { entries, problems } = parseImport(content, format);
  const vault = context.vault();
  const plan = planImport(vault, tenant, entries);
  const dryRun = parsed.values['dry-run'] === true;
  const outcome = dryRun ? null : await storeImport(vault, tenant, plan);
  const storedNames = new Set(outcome?.stored.map((key) => key.name) ?? []);

  const report = {
    file,
    tenant,
    format,
    dryRun,
    keys: plan.map(({ entry, action, reason }) => ({
      line: entry.line,
      name: entry.name,
      action: dryRun ? action : storedNames.has(entry.name) ? 'stored' : action === 'skip' ? 'skipped' : 'not stored',
      ...(reason ? { reason } : {}),
      ...(entry.notices.length ? { notices: entry.notices } : {}),
    })),
    problems: [...problems, ...(outcome?.refused ?? [])].sort((a, b) => a.line - b.line),
    stoppedAt: outcome?.stoppedAt ?? null,
  };
  context.print(report, () => human(report), parsed);
  return report.problems.length > 0 || report.stoppedAt !== null ? 1 : 0;
}

function human(report: { file: string; tenant: string; dryRun: boolean; keys: { line: number; name: string; action: string; reason?: string; notices?: string[] }[]; problems: { line: number; message: string }[]; stoppedAt: { line: number; message: string } | null }): string {
  const out: string[] = [];
  const verb = (action: string) => ({ store: 'would store', skip: 'would skip', stored: 'stored', skipped: 'skipped', 'not stored': 'not stored' })[action] ?? action;
  out.push(`${report.dryRun ? 'Would import' : 'Imported'} into ${report.tenant} from ${report.file}:`);
  for (const key of report.keys) {
    out.push(`  line ${key.line}: ${report.tenant}/${key.name} — ${verb(key.action)}${key.reason ? ` (${key.reason})` : ''}`);
    for (const notice of key.notices ?? []) out.push(`      note: ${notice}`);
  }
  if (report.keys.length === 0) out.push('  no key found');
  for (const problem of report.problems) out.push(`  line ${problem.line}: not imported: ${problem.message}`);
  if (report.stoppedAt) out.push(`  line ${report.stoppedAt.line}: the import stopped: ${report.stoppedAt.message} The keys listed as stored are in the vault; run the import again once the keychain answers.`);
  const stored = report.keys.filter((key) => key.action === 'stored').length;
  if (!report.dryRun && stored > 0) out.push('', `${report.file} still holds ${stored === 1 ? 'this key' : 'these keys'} in plain text: delete it now (tkv never deletes it for you), and any copy of it.`);
  if (report.dryRun) out.push('', 'Nothing was stored (--dry-run).');
  return `${out.join('\n')}\n`;
}
