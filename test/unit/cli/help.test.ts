// Help for every command and subcommand: `tkv help COMMAND [SUB]`, `tkv COMMAND --help`, and a bare
// command group, each printing its usage on stdout and exiting 0.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main.ts';

async function tkv(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdin: process.stdin, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: { TKV_DATA_DIR: '/nonexistent-tkv-help' } });
  return { code, stdout, stderr };
}

describe('tkv help', () => {
  const commands = ['tenant', 'key', 'check', 'probe', 'remote', 'rotate', 'review', 'audit', 'exec', 'import', 'reconcile', 'doctor', 'sandbox'];

  it.each(commands)('tkv help %s and tkv %s --help show its usage', async (command) => {
    const viaHelp = await tkv(['help', command]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain(`tkv ${command}`);
    const viaFlag = await tkv([command, '--help']);
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(viaFlag.stdout).toContain(`tkv ${command}`);
  });

  it('narrows to a subcommand, shows a bare group, and refuses an unknown command', async () => {
    const add = await tkv(['help', 'key', 'add']);
    expect(add.stdout.trim().split('\n')).toHaveLength(2);
    expect(add.stdout).toContain('tkv key add ALIAS/NAME');
    const bare = await tkv(['key']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('tkv key remove ALIAS/NAME [--yes]');
    expect((await tkv(['key', 'add', '--help'])).stdout).toMatch(/^usage: tkv key add/);
    const unknown = await tkv(['help', 'teleport']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no command "teleport"/);
  });
});
