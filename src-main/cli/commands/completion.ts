/**
 * `tkv completion bash|zsh|fish`: a completion script for the shell. The scripts are thin: they ask
 * `tkv __complete WORDS…` (the words typed before the one being completed) for the candidates, so
 * commands, subcommands, flags and stored ALIAS/NAME references come from one place, this file.
 */
import type { CommandContext } from '../context.ts';
import { quoteArgument, UsageError } from '../io.ts';
import { COMMAND_USAGE } from '../usage.ts';

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

export function completionCommand(args: string[], context: CommandContext): number {
  const shell = args[0];
  if (shell === '--help' || shell === '-h' || shell === undefined) {
    context.io.stdout.write(`usage: ${COMMAND_USAGE.completion!.join('\n')}\n`);
    return shell === undefined ? 2 : 0;
  }
  const script = SCRIPTS[shell];
  if (!script) throw new UsageError(`no completion for ${quoteArgument(shell)}: bash, zsh or fish`);
  context.io.stdout.write(script);
  return 0;
}

/** The candidates after `words` (what was typed after `tkv`, up to the word being completed). */
export function candidates(words: string[], refs: () => { tenants: string[]; keys: string[] }): string[] {
  const commands = Object.keys(COMMAND_USAGE);
  if (words.length === 0) return [...commands, 'help', '--version'];
  const [command, ...rest] = words;
  if (command === 'help') return words.length === 1 ? commands : [];
  const usage = COMMAND_USAGE[command!];
  if (!usage) return [];
  if (command === 'exec' && rest.includes('--')) return [];
  const subcommands = [...new Set(usage.map((line) => line.split(' ')[2]!).filter((word) => /^[a-z]+$/.test(word)))];
  const sub = rest.find((word) => subcommands.includes(word));
  if (rest.length === 0 && subcommands.length > 0 && usage.every((line) => /^tkv \S+ [a-z]+\b/.test(line))) return subcommands;
  const lines = sub ? usage.filter((line) => line.split(' ')[2] === sub) : usage;
  const flags = [...new Set(lines.join(' ').match(/--[a-z][a-z-]*/g) ?? [])];
  const text = lines.join(' ');
  const out = [...(rest.length === 0 ? subcommands : []), ...flags];
  const previous = words.at(-1);
  if (previous === '--tenant' || previous === '--like') return previous === '--tenant' ? refs().tenants : refs().keys;
  if (text.includes('ALIAS/NAME')) out.push(...refs().keys);
  else if (/\bALIAS\b/.test(text)) out.push(...refs().tenants);
  return out;
}

/** `tkv __complete WORDS…`: one candidate per line (the shell filters them by what is being typed). */
export function completeCommand(words: string[], context: CommandContext): number {
  const list = candidates(words, () => {
    try {
      const vault = context.vault();
      return { tenants: vault.listTenants().map((tenant) => tenant.alias), keys: vault.listKeys().map((key) => `${key.tenant}/${key.name}`) };
    } catch {
      return { tenants: [], keys: [] }; // no vault yet: nothing to offer
    }
  });
  context.io.stdout.write(list.length ? `${list.join('\n')}\n` : '');
  return 0;
}
