/**
 * tkv's command dispatcher. Exit codes: 0 success, 1 the operation failed, 2 usage error (including
 * input that breaks a rule). With --json, results and errors are JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { toErrorInfo, VaultError } from '../core/errors.ts';
import type { CommandContext } from './context.ts';
import { guarded, quoteArgument, UsageError, type CliIo } from './io.ts';
import {
  AUDIT_USAGE,
  CHECK_USAGE,
  DOCTOR_USAGE,
  EXEC_USAGE,
  IMPORT_USAGE,
  KEY_USAGE,
  PROBE_USAGE,
  RECONCILE_USAGE,
  REMOTE_USAGE,
  REVIEW_USAGE,
  ROTATE_USAGE,
  SANDBOX_USAGE,
  TENANT_USAGE,
  COMMAND_USAGE,
  COMPLETION_USAGE,
} from './usage.ts';
import { errorText } from './remedies.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const HELP = `tkv — Tenant Key Vault on the command line: tenant-scoped API keys in the OS keychain.

usage:
  ${[...TENANT_USAGE, ...KEY_USAGE, ...CHECK_USAGE, ...PROBE_USAGE, ...REMOTE_USAGE, ...ROTATE_USAGE, ...REVIEW_USAGE, ...AUDIT_USAGE, EXEC_USAGE, IMPORT_USAGE, RECONCILE_USAGE, DOCTOR_USAGE, SANDBOX_USAGE, COMPLETION_USAGE].join('\n  ')}
  tkv --version

Secrets are read from stdin when piped, or from a hidden prompt; never from arguments or the environment.
Environment: TKV_DATA_DIR (inventory directory), TKV_KEYCHAIN_SERVICE (keychain service name),
TKV_KEYCHAIN_TIMEOUT_MS (each keychain call's deadline, default 5000).
Exit codes: 0 success, 1 failure, 2 usage error; a check: 10 unauthorized (401), 11 forbidden (403),
12 anything else that is not valid; 20 a review found keys flagged at or above --fail-on.
`;

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
  let context: CommandContext | null = null;
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
    }
    // A command runs: its context (and, on first use, the vault's services) is loaded now, not before.
    context = new (await import('./context.ts')).CommandContext(io, stderr.raw);
    switch (command) {
      case 'tenant':
        return await (await import('./commands/tenant.ts')).tenantCommand(rest, context);
      case 'key':
        return await (await import('./commands/key.ts')).keyCommand(rest, context);
      case 'reconcile':
        return await (await import('./commands/system.ts')).reconcileCommand(rest, context);
      case 'doctor':
        return await (await import('./commands/system.ts')).doctorCommand(rest, context);
      case 'check':
        return await (await import('./commands/check.ts')).checkCommand(rest, context);
      case 'probe':
        return await (await import('./commands/probe.ts')).probeCommand(rest, context);
      case 'remote':
        return await (await import('./commands/remote.ts')).remoteCommand(rest, context);
      case 'rotate':
        return await (await import('./commands/rotate.ts')).rotateCommand(rest, context);
      case 'sandbox':
        return await (await import('./commands/sandbox.ts')).sandboxCommand(rest, context);
      case 'review':
        return await (await import('./commands/review.ts')).reviewCommand(rest, context);
      case 'audit':
        return await (await import('./commands/review.ts')).auditCommand(rest, context);
      case 'exec':
        return await (await import('./commands/exec.ts')).execCommand(rest, context);
      case 'import':
        return await (await import('./commands/import.ts')).importCommand(rest, context);
      case 'completion':
        return (await import('./commands/completion.ts')).completionCommand(rest, context);
      // Not a command for people: what a completion script asks for.
      case '__complete':
        return (await import('./commands/completion.ts')).completeCommand(rest, context);
      // Not a command for people: the process `tkv key copy` leaves behind to clear the clipboard.
      case '__clear-clipboard':
        return await (await import('./commands/key.ts')).clearClipboardLater(rest, io.env);
      default:
        throw new UsageError(`unknown command ${quoteArgument(command)}; run \`tkv --help\` for the list`);
    }
  } catch (error) {
    return reportError(error, io, json);
  } finally {
    await context?.close();
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
