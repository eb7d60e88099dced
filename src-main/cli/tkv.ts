#!/usr/bin/env node
/**
 * The tkv executable (entered through tkv.mjs, which turns the compile cache on first). Runs as
 * TypeScript directly on Node 22.18 or newer (type stripping), so that `npx tkv` works straight
 * after `npm ci` with no build step.
 */
import fs from 'node:fs';
import type { CliOutput } from './io.ts';
import { runCli } from './main.ts';

/** The controlling terminal (POSIX), opened only when something must go to the person and not to stdout. */
function terminal(): CliOutput | null {
  if (process.platform === 'win32') return null;
  try {
    const fd = fs.openSync('/dev/tty', 'w');
    return { isTTY: true, write: (text: string) => fs.writeSync(fd, text) };
  } catch {
    return null;
  }
}

const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, terminal });
process.exitCode = code;
// A keychain call that timed out may still occupy a worker thread; do not let it hold the exit.
setTimeout(() => process.exit(code), 200).unref();
