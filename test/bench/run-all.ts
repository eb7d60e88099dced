/**
 * `npm run bench`: every benchmark in turn, under a keyring as the tests run (the start-up bench
 * opens a vault, which asks the keychain), each run to its end even when one before it missed a
 * target; exits 1 when any did, naming which.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = ['bundle-size.ts', 'startup.ts', 'inventory.ts', 'review.ts', 'bulk-check.ts'];
const missed: string[] = [];
for (const bench of BENCHES) {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(bench, import.meta.url))], { stdio: 'inherit' });
  if (result.status !== 0) missed.push(`${bench} (exit ${result.status ?? result.signal})`);
}
if (missed.length > 0) {
  console.error(`bench: targets missed in ${missed.join(', ')}`);
  process.exit(1);
}
