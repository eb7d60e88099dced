/** `tkv doctor` and `tkv reconcile` (declared in command-table.ts). */
import { count } from '../../shared/words.ts';
import path from 'node:path';
import { createRequire } from 'node:module';
import { runDoctor, type DoctorReport } from '../../core/doctor.ts';
import { listBackups, restoreBackup } from '../../core/db/backups.ts';
import { remedyLines } from '../remedies.ts';
import { resolveAppPaths } from '../../core/paths.ts';
import { createSecretStore } from '../../core/services.ts';
import type { ReconcileReport } from '../../shared/contract.ts';
import { confirmed, text, type Parsed } from '../args.ts';
import { UsageError } from '../io.ts';
import type { CommandContext } from '../context.ts';
import os from 'node:os';


export async function doctorCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  const env = context.io.env;
  if (parsed.values.backup !== undefined && !parsed.values.restore) throw new UsageError('--backup goes with --restore');
  if (parsed.values.restore) return restore(parsed, context);
  // The doctor opens its own pieces, so that it can report each one failing rather than stop at the first.
  const report = await runDoctor({
    paths: resolveAppPaths(env, process.platform, os.homedir()),
    secrets: createSecretStore(env, process.platform),
    electronPackageDir: electronPackageDir(),
    env,
  });
  context.print(report, () => formatDoctor(report), parsed);
  return report.ok ? 0 : 1;
}

export async function reconcileCommand(parsed: Parsed, context: CommandContext): Promise<number> {
  if (parsed.values.yes && !parsed.values['remove-orphans']) throw new UsageError('--yes goes with --remove-orphans');
  const services = context.services();
  const service = context.services().secrets.service;
  const report = await services.keys.reconcile();
  if (!parsed.values['remove-orphans'] || report.orphanSecrets.length === 0) {
    return context.print(parsed.values['remove-orphans'] ? { ...report, removed: [] } : report, () => formatReconcile(report, service), parsed);
  }
  const question = `Delete ${report.orphanSecrets.length} keychain entr${report.orphanSecrets.length === 1 ? 'y' : 'ies'} of service "${service}" that no key refers to? Their secrets are gone for good.`;
  if (!(await confirmed(context, parsed.values.yes === true, question))) {
    context.io.stderr.write('Nothing deleted.\n');
    return 1;
  }
  const { removed } = await services.keys.removeOrphanSecrets();
  return context.print({ ...report, removed }, () => `${formatReconcile(report, service)}Deleted ${removed.length} orphaned keychain entr${removed.length === 1 ? 'y' : 'ies'}.\n`, parsed);
}

/** Where the `electron` package is installed, found without loading it. */
function electronPackageDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

function formatDoctor(report: DoctorReport): string {
  // A fix two checks share (the keychain's, say) is printed once, at the first.
  const said = new Set<string>();
  const lines = report.checks.map((check) => {
    // A check that says what to do as remedies (a restore) needs no fix sentence besides.
    const fix = check.fix && !said.has(check.fix) && !check.remedies?.length ? check.fix : null;
    if (check.fix) said.add(check.fix);
    const remedies = (check.remedies ?? []).map((remedy) => `\n${remedyLines(remedy, '      ')}`).join('');
    return `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}${fix ? `\n      ${check.ok ? 'note' : 'fix'}: ${fix}` : check.fix ? `\n      fix: as above` : ''}${remedies}`;
  });
  lines.push(report.ok ? 'All checks passed.' : 'Some checks failed; see the fixes above.');
  return `${lines.join('\n')}\n`;
}

function formatReconcile(report: ReconcileReport, service: string): string {
  const lines = [`Checked ${count(report.checkedKeys, 'key')} against keychain service "${service}".`];
  for (const orphan of report.orphanSecrets) lines.push(`  keychain entry without a key row: ${orphan.account}`);
  for (const missing of report.missingSecrets) lines.push(`  key without a keychain entry: ${missing.tenant}/${missing.name} (${missing.id})`);
  if (report.orphanSecrets.length + report.missingSecrets.length === 0) lines.push('Keychain and inventory agree.');
  else lines.push('Nothing was deleted. Remove a stray key with `tkv key remove`, and stray keychain entries with `tkv reconcile --remove-orphans`.');
  return `${lines.join('\n')}\n`;
}

/** Puts a backup in place of the inventory, the current file kept aside; asks first. */
async function restore(parsed: Parsed, context: CommandContext): Promise<number> {
  const paths = resolveAppPaths(context.io.env, process.platform, os.homedir());
  const backups = listBackups(paths.inventoryFile);
  const chosen = text(parsed, 'backup') ?? backups[0]?.file;
  if (!chosen) throw new UsageError(`there is no backup of ${paths.inventoryFile} to restore (backups are taken each day the vault holds keys, and before each migration)`);
  const backup = backups.find((candidate) => path.resolve(candidate.file) === path.resolve(chosen));
  const when = backup ? `${backup.takenAt.slice(0, 16).replace('T', ' ')} UTC` : 'an unknown time';
  if (!(await confirmed(context, parsed.values.yes === true, `Put the backup of ${when} in place of ${paths.inventoryFile} (the current file is kept aside)? Close the app first.`))) {
    context.io.stderr.write('Nothing restored.\n');
    return 1;
  }
  const { replacedKeptAs } = restoreBackup(paths.inventoryFile, chosen, new Date());
  const result = { restored: chosen, takenAt: backup?.takenAt ?? null, replacedKeptAs };
  return context.print(result, () => `Restored the inventory from the backup of ${when}.${replacedKeptAs ? ` The file it replaced is kept as ${replacedKeptAs}.` : ''} Run tkv doctor to check it, then tkv reconcile to compare it with the keychain.\n`, parsed);
}
