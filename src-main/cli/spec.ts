/**
 * How a tkv command is declared, once: its words, arguments, flags (with their types and one-line
 * descriptions), examples and handler. From that one declaration come the parse (on node:util's
 * parseArgs), the usage errors, `tkv help`, the completion candidates and the README's command list.
 * Nothing here loads a command's module: a handler is imported only when its command runs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { HttpClientOptions } from '../core/http/http-client.ts';
import type { CommandContext } from './context.ts';
import { quoteArgument, UsageError } from './io.ts';

export type FlagType = 'boolean' | 'string' | 'integer';

export interface FlagSpec {
  name: string;
  type: FlagType;
  /** What the value looks like in usage and help (`N`, `ALIAS`, `a,b`). */
  value?: string;
  description: string;
  short?: string;
  /** May be given more than once; the values are kept in order. */
  multiple?: boolean;
  /** The only values it takes. */
  choices?: readonly string[];
  /** For integers: the range it takes. */
  min?: number;
  max?: number;
  /** Kept out of the usage line (still in the help's option list). */
  secondary?: boolean;
  /** The command needs it: the usage line shows it without brackets. */
  required?: boolean;
  /** What the completion offers for its value: stored tenants or keys. */
  completes?: 'tenant' | 'key';
}

export interface ArgSpec {
  name: string;
  description: string;
  optional?: boolean;
  /** Takes every remaining word. */
  variadic?: boolean;
  completes?: 'tenant' | 'key' | 'file';
}

/** What a handler gets: the flags by name, the positional arguments, and what followed `--`. */
export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | number | undefined>;
  positionals: string[];
  rest: string[];
}

export type Handler = (parsed: ParsedCommand, context: CommandContext) => Promise<number> | number;

export interface CommandSpec {
  /** The words that name it: `['key', 'add']`. */
  words: string[];
  /** One line, as `tkv --help` lists it. */
  summary: string;
  /** Paragraphs shown in its own help, after the usage. */
  description?: string;
  args: ArgSpec[];
  flags: FlagSpec[];
  /** Prints its result as JSON with --json. */
  json: boolean;
  /** Usage lines when one line cannot say it (a command with several forms); otherwise derived. */
  forms?: string[];
  examples: { command: string; note?: string }[];
  /** What its exit codes mean, when more than 0, 1 and 2. */
  exitCodes?: string;
  /** Words after `--` are a program to run (`tkv exec`). */
  takesCommand?: boolean;
  /** Not listed, not completed: a command for tkv's own use. */
  hidden?: boolean;
  /** Its words are taken as they are, flags included (what a completion script passes on). */
  rawArgs?: boolean;
  /**
   * How it meets a lost inventory (see core/db/health.ts): `refuse` (the default: it stops),
   * `look` (it only reads, and goes on), `open` (it reads no secret and writes nothing of its own:
   * the vault is opened, and the keychain is not asked whether the inventory lost its past), or `none` (it
   * does not open the vault, or reports on it itself). A function decides from the arguments.
   */
  vault?: VaultMode | ((parsed: ParsedCommand) => VaultMode);
  /**
   * The HTTP client its flags ask for (timeouts, a CA file): set before the vault's services are
   * built, since they are built once, by whoever asks first (the vault's guard, before the handler).
   */
  http?: (parsed: ParsedCommand) => Omit<HttpClientOptions, 'env'>;
  load(): Promise<Handler>;
}

export type VaultMode = 'refuse' | 'look' | 'open' | 'none';

/** Groups of subcommands: `tkv key` alone lists them. */
export interface GroupSpec {
  word: string;
  summary: string;
}

const COMMON_FLAGS: FlagSpec[] = [{ name: 'help', short: 'h', type: 'boolean', description: 'show this help' }];
const JSON_FLAG: FlagSpec = { name: 'json', type: 'boolean', description: 'print the result as JSON (errors too: {"error": {code, message}})' };

