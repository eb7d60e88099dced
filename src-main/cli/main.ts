/**
 * tkv's command dispatcher. Exit codes: 0 success, 1 the operation failed, 2 usage error (including
 * input that breaks a rule). With --json, results and errors are JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { toErrorInfo, VaultError } from '../core/errors.ts';
import { CommandContext } from './context.ts';
import { clearClipboardLater, keyCommand, KEY_USAGE } from './commands/key.ts';
import { doctorCommand, DOCTOR_USAGE, reconcileCommand, RECONCILE_USAGE } from './commands/system.ts';
import { checkCommand, CHECK_USAGE } from './commands/check.ts';
import { probeCommand, PROBE_USAGE } from './commands/probe.ts';
import { remoteCommand, REMOTE_USAGE } from './commands/remote.ts';
import { auditCommand, AUDIT_USAGE, reviewCommand, REVIEW_USAGE } from './commands/review.ts';
import { execCommand, EXEC_HELP, EXEC_USAGE } from './commands/exec.ts';
import { importCommand, IMPORT_USAGE } from './commands/import.ts';
import { rotateCommand, ROTATE_USAGE } from './commands/rotate.ts';
import { sandboxCommand, SANDBOX_USAGE } from './commands/sandbox.ts';
import { tenantCommand, TENANT_USAGE } from './commands/tenant.ts';
import { guarded, quoteArgument, UsageError, type CliIo } from './io.ts';
import { errorText } from './remedies.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const HELP = `tkv — Tenant Key Vault on the command line: tenant-scoped API keys in the OS keychain.

usage:
  ${[...TENANT_USAGE, ...KEY_USAGE, ...CHECK_USAGE, ...PROBE_USAGE, ...REMOTE_USAGE, ...ROTATE_USAGE, ...REVIEW_USAGE, ...AUDIT_USAGE, EXEC_USAGE, IMPORT_USAGE, RECONCILE_USAGE, DOCTOR_USAGE, SANDBOX_USAGE].join('\n  ')}
  tkv --version

Secrets are read from stdin when piped, or from a hidden prompt; never from arguments or the environment.
Environment: TKV_DATA_DIR (inventory directory), TKV_KEYCHAIN_SERVICE (keychain service name).
Exit codes: 0 success, 1 failure, 2 usage error, 20 a review found keys flagged at or above --fail-on.
`;

/** Each command's usage lines, for `tkv help COMMAND`, `tkv COMMAND --help` and a bare `tkv COMMAND`. */
const COMMAND_USAGE: Record<string, string[]> = {
  tenant: TENANT_USAGE,
  key: KEY_USAGE,
  check: CHECK_USAGE,
  probe: PROBE_USAGE,
  remote: REMOTE_USAGE,
  rotate: ROTATE_USAGE,
  review: REVIEW_USAGE,
  audit: AUDIT_USAGE,
  exec: [EXEC_HELP],
  import: [IMPORT_USAGE],
  reconcile: [RECONCILE_USAGE],
  doctor: [DOCTOR_USAGE],
  sandbox: [SANDBOX_USAGE],
};
/** Commands made of subcommands: alone, or with --help before a subcommand, they show their usage. */
const GROUPS = new Set(['tenant', 'key', 'probe', 'remote']);

/** The usage of `command` (and of `sub` alone when it names one of its subcommands), or null for an unknown command. */
export function commandHelp(command: string, sub?: string): string | null {
  const lines = COMMAND_USAGE[command];
  if (!lines) return null;
  const narrowed = sub ? lines.filter((line) => line.startsWith(`tkv ${command} ${sub}`)) : [];
  return `usage:\n  ${(narrowed.length ? narrowed : lines).join('\n  ')}\n`;
}

/** The package version, read from package.json next to the sources. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Runs one tkv invocation and returns its exit code; never throws. Everything it writes goes through
 * `neutralize`: no text from a server or from stored notes reaches the terminal with its control
 * codes intact.
 */
export async function runCli(argv: string[], unguarded: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const stderr = guarded(unguarded.stderr);
  const io: CliIo = {
    ...unguarded,
    stdout: guarded(unguarded.stdout),
    stderr,
    terminal: () => {
      const terminal = unguarded.terminal?.() ?? null;
      return terminal ? guarded(terminal) : null;
    },
  };
  const context = new CommandContext(io, stderr.raw);
  try {
    const [command, ...rest] = argv;
    if (command === 'help' && rest.length > 0) {
      const help = commandHelp(rest[0]!, rest[1]);
      if (!help) throw new UsageError(`no command ${quoteArgument(rest[0]!)}; run \`tkv help\` for the list`);
      io.stdout.write(help);
      return EXIT_OK;
    }
    if (command !== undefined && GROUPS.has(command) && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout.write(commandHelp(command)!);
      return EXIT_OK;
    }
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case '--version':
      case '-V':
      case 'version':
        io.stdout.write(json ? `${JSON.stringify({ version: version() })}\n` : `tkv ${version()}\n`);
        return EXIT_OK;
      case 'tenant':
        return await tenantCommand(rest, context);
      case 'key':
        return await keyCommand(rest, context);
      case 'reconcile':
        return await reconcileCommand(rest, context);
      case 'doctor':
        return await doctorCommand(rest, context);
      case 'check':
        return await checkCommand(rest, context);
      case 'probe':
        return await probeCommand(rest, context);
      case 'remote':
        return await remoteCommand(rest, context);
      case 'rotate':
        return await rotateCommand(rest, context);
      case 'sandbox':
        return await sandboxCommand(rest, context);
      case 'review':
        return await reviewCommand(rest, context);
      case 'audit':
        return await auditCommand(rest, context);
      case 'exec':
        return await execCommand(rest, context);
      case 'import':
        return await importCommand(rest, context);
      // Not a command for people: the process `tkv key copy` leaves behind to clear the clipboard.
      case '__clear-clipboard':
        return await clearClipboardLater(rest, io.env);
      default:
        throw new UsageError(`unknown command ${quoteArgument(command)}; run \`tkv --help\` for the list`);
    }
  } catch (error) {
    return reportError(error, io, json);
  } finally {
    await context.close();
  }
}

function reportError(error: unknown, io: CliIo, json: boolean): number {
  const usage = error instanceof UsageError || (error instanceof VaultError && error.code === 'INVALID_INPUT');
  const info = error instanceof UsageError ? { code: 'INVALID_INPUT' as const, message: error.message } : toErrorInfo(error);
  if (info.code === 'INTERNAL' && io.env.TKV_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ error: info })}\n`);
  else io.stderr.write(errorText(info));
  return usage ? EXIT_USAGE : EXIT_FAILED;
}
