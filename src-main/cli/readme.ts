/**
 * The README's list of commands, made from the command table: `node src-main/cli/readme.ts` writes it
 * between the README's `<!-- commands -->` markers, and a test fails when the two differ.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './command-table.ts';
import { usageLines } from './spec.ts';

const START = '<!-- commands: made by node src-main/cli/readme.ts from src-main/cli/command-table.ts -->';
const END = '<!-- /commands -->';

/** The Markdown list of every command: its usage, then what it does. */
export function commandList(): string {
  return COMMANDS.filter((spec) => !spec.hidden)
    .map((spec) => `- ${usageLines(spec).map((line) => `\`${line}\``).join('<br>')}<br>${spec.summary}`)
    .join('\n');
}

/** `readme` with its command list made anew; throws when the markers are missing. */
export function withCommandList(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return [readme.slice(0, start + START.length), commandList(), readme.slice(end)].join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const file = fileURLToPath(new URL('../../README.md', import.meta.url));
  fs.writeFileSync(file, withCommandList(fs.readFileSync(file, 'utf8')));
}