/** Option names that would put a secret on the command line; refused with advice instead. */
const SECRET_OPTIONS = ['--secret', '--token', '--key', '--api-key', '--password', '--value'];

/** Every flag a command takes, its own then the common ones. */
export function flagsOf(spec: CommandSpec): FlagSpec[] {
  return [...spec.flags, ...(spec.json ? [JSON_FLAG] : []), ...COMMON_FLAGS];
}

/** `tkv key add ALIAS/NAME [--scopes a,b] …`, or the declared forms. */
export function usageLines(spec: CommandSpec): string[] {
  if (spec.forms) return spec.forms.map((form) => `tkv ${spec.words.join(' ')} ${form}`.trimEnd());
  const args = spec.args.map((arg) => {
    const word = arg.variadic ? `${arg.name}…` : arg.name;
    return arg.optional ? `[${word}]` : word;
  });
  const flags = spec.flags.filter((flag) => !flag.secondary).map((flag) => `${flag.required ? flagWord(flag) : `[${flagWord(flag)}]`}${flag.multiple ? '…' : ''}`);
  const command = spec.takesCommand ? ['--', 'COMMAND', '[ARGS…]'] : [];
  return [['tkv', ...spec.words, ...args, ...flags, ...(spec.json ? ['[--json]'] : []), ...command].join(' ')];
}

function flagWord(flag: FlagSpec): string {
  if (flag.type === 'boolean') return `--${flag.name}`;
  return `--${flag.name} ${flag.choices ? flag.choices.join('|') : (flag.value ?? 'VALUE')}`;
}

