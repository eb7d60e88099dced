#!/usr/bin/env node
/**
 * The tkv executable. Runs as TypeScript directly on Node 22.18 or newer (type stripping), so that
 * `npx tkv` works straight after `npm ci` with no build step.
 */
import { runCli } from './main.ts';

const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = code;
// A keychain call that timed out may still occupy a worker thread; do not let it hold the exit.
setTimeout(() => process.exit(code), 200).unref();
