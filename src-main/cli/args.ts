/** Argument parsing for tkv's subcommands, on node:util's parseArgs, with tkv's usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
const COMMON: Options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** Option names that would put a secret on the command line; refused with advice instead. */
const SECRET_OPTIONS = ['--secret', '--token', '--key', '--api-key', '--password', '--value'];

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `args` for a command that takes exactly `positionals` positional arguments. */
export function parseCommand(args: string[], options: Options, positionals: number, usage: string): Parsed {
  for (const arg of args) {
    const name = arg.split('=')[0] ?? '';
    if (SECRET_OPTIONS.includes(name)) {
      throw new UsageError(`${name} is not accepted: secrets are never read from the command line (shell history, ps). Pipe the key on stdin or type it at the prompt.\nusage: ${usage}`);
    }
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true }) as Parsed;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}\nusage: ${usage}`);
  }
  if (parsed.values.help) return parsed;
  if (parsed.positionals.length !== positionals) {
    const problem = parsed.positionals.length < positionals ? 'missing argument' : `unexpected argument "${parsed.positionals[positionals]}"`;
    throw new UsageError(`${problem}\nusage: ${usage}`);
  }
  return parsed;
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
