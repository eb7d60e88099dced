/**
 * `npm test`: every check the project promises, in order, stopping at the first failure — lint, type
 * checks, the build the browser tests load, unit and integration tests, browser tests.
 */
import { spawnSync } from 'node:child_process';

const steps: [string, string[]][] = [
  ['lint', ['npm', 'run', '--silent', 'lint']],
  ['type checks', ['npm', 'run', '--silent', 'typecheck']],
  ['build', ['npm', 'run', '--silent', 'build']],
  ['unit and integration tests', ['npm', 'run', '--silent', 'test:unit']],
  ['browser tests', ['npm', 'run', '--silent', 'test:e2e']],
];

for (const [name, [command, ...args]] of steps) {
  console.log(`\n=== ${name}: ${[command, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command!, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n=== ${name} failed after ${seconds} s (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
  console.log(`=== ${name} passed in ${seconds} s`);
}
