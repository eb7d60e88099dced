/**
 * `npm run bench`: bulk key checks — 2,000 keys over 20 tenants against the sandbox on loopback.
 * Throughput is reported as a ratio to a bare undici loop sending the same requests with the same
 * concurrency, measured in the same run (target: at least 0.8), with the peak memory. The two run in
 * back-to-back pairs of rounds after a warm-up, alternating which goes first (A-B-B-A), and the
 * ratio is the median of the pairs' ratios, so a noisy neighbour hurts both sides of a pair alike.
 * Each side's CPU time per check in this process is reported too, and what recording costs alone
 * (the same checks written with nothing else running): on a machine whose cores the client and the
 * sandbox share, the client's CPU per check is what sets the throughput.
 *
 * The sandbox runs in its own process. The vault uses an in-memory secret store here: what is
 * measured is the check pipeline (probe choice, HTTP client, verdicts, recording in the inventory
 * file), not the OS keychain's speed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import YAML from 'yaml';
import { STANDARD_HEADERS } from '../../src-main/core/http/http-client.ts';
import { generateToken, hashToken } from '../../src-main/core/sandbox/tenant-state.ts';
import { spawn } from 'node:child_process';
import { MemorySecretStore } from '../../src-main/core/secrets/memory-secret-store.ts';
import { createServices } from '../../src-main/core/services.ts';
import { TKV } from '../support/cli.ts';
import { scratchDir } from '../support/files.ts';

const TENANTS = 20;
const KEYS_PER_TENANT = 100;
const CONCURRENCY = Number(process.env.TKV_BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.TKV_BENCH_ROUNDS ?? 60);
const TARGET_RATIO = 0.8;
const WARMUPS = Number(process.env.TKV_BENCH_WARMUPS ?? 10);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);

const stateDir = scratchDir('bench-sandbox');
const dataDir = scratchDir('bench-vault');
const keys: { tenantId: string; name: string; token: string }[] = [];
// Seed the sandbox's state files directly: 2,000 admin-API round trips would only time the setup.
for (let t = 0; t < TENANTS; t += 1) {
  const tenantId = `tenant-${String(t).padStart(2, '0')}`;
  const entries = [];
  for (let k = 0; k < KEYS_PER_TENANT; k += 1) {
    const token = generateToken();
    keys.push({ tenantId, name: `key-${k}`, token });
    entries.push({ name: `key-${k}`, enabled: true, permissions: ['tenant.core:read'], hash: hashToken(token) });
  }
  fs.mkdirSync(path.join(stateDir, 'tenants', tenantId), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'tenants', tenantId, 'security.yml'), YAML.stringify({ apiKeys: entries }));
}
// The sandbox runs as its own process, as a real server would: the client's work is what is compared.
const server = spawn(process.execPath, [TKV, 'sandbox', '--json', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const sandbox = await new Promise<{ url: string }>((resolve, reject) => {
  let line = '';
  server.stdout.on('data', (chunk: Buffer) => {
    line += chunk.toString();
    if (line.endsWith('\n')) resolve(JSON.parse(line) as { url: string });
  });
  server.on('exit', (code) => reject(new Error(`the sandbox exited with ${code}`)));
});

const secrets = new MemorySecretStore();
// One client each, kept across rounds: both sides measure warm connection pools.
const vault = createServices({ actor: 'cli', env: {}, secrets, paths: { dataDir, inventoryFile: path.join(dataDir, 'inventory.sqlite') }, http: { connections: 64 } });
const agent = new Agent({ connections: 64 });
for (let t = 0; t < TENANTS; t += 1) vault.tenants.add({ alias: `tenant-${String(t).padStart(2, '0')}`, tenantId: `tenant-${String(t).padStart(2, '0')}`, environment: 'custom', baseUrl: sandbox.url });
for (const key of keys) await vault.keys.add({ tenant: key.tenantId, name: key.name, secret: key.token, scopes: ['tenant.core:read'] });

/** The CPU time this process spent since `since`, in microseconds per check of a round. */
let lastCpu = 0;
const cpuPerCheck = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / keys.length;
};