/** The whole help of one command: what it does, its usage, arguments, options, examples. */
export function commandHelp(spec: CommandSpec): string {
  const out = [`tkv ${spec.words.join(' ')} — ${spec.summary}`, '', 'usage:', ...usageLines(spec).map((line) => `  ${line}`)];
  if (spec.description) out.push('', spec.description);
  const rows = (entries: [string, string][]) => {
    const width = Math.min(28, Math.max(...entries.map(([left]) => left.length)));
    return entries.map(([left, right]) => (left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`));
  };
  if (spec.args.length > 0) out.push('', 'Arguments:', ...rows(spec.args.map((arg) => [arg.variadic ? `${arg.name}…` : arg.name, arg.description])));
  out.push('', 'Options:', ...rows(flagsOf(spec).map((flag) => [`${flag.short ? `-${flag.short}, ` : ''}${flagWord(flag)}`, flag.description + (flag.multiple ? ' (may be given more than once)' : '')])));
  if (spec.examples.length > 0) {
    out.push('', 'Examples:');
    for (const example of spec.examples) out.push(`  ${example.command}${example.note ? `\n      ${example.note}` : ''}`);
  }
  if (spec.exitCodes) out.push('', `Exit codes: ${spec.exitCodes}`);
  return `${out.join('\n')}\n`;
}

/**
 * Parses `args` as `spec` declares, or throws a UsageError that says what is wrong and never
 * repeats a value that could be a key typed in the wrong place.
 */
export function parseCommand(spec: CommandSpec, args: string[]): ParsedCommand {
  if (spec.rawArgs) return { values: {}, positionals: args, rest: [] };
  const dash = args.indexOf('--');
  const own = dash === -1 ? args : args.slice(0, dash);
  const rest = dash === -1 ? [] : args.slice(dash + 1);
  const flags = flagsOf(spec);
  for (const arg of own) {
    const name = arg.split('=')[0] ?? '';
    if (SECRET_OPTIONS.includes(name) && !flags.some((flag) => `--${flag.name}` === name)) {
      throw new UsageError(`${name} is not accepted: secrets are never read from the command line (shell history, ps). Pipe the key on stdin or type it at the prompt.`);
    }
  }
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const flag of flags) options[flag.name] = { type: flag.type === 'boolean' ? 'boolean' : 'string', ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) };
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: joinNegativeNumbers(own, flags), options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new UsageError(describeParseError(error, flags));
  }
  const values: ParsedCommand['values'] = { ...parsed.values };
  if (values.help) return { values, positionals: parsed.positionals, rest };
  for (const flag of flags) {
    const value = parsed.values[flag.name];
    if (value === undefined || flag.type === 'boolean') continue;
    for (const one of Array.isArray(value) ? value : [value as string]) {
      if (flag.choices && !flag.choices.includes(one)) throw new UsageError(`--${flag.name} takes ${orList(flag.choices)}${one.length <= 16 ? `, not ${quoteArgument(one)}` : ''}`);
    }
    if (flag.type === 'integer') values[flag.name] = integer(flag, value as string);
  }
  checkPositionals(spec, parsed.positionals);
  return { values, positionals: parsed.positionals, rest };
}

/**
 * `--concurrency -1` is a value, not an option: parseArgs would read `-1` as a short flag and say
 * the option "takes no value". A negative number after a flag that takes a value is joined to it.
 */
function joinNegativeNumbers(args: string[], flags: FlagSpec[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const flag = flags.find((candidate) => `--${candidate.name}` === arg);
    const next = args[index + 1];
    if (flag && flag.type !== 'boolean' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      index += 1;
    } else out.push(arg);
  }
  return out;
}

function integer(flag: FlagSpec, value: string): number {
  const number = Number(value);
  const range = flag.min !== undefined && flag.max !== undefined ? ` from ${flag.min} to ${flag.max}` : flag.min !== undefined ? ` of at least ${flag.min}` : '';
  const shown = /^-?\d{1,12}(\.\d{1,6})?$/.test(value) ? ` (not ${value})` : '';
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number) || (flag.min !== undefined && number < flag.min) || (flag.max !== undefined && number > flag.max)) {
    throw new UsageError(`--${flag.name} takes a whole number${range}${shown}`);
  }
  return number;
}

function checkPositionals(spec: CommandSpec, positionals: string[]): void {
  const required = spec.args.filter((arg) => !arg.optional).length;
  const variadic = spec.args.some((arg) => arg.variadic);
  if (positionals.length < required) {
    const missing = spec.args.filter((arg) => !arg.optional)[positionals.length]!;
    throw new UsageError(`missing ${missing.name} — ${missing.description}`);
  }
  if (!variadic && positionals.length > spec.args.length) {
    // An extra word is not repeated: it may be a key typed where an option was meant.
    throw new UsageError(`one word too many (the ${ordinal(spec.args.length + 1)} argument), which is not repeated here`);
  }
}

/** parseArgs' complaint, naming an option only as it is declared, never as typed. */
function describeParseError(error: unknown, flags: FlagSpec[]): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message.split('\n')[0] ?? '';
  const named = /'(--?[A-Za-z][\w-]*)/.exec(message)?.[1];
  const flag = flags.find((candidate) => named === `--${candidate.name}` || named === `-${candidate.short ?? ''}`);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = named && named.length <= 30 ? closest(named.replace(/^-+/, ''), flags.map((candidate) => candidate.name)) : null;
    return `unknown option ${named && named.length <= 30 ? quoteArgument(named) : '(not repeated here)'}${near ? `; did you mean --${near}?` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) return /argument missing/.test(message) ? `--${flag.name} needs a value (${flag.value ?? 'VALUE'})` : `--${flag.name} takes no value`;
  return 'the arguments could not be read';
}

function ordinal(n: number): string {
  return ['first', 'second', 'third', 'fourth', 'fifth'][n - 1] ?? `${n}th`;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

/** The candidate nearest to `word` by edit distance, when it is near enough to be a typo. */
export function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  // Damerau–Levenshtein (optimal string alignment): a swapped pair of letters is one typo.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      let cost = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, before[j - 2]! + 1);
      current[j] = cost;
    }
    [before, previous] = [previous, current];
  }
  return previous[b.length]!;
}
