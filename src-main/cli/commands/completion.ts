/**
 * `tkv completion bash|zsh|fish`: a completion script for the shell. The scripts are thin: they ask
 * `tkv __complete WORDS…` (the words typed before the one being completed) for the candidates, so
 * commands, subcommands, flags and their values come from the command table, and stored ALIAS/NAME
 * references from the vault.
 */
import { COMMANDS, findCommand, GROUPS, subcommands } from '../command-table.ts';
import type { Parsed } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { quoteArgument, UsageError } from '../io.ts';
import { flagsOf } from '../spec.ts';

const SCRIPTS: Record<string, string> = {
  bash: `# tkv completion for bash: add to ~/.bashrc:  source <(tkv completion bash)
_tkv_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(tkv __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _tkv_complete tkv
`,
  zsh: `#compdef tkv
# tkv completion for zsh: add to ~/.zshrc:  source <(tkv completion zsh)
_tkv_complete() {
  local -a candidates
  candidates=(\${(f)"$(tkv __complete \${words[2,CURRENT-1]} 2>/dev/null)"})
  compadd -a candidates
}
compdef _tkv_complete tkv
`,
  fish: `# tkv completion for fish: tkv completion fish > ~/.config/fish/completions/tkv.fish
complete -c tkv -f -a '(tkv __complete (commandline -opc)[2..-1] 2>/dev/null)'
`,
};

export function completionCommand(parsed: Parsed, context: CommandContext): number {
  const shell = parsed.positionals[0]!;
  const script = SCRIPTS[shell];
  if (!script) throw new UsageError(`no completion for ${quoteArgument(shell)}: bash, zsh or fish`);
  context.io.stdout.write(script);
  return 0;
}

/** The candidates after `words` (what was typed after `tkv`, up to the word being completed). */
export function candidates(words: string[], refs: () => { tenants: string[]; keys: string[] }): string[] {
  const listed = COMMANDS.filter((spec) => !spec.hidden);
  const firstWords = [...new Set(listed.map((spec) => spec.words[0]!))];
  if (words.length === 0) return [...firstWords, 'help', '--version'];
  const [first] = words;
  if (first === 'help') return words.length === 1 ? firstWords : words.length === 2 && GROUPS.some((group) => group.word === words[1]) ? subcommands(words[1]!).map((spec) => spec.words[1]!) : [];
  const found = findCommand(words);
  if (!found) return GROUPS.some((group) => group.word === first) && words.length === 1 ? subcommands(first!).map((spec) => spec.words[1]!) : [];
  const { spec, args } = found;
  if (spec.hidden || (spec.takesCommand && args.includes('--'))) return [];
  const flags = flagsOf(spec);
  const previous = args.at(-1);
  const valueOf = flags.find((flag) => previous === `--${flag.name}` && flag.type !== 'boolean');
  if (valueOf) return valueOf.choices ? [...valueOf.choices] : valueOf.completes === 'tenant' ? refs().tenants : valueOf.completes === 'key' ? refs().keys : [];
  // A one-word command that also leads subcommands (review, audit) offers them first.
  const subs = spec.words.length === 1 && args.length === 0 ? COMMANDS.filter((other) => other.words.length === 2 && other.words[0] === spec.words[0] && !other.hidden).map((other) => other.words[1]!) : [];
  const given = new Set(args.filter((arg) => arg.startsWith('--')));
  const out = [...subs, ...flags.filter((flag) => flag.multiple || !given.has(`--${flag.name}`)).map((flag) => `--${flag.name}`)];
  const positional = spec.args[Math.min(args.filter((arg) => !arg.startsWith('-')).length, spec.args.length - 1)];
  if (positional?.completes === 'key') out.push(...refs().keys);
  else if (positional?.completes === 'tenant') out.push(...refs().tenants);
  return out;
}

/** `tkv __complete WORDS…`: one candidate per line (the shell filters them by what is being typed). */
export function completeCommand(parsed: Parsed, context: CommandContext): number {
  const list = candidates(parsed.positionals, () => {
    try {
      const services = context.services();
      return { tenants: services.tenants.list().map((tenant) => tenant.alias), keys: services.keys.list().map((key) => `${key.tenant}/${key.name}`) };
    } catch {
      return { tenants: [], keys: [] }; // no vault yet: nothing to offer
    }
  });
  context.io.stdout.write(list.length ? `${list.join('\n')}\n` : '');
  return 0;
}
