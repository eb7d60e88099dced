/**
 * Runs a command where keychain tests may use the OS keychain safely. On Linux: inside a private
 * D-Bus session with a throwaway, unlocked gnome-keyring and a temporary HOME (keyring-session.sh),
 * so a real user's keyring is never touched. On macOS and Windows: directly; the tests use a unique
 * keychain service name and remove what they create.
 *
 *   node test/support/with-keyring.ts vitest run --config test/vitest.config.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node test/support/with-keyring.ts COMMAND [ARGS...]');
  process.exit(2);
}

const insideSession = process.platform !== 'linux' || process.env.TKV_KEYRING_SESSION === '1';
const script = fileURLToPath(new URL('./keyring-session.sh', import.meta.url));
const [file, fileArgs] = insideSession ? [command, args] : ['dbus-run-session', ['--', 'bash', script, command, ...args]];
const result = spawnSync(file, fileArgs, { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) {
  const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
  console.error(missing && file === 'dbus-run-session' ? 'dbus-run-session is missing: install dbus and gnome-keyring (see .ci/run).' : String(result.error));
  process.exit(1);
}
process.exit(result.status ?? 1);
