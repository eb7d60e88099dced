/**
 * Reads a secret the only two ways tkv accepts one: piped on stdin, or typed at a prompt that does
 * not echo. Never from argv (shell history, `ps`) or the environment (inherited by every child).
 */
import { SECRET_MAX_BYTES } from '../shared/rules.ts';
import { VaultError } from '../core/errors.ts';
import type { CliInput, CliIo } from './io.ts';

/** Reads one secret; `prompt` is shown on stderr when stdin is a terminal. */
export async function readSecret(io: CliIo, prompt: string): Promise<string> {
  if (io.stdin.isTTY && io.stdin.setRawMode) return promptHidden(io, prompt);
  return readPiped(io.stdin, io.env);
}

async function readPiped(stdin: CliInput, env: Record<string, string | undefined>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Enough for a 4 KiB secret and a line ending; anything larger is not a key, and is not kept.
  const limit = SECRET_MAX_BYTES + 2;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) {
      throw new VaultError('INVALID_INPUT', `More than ${SECRET_MAX_BYTES} bytes arrived on stdin; pipe only the API key.`);
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) {
    throw new VaultError('INVALID_INPUT', `No secret arrived on stdin. Pipe the key in (e.g. \`${pasteCommand(process.platform, env)} | tkv key add …\`) or run tkv in a terminal to type it.`);
  }
  return text;
}

/** The platform's own command that prints the clipboard, for a hint. */
export function pasteCommand(platform: NodeJS.Platform, env: Record<string, string | undefined>): string {
  if (platform === 'darwin') return 'pbpaste';
  if (platform === 'win32') return 'Get-Clipboard';
  if (env.WAYLAND_DISPLAY) return 'wl-paste --no-newline';
  return 'xclip -o -selection clipboard';
}

function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    io.stderr.write(prompt);
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (error: Error | null) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003' || char === '\u0004') return finish(new VaultError('INVALID_INPUT', 'Cancelled; nothing was stored.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** Asks a yes/no question on a terminal; anything but y/yes is no. */
export function confirm(io: CliIo, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    io.stderr.write(`${question} [y/N] `);
    io.stdin.resume();
    io.stdin.setEncoding('utf8');
    io.stdin.once('data', (data: string) => {
      io.stdin.pause();
      resolve(/^\s*y(es)?\s*$/i.test(data));
    });
  });
}
