/** tkv's help, all of it made from the command table: the overview, a group's list, a command's page. */
import { COMMANDS, GROUPS, subcommands } from './command-table.ts';
import { commandHelp, usageLines, type CommandSpec } from './spec.ts';

const listed = () => COMMANDS.filter((spec) => !spec.hidden);

/** `tkv --help`: every command with its one line. */
export function overviewHelp(): string {
  const rows: [string, string][] = [];
  for (const spec of listed()) {
    const group = GROUPS.find((candidate) => candidate.word === spec.words[0] && spec.words.length === 2);
    if (group) {
      if (spec === subcommands(group.word)[0]) rows.push([`${group.word} ${subcommands(group.word).map((sub) => sub.words[1]!).join('|')}`, group.summary]);
      continue;
    }
    rows.push([spec.words.join(' '), spec.summary]);
  }
  const width = Math.max(...rows.map(([left]) => Math.min(left.length, 30)));
  return `tkv — Tenant Key Vault on the command line: tenant-scoped API keys in the OS keychain,
checked against the vendor's API (The Wallet Crew; Airwallex accounts too).

Commands:
${rows.map(([left, right]) => (left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`)).join('\n')}

Run tkv help COMMAND (or tkv COMMAND --help) for its options and examples; tkv --version for the version.

Secrets are read from stdin when piped, or from a hidden prompt; never from arguments or the environment.
Environment: TKV_DATA_DIR (the inventory's directory), TKV_KEYCHAIN_SERVICE (the keychain service
name), TKV_KEYCHAIN_TIMEOUT_MS (each keychain call's deadline, default 5000).
Exit codes: 0 success, 1 failure, 2 usage error; a check: 10 unauthorized (401), 11 forbidden (403),
13 inconclusive (the endpoint accepted a key that cannot exist, or could not be asked), 12 any
other verdict that is not valid; 3 an import stored some keys and refused others; 14 tkv watch
found something that needs a person; 20 a review found keys flagged at or above --fail-on.
`;
}

/** `tkv key`: the group's commands, each with its usage and one line. */
export function groupHelp(word: string): string {
  const group = GROUPS.find((candidate) => candidate.word === word)!;
  const lines = subcommands(word).flatMap((spec) => [`  ${usageLines(spec)[0]!}`, `      ${spec.summary}`]);
  return `tkv ${word} — ${group.summary}\n\nCommands:\n${lines.join('\n')}\n\nRun tkv help ${word} COMMAND for a command's options and examples.\n`;
}

/** A command's page, or null for words that name none. */
export function helpFor(words: string[]): string | null {
  const [first, second] = words;
  if (first === undefined) return overviewHelp();
  const spec = COMMANDS.find((candidate) => !candidate.hidden && candidate.words.join(' ') === [first, second].filter(Boolean).join(' '));
  if (spec) return commandHelp(spec);
  if (GROUPS.some((group) => group.word === first)) return second === undefined ? groupHelp(first) : null;
  const single = COMMANDS.find((candidate) => !candidate.hidden && candidate.words.length === 1 && candidate.words[0] === first);
  return single ? commandHelp(single) : null;
}

/** Every command word a person may type first, for suggestions and completion. */
export function commandWords(): string[] {
  return [...new Set(listed().map((spec) => spec.words[0]!)), 'help'];
}

/** The usage lines shown under a usage error of `spec`. */
export function usageHint(spec: CommandSpec): string {
  const lines = usageLines(spec);
  return `usage: ${lines.join('\n       ')}\nRun tkv help ${spec.words.join(' ')} for its options and examples.`;
}
