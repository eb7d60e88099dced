/** Reading a parsed command's values (the parse itself is spec.ts's), and asking before destroying. */
import type { CommandContext } from './context.ts';
import { UsageError } from './io.ts';
import { confirm } from './read-secret.ts';
import type { ParsedCommand } from './spec.ts';

export type Parsed = ParsedCommand;

/** A string flag's value, or undefined. */
export function text(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer flag's value (spec.ts checked its range), or `fallback`. */
export function integer(parsed: Parsed, name: string, fallback: number): number {
  const value = parsed.values[name];
  return typeof value === 'number' ? value : fallback;
}

/** A repeatable flag's values, in order. */
export function texts(parsed: Parsed, name: string): string[] {
  const value = parsed.values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
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
