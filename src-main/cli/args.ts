/** Argument parsing for tkv's subcommands, on node:util's parseArgs, with tkv's usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandContext } from './context.ts';
import { quoteArgument, UsageError } from './io.ts';
import { confirm } from './read-secret.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
const COMMON: Options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** Option names that would put a secret on the command line; refused with advice instead. */
const SECRET_OPTIONS = ['--secret', '--token', '--key', '--api-key', '--password', '--value'];

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `args` for a command that takes exactly `positionals` positional arguments (or at least `min`). */
export function parseCommand(args: string[], options: Options, positionals: number | { min: number }, usage: string): Parsed {
  for (const arg of args) {
    const name = arg.split('=')[0] ?? '';
    // An option a command declares is what it says (`tkv audit --key ALIAS/NAME` names an entry).
    if (SECRET_OPTIONS.includes(name) && !(name.slice(2) in options)) {
      throw new UsageError(`${name} is not accepted: secrets are never read from the command line (shell history, ps). Pipe the key on stdin or type it at the prompt.\nusage: ${usage}`);
    }
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true }) as Parsed;
  } catch (error) {
    throw new UsageError(`${describeParseError(error, options)}\nusage: ${usage}`);
  }
  if (parsed.values.help) return parsed;
  if (typeof positionals === 'object') {
    if (parsed.positionals.length < positionals.min) throw new UsageError(`missing argument\nusage: ${usage}`);
    return parsed;
  }
  if (parsed.positionals.length !== positionals) {
    // An extra argument is not repeated: it may be a key typed where an option was meant.
    const problem = parsed.positionals.length < positionals ? 'missing argument' : `one argument too many (the ${ordinal(positionals + 1)}), which is not repeated here`;
    throw new UsageError(`${problem}\nusage: ${usage}`);
  }
  return parsed;
}

/** parseArgs' complaint, naming an option only as it is defined, never as typed. */
function describeParseError(error: unknown, options: Options): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message.split('\n')[0] ?? '';
  const named = /'(--?[A-Za-z][\w-]*)/.exec(message)?.[1];
  const known = named !== undefined && (named.replace(/^-+/, '') in options || named.replace(/^-+/, '') in COMMON);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${named && named.length <= 30 ? quoteArgument(named) : '(not repeated here)'}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && known) return `option ${named} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'}`;
  return 'the arguments could not be read';
}

function ordinal(n: number): string {
  return ['first', 'second', 'third', 'fourth'][n - 1] ?? `${n}th`;
}

/** A string option's value, or undefined. */
export function text(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** `a,b, c` → `['a', 'b', 'c']`; an empty item is kept so that the rules can name it. */
export function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim());
}

/**
 * Whether a destructive command may go ahead: `--yes` given, or the person said yes at the prompt.
 * Without a terminal to ask on and without `--yes`, it may not, and says how to confirm.
 */
export async function confirmed(context: CommandContext, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!context.io.stdin.isTTY) throw new UsageError(`${question.replace(/\?$/, '.')} Nothing was changed: there is no terminal to ask on; pass --yes to confirm.`);
  return confirm(context.io, question);
}
