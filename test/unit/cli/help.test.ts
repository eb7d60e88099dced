// Help made from the one declaration of each command (src-main/cli/command-table.ts): every command
// and subcommand has its page, every flag a line of description, every command an example; usage
// errors say what is wrong and point to the help; a typo gets a suggestion.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src-main/cli/command-table.ts';
import { runCli } from '../../../src-main/cli/main.ts';
import { withCommandList } from '../../../src-main/cli/readme.ts';
import { flagsOf } from '../../../src-main/cli/spec.ts';

async function tkv(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdin: process.stdin, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: { TKV_DATA_DIR: '/nonexistent-tkv-help' } });
  return { code, stdout, stderr };
}

const listed = COMMANDS.filter((spec) => !spec.hidden);

describe('tkv help', () => {
  it.each(listed.map((spec) => spec.words.join(' ')))('tkv help %s and --help show what it does, every flag with a description, and an example', async (words) => {
    const spec = listed.find((candidate) => candidate.words.join(' ') === words)!;
    const viaHelp = await tkv(['help', ...spec.words]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain(`tkv ${words} — ${spec.summary}`);
    for (const flag of flagsOf(spec)) {
      expect(flag.description.length, `--${flag.name} of ${words}`).toBeGreaterThan(8);
      expect(viaHelp.stdout).toContain(`--${flag.name}`);
      expect(viaHelp.stdout).toContain(flag.description);
    }
    expect(spec.examples.length, `${words} has an example`).toBeGreaterThan(0);
    expect(viaHelp.stdout).toContain('Examples:');
    const viaFlag = await tkv([...spec.words, '--help']);
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
  });

  it('lists every command in the overview, and a group’s commands when it is named alone', async () => {
    const overview = await tkv(['--help']);
    for (const spec of listed) expect(overview.stdout).toContain(spec.words.length === 1 ? spec.words[0]! : `${spec.words[0]!} `);
    const bare = await tkv(['key']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('tkv key remove ALIAS/NAME [--yes] [--json]');
    expect(bare.stdout).toContain('remove a key and its keychain entry');
  });

  it('suggests the command meant, and says what is wrong with an argument', async () => {
    expect((await tkv(['chek'])).stderr).toMatch(/unknown command "chek"; did you mean tkv check\?/);
    expect((await tkv(['key', 'shwo', 'a/b'])).stderr).toMatch(/did you mean tkv key show\?/);
    expect((await tkv(['help', 'teleport'])).stderr).toMatch(/unknown command "teleport"/);
    const negative = await tkv(['check', '--all', '--concurrency', '-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/--concurrency takes a whole number from 1 to 256 \(not -1\)/);
    expect((await tkv(['audit', '--limit', '-1'])).stderr).toMatch(/--limit takes a whole number from 0/);
    expect((await tkv(['check', 'a/b', '--timeout-ms', '-5'])).stderr).toMatch(/--timeout-ms takes a whole number from 100 to 600000 \(not -5\)/);
    const typo = await tkv(['key', 'list', '--tenatn', 'x']);
    expect(typo.stderr).toMatch(/unknown option "--tenatn"; did you mean --tenant\?/);
    expect(typo.stderr).toContain('Run tkv help key list for its options and examples.');
  });

  it('the README lists every command as the table declares it (node src-main/cli/readme.ts writes it)', () => {
    const readme = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(withCommandList(readme)).toBe(readme);
  });
});
