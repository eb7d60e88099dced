/**
 * `npm run bench`: how fast tkv starts. Bare `node -e 0`, `tkv --version` and `tkv key list` on an
 * empty vault, each run as a fresh process, alternating, many rounds; medians. The first run of each
 * fills Node's compile cache and is not counted (every later run of a person's tkv finds it filled).
 * Targets, as ratios measured here and now: `tkv --version` within 3× bare Node, `tkv key list`
 * within 4×. Exits 1 when one is missed.
 *
 *   node test/bench/startup.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TKV } from '../support/cli.ts';
import { scratchDir } from '../support/files.ts';

const ROUNDS = Number(process.env.TKV_BENCH_ROUNDS ?? 15);
const dataDir = scratchDir('bench-startup');
const env = { ...process.env, TKV_DATA_DIR: dataDir, TKV_KEYCHAIN_SERVICE: `tkv-bench-startup-${process.pid}`, NODE_COMPILE_CACHE: scratchDir('bench-compile-cache') };
const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'tkv --version': [TKV, '--version'],
  'tkv key list (empty vault)': [TKV, 'key', 'list'],
};
const run = (args: string[]) => {
  const started = performance.now();
  execFileSync(process.execPath, args, { env, stdio: 'ignore' });
  return performance.now() - started;
};
for (const args of Object.values(commands)) run(args); // fills the compile cache and creates the vault
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  const names = Object.keys(commands);
  for (const name of round % 2 === 0 ? names : names.reverse()) times[name]!.push(run(commands[name]!));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const bare = median(times['node -e 0']!);
const targets: Record<string, number> = { 'tkv --version': 3, 'tkv key list (empty vault)': 4 };
let missed = false;
console.log(`node -e 0: ${bare.toFixed(0)} ms (median of ${ROUNDS})`);
for (const [name, target] of Object.entries(targets)) {
  const ratio = median(times[name]!) / bare;
  missed ||= ratio > target;
  console.log(`${name}: ${median(times[name]!).toFixed(0)} ms, ${ratio.toFixed(2)}× bare Node (target ≤ ${target}×)`);
}
fs.rmSync(dataDir, { recursive: true, force: true });
fs.rmSync(env.NODE_COMPILE_CACHE, { recursive: true, force: true });
if (missed) {
  console.log('startup bench: target missed');
  process.exitCode = 1;
}