/** The baseline: a bare undici loop, same requests (same headers), same concurrency, bodies read in full. */
async function bareLoop(): Promise<number> {
  const cpu = process.cpuUsage();
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const response = await request(`${sandbox.url}/api/${key.tenantId}/admin/config`, { dispatcher: agent, headers: { ...STANDARD_HEADERS, 'X-API-KEY': key.token } });
        await response.body.arrayBuffer();
        if (response.statusCode === 200) ok += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (ok !== keys.length) throw new Error(`baseline: ${ok} of ${keys.length} answered 200`);
  lastCpu = cpuPerCheck(cpu);
  return keys.length / seconds;
}

/** The product: CheckService.checkAll over the vault, recording every result. */
async function productRun(): Promise<number> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const summary = await vault.checks.checkAll({ concurrency: CONCURRENCY, perTenant: CONCURRENCY });
  const seconds = (performance.now() - started) / 1000;
  if (summary.byVerdict.valid !== keys.length) throw new Error(`product: ${JSON.stringify(summary.byVerdict)}`);
  lastCpu = cpuPerCheck(cpu);
  return keys.length / seconds;
}

// Warm both sides up (JIT, connection pools, the sandbox's own JIT: it speeds up for thousands of
// requests), then measure in pairs, alternating which side goes first (A-B-B-A) so neither always
// runs on a warmer or quieter machine. Each pair gives a ratio; the reported ratio is the median of
// those, which a drifting machine speed (both sides of a pair see it) and one lucky or unlucky
// round cannot move.
for (let warm = 0; warm < WARMUPS; warm += 1) {
  await bareLoop();
  await productRun();
}
const baseline: number[] = [];
const product: number[] = [];
const baselineCpu: number[] = [];
const productCpu: number[] = [];
const measureBaseline = async () => {
  baseline.push(await bareLoop());
  baselineCpu.push(lastCpu);
};
const measureProduct = async () => {
  product.push(await productRun());
  productCpu.push(lastCpu);
};
for (let round = 0; round < ROUNDS; round += 1) {
  if (round % 2 === 0) {
    await measureBaseline();
    await measureProduct();
  } else {
    await measureProduct();
    await measureBaseline();
  }
}

/** Recording alone: a bulk run's 2,000 checks handed to the recorder as fast as it takes them. */
function recordingAlone(): number {
  const rows = vault.keys.toCheck({});
  const url = `${sandbox.url}/api/tenant-00/admin/config`;
  const cpu = process.cpuUsage();
  for (let run = 0; run < 10; run += 1) {
    const recorder = vault.checks.recordBulkRun();
    const at = new Date().toISOString();
    for (const row of rows) recorder.add({ keyId: row.id, tenant: row.tenant, keyName: row.name, fingerprint: row.fingerprint, at, probe: 'tenant-config', verdict: 'valid', status: 200, durationMs: 1, url });
    recorder.finish();
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / (10 * rows.length);
}
const recordingCpu = recordingAlone();
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const pairRatios = product.map((value, index) => value / baseline[index]!);
const ratio = median(pairRatios);
clearInterval(sampler);
server.kill('SIGTERM');
await agent.close();
await vault.close();
fs.rmSync(stateDir, { recursive: true, force: true });
fs.rmSync(dataDir, { recursive: true, force: true });

const rounds = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
console.log(`bulk check: ${keys.length} keys over ${TENANTS} tenants, concurrency ${CONCURRENCY}, ${WARMUPS} warm-up + ${ROUNDS} measured rounds each`);
console.log(`  bare undici loop: median ${median(baseline).toFixed(0)} checks/s (rounds: ${rounds(baseline)})`);
console.log(`  tkv check --all:  median ${median(product).toFixed(0)} checks/s (rounds: ${rounds(product)})`);
console.log(`  throughput ratio: ${ratio.toFixed(2)}, median of the ${ROUNDS} pairs (${pairRatios.map((r) => r.toFixed(2)).join(', ')}) (target >= ${TARGET_RATIO})`);
console.log(`  client CPU per check: bare loop ${median(baselineCpu).toFixed(0)} µs, tkv ${median(productCpu).toFixed(0)} µs (medians); recording alone ${recordingCpu.toFixed(1)} µs`);
console.log(`  peak RSS of the client process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB (vault, 2,000 keys, both clients; the sandbox runs apart)`);
if (ratio < TARGET_RATIO) {
  console.error(`bench: ratio ${ratio.toFixed(2)} is below the target ${TARGET_RATIO}`);
  process.exit(1);
}
