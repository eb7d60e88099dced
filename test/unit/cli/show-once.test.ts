// Where a token that could not be stored is printed: to a person's terminal, or into the JSON asked
// for; never into a redirected stdout. With neither, it cannot be shown, and core deletes the key.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { canShowToken, showOnce } from '../../../src-main/cli/commands/remote.ts';
import { CommandContext } from '../../../src-main/cli/context.ts';
import type { CliIo, CliOutput } from '../../../src-main/cli/io.ts';

function sink(isTTY: boolean): CliOutput & { text: string } {
  const output = { text: '', isTTY, write: (chunk: string) => (output.text += chunk) };
  return output;
}

const unsaved = { remoteName: 'crm', token: 'TOKEN-SHOWN-ONCE-0123456789', fingerprint: 'abcdef012345', reason: 'The keychain stopped answering.' };

function run(options: { stdoutTTY: boolean; terminal: CliOutput | null; json?: boolean }) {
  const stdout = sink(options.stdoutTTY);
  const stderr = sink(false);
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: {}, terminal: () => options.terminal };
  const code = showOnce(new CommandContext(io), 'demo', 'crm', unsaved, options.json ?? false);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('showOnce', () => {
  it('prints to the controlling terminal when stdout is redirected', () => {
    const terminal = sink(true);
    const result = run({ stdoutTTY: false, terminal });
    expect(result.code).toBe(1);
    expect(terminal.text).toBe(`${unsaved.token}\n`);
    expect(result.stdout).not.toContain(unsaved.token);
    expect(result.stderr).toContain('could NOT be stored');
    expect(result.stderr).not.toContain(unsaved.token);
  });

  it('prints to stdout when it is the terminal', () => {
    const terminal = sink(true);
    expect(run({ stdoutTTY: true, terminal }).stdout).toBe(`${unsaved.token}\n`);
    expect(terminal.text).toBe('');
  });

  it('can be shown only on a terminal or in JSON asked for; never into a file', () => {
    const context = (stdoutTTY: boolean, terminal: CliOutput | null) => new CommandContext({ stdin: new PassThrough(), stdout: sink(stdoutTTY), stderr: sink(false), env: {}, terminal: () => terminal });
    expect(canShowToken(context(true, null), false)).toBe(true);
    expect(canShowToken(context(false, sink(true)), false)).toBe(true);
    expect(canShowToken(context(false, null), true)).toBe(true);
    expect(canShowToken(context(false, null), false)).toBe(false);
    expect(() => run({ stdoutTTY: false, terminal: null })).toThrow(/needs a terminal/);
  });

  it('puts it in the JSON answer when --json asked for one', () => {
    const result = run({ stdoutTTY: false, terminal: sink(true), json: true });
    expect(JSON.parse(result.stdout)).toMatchObject({ stored: false, token: unsaved.token, fingerprint: unsaved.fingerprint });
  });
});
