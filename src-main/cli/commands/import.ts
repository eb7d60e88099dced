/**
 * `tkv import`: keys from a `.env` file or a CSV into the keychain and the inventory, then a word to
 * delete the file (declared in command-table.ts). Exit codes: 0 every key stored (or would be),
 * 3 some stored and some refused, 1 none stored, 2 usage error.
 */
import fs from 'node:fs';
import { formatOf, parseImport, planImport, storeImport, type ImportFormat } from '../../core/keys/import.ts';
import { text, type Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { variableStem } from '../format.ts';
import { quoteArgument, UsageError } from '../io.ts';

/** An import file is a few keys; more than this is not one (and /dev/zero never ends). */
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** Some keys stored, some refused: the person must look at the refused ones. */
export const EXIT_PARTIAL = 3;

export async function importCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  const file = parsed.positionals[0]!;
  const tenant = text(parsed, 'tenant');
  if (!tenant) throw new UsageError('--tenant is required: the keys of a file belong to one tenant');
  const format = (text(parsed, 'format') ?? formatOf(file)) as ImportFormat;
  const content = readBounded(file);
  const { entries, problems } = parseImport(content, format);
  const services = context.services();
  const plan = planImport(services.keys, tenant, entries, { every: parsed.values.all === true });
  const dryRun = parsed.values['dry-run'] === true;
  const outcome = dryRun ? null : await storeImport(services.keys, tenant, plan);
  const storedNames = new Set(outcome?.stored.map((key) => key.name) ?? []);
  const refusedNow = new Map((outcome?.refused ?? []).map((problem) => [problem.line, problem.message]));

  const report = {
    file,
    tenant,
    format,
    dryRun,
    keys: plan.map(({ entry, action, reason }) => ({
      line: entry.line,
      name: entry.name,
      ...(entry.variable ? { variable: entry.variable } : {}),
      action: dryRun ? ({ store: 'would store', skip: 'would skip', refuse: 'would refuse' } as const)[action] : storedNames.has(entry.name) ? 'stored' : action === 'skip' ? 'skipped' : 'refused',
      ...((reason ?? refusedNow.get(entry.line)) ? { reason: reason ?? refusedNow.get(entry.line)! } : {}),
      // What is said about a value (too short, trimmed) matters only for what is stored.
      ...(entry.notices.length && action !== 'skip' ? { notices: entry.notices } : {}),
    })),
    problems: [...problems].sort((a, b) => a.line - b.line),
    stoppedAt: outcome?.stoppedAt ?? null,
  };
  context.print(report, () => human(report), parsed);
  const wanted = report.keys.filter((key) => key.action !== 'skipped' && key.action !== 'would skip');
  const stored = report.keys.filter((key) => key.action === 'stored' || key.action === 'would store').length;
  const failed = report.problems.length + wanted.filter((key) => key.action === 'refused' || key.action === 'would refuse').length + (report.stoppedAt ? 1 : 0);
  if (failed === 0) return 0;
  return stored > 0 ? EXIT_PARTIAL : 1;
}

/** The file's text, refused past MAX_IMPORT_BYTES without reading further. */
function readBounded(file: string): string {
  let handle: number;
  try {
    handle = fs.openSync(file, 'r');
  } catch (error) {
    throw new UsageError(`cannot read ${quoteArgument(file)}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  try {
    if (fs.fstatSync(handle).isDirectory()) throw new UsageError(`${quoteArgument(file)} is a directory: give the .env or CSV file`);
    const buffer = Buffer.alloc(MAX_IMPORT_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(handle, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_IMPORT_BYTES) throw new UsageError(`${quoteArgument(file)} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: an import file holds a few keys. Nothing was read into the vault.`);
    return buffer.toString('utf8', 0, length);
  } finally {
    fs.closeSync(handle);
  }
}

interface ImportReport {
  file: string;
  tenant: string;
  dryRun: boolean;
  keys: { line: number; name: string; variable?: string; action: string; reason?: string; notices?: string[] }[];
  problems: { line: number; message: string }[];
  stoppedAt: { line: number; message: string } | null;
}

function human(report: ImportReport): string {
  const out: string[] = [];
  out.push(`${report.dryRun ? 'Would import' : 'Imported'} into ${report.tenant} from ${report.file}:`);
  const lines = [
    ...report.keys.map((key) => ({
      line: key.line,
      text: `${key.variable ? `${key.variable} → ` : ''}${report.tenant}/${key.name} — ${key.action}${key.reason ? `: ${key.reason}` : ''}`,
      notices: key.notices ?? [],
    })),
    ...report.problems.map((problem) => ({ line: problem.line, text: `not read: ${problem.message}`, notices: [] as string[] })),
  ].sort((a, b) => a.line - b.line);
  for (const item of lines) {
    out.push(`  line ${item.line}: ${item.text}`);
    for (const notice of item.notices) out.push(`      note: ${notice}`);
  }
  if (lines.length === 0) out.push('  no key found');
  if (report.stoppedAt) out.push(`  line ${report.stoppedAt.line}: the import stopped: ${report.stoppedAt.message} The keys listed as stored are in the vault; run the import again once the keychain answers.`);
  const skippedNotKeys = report.keys.filter((key) => key.reason === 'not an API key by its name or its value').length;
  if (skippedNotKeys > 0) out.push('', `${skippedNotKeys} variable${skippedNotKeys === 1 ? ' was' : 's were'} skipped as not API keys; --all imports every variable.`);
  const exported = report.keys.filter((key) => key.variable && (key.action === 'stored' || key.action === 'would store'));
  if (exported.length > 0) out.push('', `tkv exec gives ${exported.length === 1 ? 'it' : 'them'} back as ${exported.map((key) => `${variableStem(key.name)}_API_KEY`).join(', ')}.`);
  const stored = report.keys.filter((key) => key.action === 'stored').length;
  if (!report.dryRun && stored > 0) out.push('', `${report.file} still holds ${stored === 1 ? 'this key' : 'these keys'} in plain text: delete it now (tkv never deletes it for you), and any copy of it.`);
  if (report.dryRun) out.push('', 'Nothing was stored (--dry-run).');
  return `${out.join('\n')}\n`;
}
