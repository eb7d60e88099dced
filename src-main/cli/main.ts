/**
 * tkv's dispatcher: finds the command in the command table, parses its arguments as it declares
 * them, and runs its handler (loaded only now). Exit codes: 0 success, 1 the operation failed,
 * 2 usage error (including input that breaks a rule); commands add their own (see their help).
 * With --json, results and errors are JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { toErrorInfo, VaultError } from '../core/errors.ts';
import { COMMANDS, findCommand, GROUPS } from './command-table.ts';
import type { CommandContext } from './context.ts';
import { commandWords, groupHelp, helpFor, overviewHelp, usageHint } from './help.ts';
import { guarded, quoteArgument, UsageError, type CliIo } from './io.ts';
import { errorText } from './remedies.ts';
import { closest, commandHelp, parseCommand, type CommandSpec } from './spec.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

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
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const json = own.includes('--json');
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
  let spec: CommandSpec | null = null;
  try {
    const [first, ...rest] = argv;
    switch (first) {
      case undefined:
        io.stdout.write(overviewHelp());
        return EXIT_USAGE;
      case 'help':
      case '--help':
      case '-h': {
        const help = helpFor(first === 'help' ? rest : []);
        if (help === null) throw new UsageError(unknownCommand(rest.join(' ')));
        io.stdout.write(help);
        return EXIT_OK;
      }
      case '--version':
      case '-V':
      case 'version':
        io.stdout.write(json ? `${JSON.stringify({ version: version() })}\n` : `tkv ${version()}\n`);
        return EXIT_OK;
    }
    const found = findCommand(argv);
    if (!found) {
      // A group alone, or with --help before a subcommand, shows its commands.
      if (GROUPS.some((group) => group.word === first) && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
        io.stdout.write(groupHelp(first));
        return EXIT_OK;
      }
      throw new UsageError(GROUPS.some((group) => group.word === first) ? unknownSubcommand(first, rest[0]!) : unknownCommand(first));
    }
    spec = found.spec;
    const ownArgs = found.args.includes('--') ? found.args.slice(0, found.args.indexOf('--')) : found.args;
    if (!spec.rawArgs && (ownArgs.includes('--help') || ownArgs.includes('-h'))) {
      io.stdout.write(commandHelp(spec));
      return EXIT_OK;
    }
    const parsed = parseCommand(spec, found.args);
    // A command runs: its context (and, on first use, the vault's services) is loaded now, not before.
    context = new (await import('./context.ts')).CommandContext(io, stderr.raw, spec.http?.(parsed) ?? {});
    const vault = typeof spec.vault === 'function' ? spec.vault(parsed) : (spec.vault ?? 'refuse');
    if (vault === 'open') await context.open();
    else if (vault !== 'none') await context.guard(vault === 'look');
    const handler = await spec.load();
    return await handler(parsed, context);
  } catch (error) {
    return reportError(error, io, json, spec);
  } finally {
    await context?.close();
  }
}

function unknownCommand(word: string): string {
  const near = word.length <= 30 ? closest(word, commandWords()) : null;
  const named = quoteArgument(word);
  return `unknown command ${named}${near ? `; did you mean tkv ${near}?` : ''} (tkv --help lists them)`;
}

function unknownSubcommand(group: string, word: string): string {
  const subs = COMMANDS.filter((spec) => spec.words.length === 2 && spec.words[0] === group && !spec.hidden).map((spec) => spec.words[1]!);
  const near = word.length <= 30 ? closest(word, subs) : null;
  return `unknown command ${quoteArgument(word)} in tkv ${group}${near ? `; did you mean tkv ${group} ${near}?` : ''} (tkv ${group} lists them: ${subs.join(', ')})`;
}

function reportError(error: unknown, io: CliIo, json: boolean, spec: CommandSpec | null): number {
  const usage = error instanceof UsageError || (error instanceof VaultError && error.code === 'INVALID_INPUT');
  const info = error instanceof UsageError ? { code: 'INVALID_INPUT' as const, message: error.message } : toErrorInfo(error);
  if (info.code === 'INTERNAL' && io.env.TKV_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ error: info })}\n`);
  else io.stderr.write(errorText(info) + (error instanceof UsageError && spec ? `${usageHint(spec)}\n` : ''));
  return usage ? EXIT_USAGE : EXIT_FAILED;
}
