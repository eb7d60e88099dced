/** `tkv doctor` and `tkv reconcile`. */
import path from 'node:path';
import { createRequire } from 'node:module';
import { runDoctor, type DoctorReport } from '../../core/doctor.ts';
import { resolveAppPaths } from '../../core/paths.ts';
import { createSecretStore } from '../../core/services.ts';
import type { ReconcileReport } from '../../shared/contract.ts';
import { confirmed, parseCommand } from '../args.ts';
import { UsageError } from '../io.ts';
import type { CommandContext } from '../context.ts';
import os from 'node:os';
import { DOCTOR_USAGE, RECONCILE_USAGE } from '../usage.ts';


export async function doctorCommand(args: string[], context: CommandContext): Promise<number> {
  const parsed = parseCommand(args, {}, 0, DOCTOR_USAGE);
  if (parsed.values.help) return context.usage(DOCTOR_USAGE);
  const env = context.io.env;
  // The doctor opens its own pieces, so that it can report each one failing rather than stop at the first.
  const report = await runDoctor({
    paths: resolveAppPaths(env, process.platform, os.homedir()),
    secrets: createSecretStore(env, process.platform),
    electronPackageDir: electronPackageDir(),
  });
  context.print(report, () => formatDoctor(report), parsed);
  return report.ok ? 0 : 1;
}

export async function reconcileCommand(args: string[], context: CommandContext): Promise<number> {
  const parsed = parseCommand(args, { 'remove-orphans': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } }, 0, RECONCILE_USAGE);
  if (parsed.values.help) return context.usage(RECONCILE_USAGE);
  if (parsed.values.yes && !parsed.values['remove-orphans']) throw new UsageError(`--yes goes with --remove-orphans\nusage: ${RECONCILE_USAGE}`);
  const vault = context.vault();
  const service = context.services().secrets.service;
  const report = await vault.reconcile();
  if (!parsed.values['remove-orphans'] || report.orphanSecrets.length === 0) {
    return context.print(parsed.values['remove-orphans'] ? { ...report, removed: [] } : report, () => formatReconcile(report, service), parsed);
  }
  const question = `Delete ${report.orphanSecrets.length} keychain entr${report.orphanSecrets.length === 1 ? 'y' : 'ies'} of service "${service}" that no key refers to? Their secrets are gone for good.`;
  if (!(await confirmed(context, parsed.values.yes === true, question))) {
    context.io.stderr.write('Nothing deleted.\n');
    return 1;
  }
  const { removed } = await vault.removeOrphanSecrets();
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
  const lines = report.checks.map((check) => `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}${check.fix ? `\n      ${check.ok ? 'note' : 'fix'}: ${check.fix}` : ''}`);
  lines.push(report.ok ? 'All checks passed.' : 'Some checks failed; see the fixes above.');
  return `${lines.join('\n')}\n`;
}

function formatReconcile(report: ReconcileReport, service: string): string {
  const lines = [`Checked ${report.checkedKeys} key(s) against keychain service "${service}".`];
  for (const orphan of report.orphanSecrets) lines.push(`  keychain entry without a key row: ${orphan.account}`);
  for (const missing of report.missingSecrets) lines.push(`  key without a keychain entry: ${missing.tenant}/${missing.name} (${missing.id})`);
  if (report.orphanSecrets.length + report.missingSecrets.length === 0) lines.push('Keychain and inventory agree.');
  else lines.push('Nothing was deleted. Remove a stray key with `tkv key remove`, and stray keychain entries with `tkv reconcile --remove-orphans`.');
  return `${lines.join('\n')}\n`;
}
