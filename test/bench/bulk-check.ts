/**
 * `npm run bench`: bulk key checks — 2,000 keys over 20 tenants against the sandbox on loopback,
 * measured as a person feels them, each figure against a bound measured or computed in the same run:
 *
 * 1. Client CPU per check at zero latency, tkv against a bare undici loop sending the same requests
 *    with the same concurrency (target: at most 1.25×). The two run in back-to-back pairs of rounds
 *    after a warm-up, alternating which goes first (A-B-B-A); the figure is the median of the pairs'
 *    ratios, so a noisy neighbour hurts both sides of a pair alike. Each side runs in a process of
 *    its own (the bare loop in bare-client.ts), as tkv does on a person's machine: in one process, a
 *    garbage collection falls on whichever side is running when the young generation fills,
 *    whoever made the garbage. tkv's rounds include everything a check does: the negative control
 *    (one per tenant and probe) and the admin API lookups of refused keys (one per tenant: disabled
 *    on the server, or lacking the probe's scope; each tenant has an admin key).
 * 2. With the sandbox adding 20 ms to every answer, a bulk run's duration against the bound its
 *    concurrency sets (keys / concurrency × latency; target: at least 0.95 of it), and with
 *    per-tenant politeness limits binding, against the bound those limits set (the busiest tenant's
 *    keys / per-tenant limit × latency; target: at least 0.95). The latency is what a bare request
 *    takes under the same load, measured in the same run (see below).
 * 3. The zero-latency throughput ratio, for information: on a machine whose two cores the client and
 *    the sandbox share, it measures CPU, not what a person waits for.
 *
 * Exits non-zero when a target is missed. The sandbox runs in its own process, as a real server
 * would. The vault uses an in-memory secret store here: what is measured is the check pipeline
 * (probe choice, HTTP client, verdicts, controls, lookups, recording in the inventory file), not the
 * OS keychain's speed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import YAML from 'yaml';
import { STANDARD_HEADERS } from '../../src-main/core/http/http-client.ts';
import { generateToken, hashToken } from '../../src-main/core/sandbox/tenant-state.ts';
import { MemorySecretStore } from '../../src-main/core/secrets/memory-secret-store.ts';
import { createServices } from '../../src-main/core/services.ts';
import { TKV } from '../support/cli.ts';
import { scratchDir } from '../support/files.ts';
import type { BareRound, BareSetup } from './bare-client.ts';
import { pausedWithin } from './collections.ts';

const TENANTS = 20;
const KEYS_PER_TENANT = 100;
const CONCURRENCY = Number(process.env.TKV_BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.TKV_BENCH_ROUNDS ?? 40);
const WARMUPS = Number(process.env.TKV_BENCH_WARMUPS ?? 10);
const LATENCY_MS = 20;
const LATENCY_ROUNDS = Number(process.env.TKV_BENCH_LATENCY_ROUNDS ?? 5);
const TARGET_CPU_RATIO = 1.25;
const TARGET_BOUND_RATIO = 0.95;

let peakRss = 0;
// When this process's garbage collector ran (performance-timeline times), so that each tkv round is
// marked with whether one ran inside it (the bare loop's process marks its own).
const collections: { start: number; end: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push({ start: entry.startTime, end: entry.startTime + entry.duration });
});
gcObserver.observe({ entryTypes: ['gc'] });
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);

const stateDir = scratchDir('bench-sandbox');
const dataDir = scratchDir('bench-vault');
const keys: { tenantId: string; name: string; token: string; status: number; scopes: string[] }[] = [];
// Each tenant: keys that pass, and one refused (one in a hundred, as in a healthy inventory): on
// even tenants a key disabled on the server (401), on odd ones a key lacking the probe's scope (403).
// Each refused key gets the server's word (an admin API lookup), each 403 a negative control.
const REFUSED_PER_TENANT = Number(process.env.TKV_BENCH_REFUSED ?? 1);
// Seed the sandbox's state files directly: 2,000 admin-API round trips would only time the setup.
for (let t = 0; t < TENANTS; t += 1) {
  const tenantId = `tenant-${String(t).padStart(2, '0')}`;
  const entries = [];
  for (let k = 0; k < KEYS_PER_TENANT; k += 1) {
    const token = generateToken();
    const refused = k < REFUSED_PER_TENANT;
    const disabled = refused && t % 2 === 0;
    const lacking = refused && t % 2 === 1;
    keys.push({ tenantId, name: `key-${k}`, token, status: disabled ? 401 : lacking ? 403 : 200, scopes: ['tenant.core:read'] });
    entries.push({ name: `key-${k}`, enabled: !disabled, permissions: [lacking ? 'Pass.Read' : 'tenant.core:read'], hash: hashToken(token) });
  }
  fs.mkdirSync(path.join(stateDir, 'tenants', tenantId), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'tenants', tenantId, 'security.yml'), YAML.stringify({ apiKeys: entries }));
}
// The sandbox runs as its own process, as a real server would: the client's work is what is compared.
const server = spawn(process.execPath, [TKV, 'sandbox', '--json', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
// Whatever happens to this process (a missed expectation throws), the sandbox it started ends with it.
process.once('exit', () => server.kill('SIGTERM'));
const sandbox = await new Promise<{ url: string; controlToken: string; tenants: { tenantId: string; adminKey: string; adminKeyName: string }[] }>((resolve, reject) => {
  let line = '';
  server.stdout.on('data', (chunk: Buffer) => {
    line += chunk.toString();
    if (line.endsWith('\n')) resolve(JSON.parse(line) as never);
  });
  server.on('exit', (code) => reject(new Error(`the sandbox exited with ${code}`)));
});
/** Sets the sandbox's faults (latency) through its control API. */
async function sandboxLatency(ms: number): Promise<void> {
  const response = await request(`${sandbox.url}/_sandbox/config`, {
    method: ms === 0 ? 'DELETE' : 'PUT',
    headers: { authorization: `Bearer ${sandbox.controlToken}`, 'content-type': 'application/json' },
    ...(ms === 0 ? {} : { body: JSON.stringify({ faults: [{ route: '* /api/*', latencyMs: ms }] }) }),
  });
  await response.body.arrayBuffer();
  if (response.statusCode >= 300) throw new Error(`sandbox config: ${response.statusCode}`);
}

const secrets = new MemorySecretStore();
// One client each, kept across rounds: both sides measure warm connection pools.
const vault = createServices({ actor: 'cli', env: {}, secrets, paths: { dataDir, inventoryFile: path.join(dataDir, 'inventory.sqlite') }, http: { connections: 64 } });
const agent = new Agent({ connections: 64 });
for (let t = 0; t < TENANTS; t += 1) vault.tenants.add({ alias: `tenant-${String(t).padStart(2, '0')}`, tenantId: `tenant-${String(t).padStart(2, '0')}`, environment: 'custom', baseUrl: sandbox.url });
for (const key of keys) await vault.keys.add({ tenant: key.tenantId, name: key.name, secret: key.token, scopes: key.scopes, remoteName: key.name });
// Each tenant's admin credential: the sandbox's admin key, checked in the runs too.
for (const tenant of sandbox.tenants) {
  await vault.keys.add({ tenant: tenant.tenantId, name: 'admin', secret: tenant.adminKey, scopes: ['*'], admin: true, remoteName: tenant.adminKeyName });
  keys.push({ tenantId: tenant.tenantId, name: 'admin', token: tenant.adminKey, status: 200, scopes: ['*'] });
}
const expectedVerdicts = Object.fromEntries(
  Object.entries({ valid: keys.filter((key) => key.status === 200).length, unauthorized: keys.filter((key) => key.status === 401).length, forbidden: keys.filter((key) => key.status === 403).length }).filter(([, count]) => count > 0),
);

/**
 * The CPU time this process spent since the end of its previous round, in microseconds per check:
 * a round's own, and whatever the process did while the other side ran (its collector's background
 * work, say), so that no side's work is billed to nobody.
 */
let lastCpu = 0;
let cpuMark = process.cpuUsage();
/** The last round's window on the performance timeline. */
let lastWindow = { start: 0, end: 0 };
const cpuPerCheck = () => {
  const used = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  return (used.user + used.system) / keys.length;
};

/**
 * The baseline: a bare undici loop, same requests (same headers), same concurrency, bodies read in
 * full, run in a process of its own (bare-client.ts) so that each side pays for its own collections.
 */
const bareClient = spawn(process.execPath, [fileURLToPath(new URL('bare-client.ts', import.meta.url))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
process.once('exit', () => bareClient.kill('SIGTERM'));
/** The question sent to the bare loop's process and not yet answered: one at a time. */
let asked: { resolve: (answer: unknown) => void; reject: (error: Error) => void } | null = null;
bareClient.on('message', (answer) => {
  const waiting = asked;
  asked = null;
  waiting?.resolve(answer);
});
/** The bare loop's process ended or failed: the question it was asked fails, so the bench does not wait for ever. */
const bareEnded = (why: string) => {
  const waiting = asked;
  asked = null;
  waiting?.reject(new Error(`the bare loop's process ${why}`));
};
bareClient.on('exit', (code, signal) => bareEnded(`exited (${code ?? signal})`));
bareClient.on('error', (error) => bareEnded(`failed: ${error.message}`));
/** Sends a message to the bare loop's process and waits for its answer. */
const askBare = <T>(message: object) =>
  new Promise<T>((resolve, reject) => {
    if (asked) return reject(new Error('the bare loop was asked again before it answered'));
    if (!bareClient.connected) return reject(new Error("the bare loop's process has ended"));
    asked = { resolve: resolve as (answer: unknown) => void, reject };
    bareClient.send(message);
  });
await askBare<{ ready: true }>({ setup: { url: sandbox.url, keys: keys.map(({ tenantId, token, status }) => ({ tenantId, token, status })), concurrency: CONCURRENCY } satisfies BareSetup });
/** One round of the bare loop, while this process waits. */
const bareLoop = () => askBare<BareRound>({ round: true });

/** The product: CheckService.checkAll over the vault, recording every result; its duration in seconds. */
async function productRun(options: { concurrency: number; perTenant: number } = { concurrency: CONCURRENCY, perTenant: CONCURRENCY }): Promise<number> {
  const started = performance.now();
  const summary = await vault.checks.checkAll(options);
  const seconds = (performance.now() - started) / 1000;
  lastWindow = { start: started, end: performance.now() };
  if (!isDeepStrictEqual(summary.byVerdict, expectedVerdicts) || summary.checked !== keys.length) {
    throw new Error(`product: ${JSON.stringify(summary.byVerdict)}, expected ${JSON.stringify(expectedVerdicts)}`);
  }
  // The refused keys got the server's word (the lookups ran), and the 403s a negative control.
  for (const { result } of summary.problems) {
    if (result.server?.state !== (result.verdict === 'unauthorized' ? 'disabled' : 'enabled')) throw new Error(`product: no server's word on a ${result.verdict}: ${JSON.stringify(result.server)}`);
    if (result.verdict === 'forbidden' && result.control?.state !== 'refused') throw new Error('product: a 403 without its negative control');
  }
  lastCpu = cpuPerCheck();
  return seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// 1 and 3: zero latency. Warm both sides up (JIT, connection pools, the sandbox's own JIT: it speeds
// up for thousands of requests), then measure in pairs, alternating which side goes first (A-B-B-A),
// so neither always runs on a warmer or quieter machine.
for (let warm = 0; warm < WARMUPS; warm += 1) {
  await bareLoop();
  await productRun();
}
const baseline: number[] = [];
const product: number[] = [];
const baselineCpu: number[] = [];
const productCpu: number[] = [];
const baselineCollected: boolean[] = [];
const baselineCollecting: number[] = [];
const productWindows: (typeof lastWindow)[] = [];
const measureBaseline = async () => {
  const round = await bareLoop();
  baseline.push(round.throughput);
  baselineCpu.push(round.cpu);
  baselineCollected.push(round.collected);
  baselineCollecting.push(round.collecting);
};
const measureProduct = async () => {
  product.push(keys.length / (await productRun()));
  productCpu.push(lastCpu);
  productWindows.push(lastWindow);
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
// Where tkv's CPU goes, when asked: a CPU profile of a few product rounds alone (open it in Chrome's
// DevTools, or summarise it), without the setup and the latency rounds a whole-process profile holds.
if (process.env.TKV_BENCH_PROFILE) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  for (let round = 0; round < 5; round += 1) await productRun();
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(process.env.TKV_BENCH_PROFILE, JSON.stringify(profile));
  session.disconnect();
}
const pairRatios = product.map((value, index) => value / baseline[index]!);
const throughputRatio = median(pairRatios);
// Each round's tkv CPU against its pair's bare loop, run next to it: a slower or busier machine
// raises both sides of a pair, so the pairs' median holds from run to run better than a ratio of the
// two sides' medians (printed too). The spread of the pairs says how far one pair can be trusted.
const cpuPairs = productCpu.map((value, index) => value / baselineCpu[index]!);
const cpuRatio = median(cpuPairs);
const quartiles = (values: number[]): [number, number] => {
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[Math.floor((sorted.length - 1) / 4)]!, sorted[Math.ceil(((sorted.length - 1) * 3) / 4)]!];
};
const [cpuLow, cpuHigh] = quartiles(cpuPairs);
// For information: the rounds in which no collection ran, each side's median CPU over those alone.
// It shows how much of the pairs' spread is where collections fell; it is no verdict, since it
// leaves out the collecting that each side's allocations cause.
await new Promise((resolve) => setImmediate(resolve));
const collected = (window: typeof lastWindow) => collections.some((gc) => gc.end > window.start && gc.start < window.end);
const bareClean = baselineCpu.filter((_, index) => !baselineCollected[index]);
const productClean = productCpu.filter((_, index) => !collected(productWindows[index]!));
// Each side's collection pauses inside its rounds, per check: what its own garbage costs its main thread.
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const productCollecting = mean(productWindows.map((window) => (pausedWithin(collections, window.start, window.end) * 1000) / keys.length));

/** Recording alone: a bulk run's checks handed to the recorder as fast as it takes them. */
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

// 2: what a person waits for, the sandbox adding LATENCY_MS to every answer. A timer fires a little
// after its time, loopback adds its share, and the sandbox shares this machine's two cores with the
// client: under a burst of requests its answers come later than one request's would. So the latency
// in each bound is what a bare client sees under the same load: a bare undici loop of the same shape
// (the same concurrency, the same lanes per tenant, the same keys), its duration divided by the
// requests each of its workers sent in turn. Bare and tkv rounds alternate. The bound with one serial
// request's round trip is printed beside it, for information.
await sandboxLatency(LATENCY_MS);
const roundTrips: number[] = [];
for (let i = 0; i < 100; i += 1) {
  const key = keys[i * 7]!;
  const started = performance.now();
  const response = await request(`${sandbox.url}/api/${key.tenantId}/admin/config`, { dispatcher: agent, headers: { ...STANDARD_HEADERS, 'X-API-KEY': key.token } });
  await response.body.arrayBuffer();
  roundTrips.push(performance.now() - started);
}
const serialLatency = median(roundTrips) / 1000;
const perTenantKeys = Math.max(...sandbox.tenants.map((tenant) => keys.filter((key) => key.tenantId === tenant.tenantId).length));

/** A bare loop of a bulk run's shape: `lanes` groups of keys, each worked through by `perLane` workers, the lanes side by side. Its duration in seconds. */
async function bareShape(lanes: (typeof keys)[], perLane: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: perLane }, async () => {
          while (next < lane.length) {
            const key = lane[next++]!;
            const response = await request(`${sandbox.url}/api/${key.tenantId}/admin/config`, { dispatcher: agent, headers: { ...STANDARD_HEADERS, 'X-API-KEY': key.token } });
            await response.body.arrayBuffer();
          }
        }),
      );
    }),
  );
  return (performance.now() - started) / 1000;
}
const byTenant = sandbox.tenants.map((tenant) => keys.filter((key) => key.tenantId === tenant.tenantId));
const shapes = {
  // All keys, CONCURRENCY at once: one lane of CONCURRENCY workers; each worker sends keys / CONCURRENCY requests in turn.
  concurrency: { options: { concurrency: CONCURRENCY, perTenant: CONCURRENCY }, bare: () => bareShape([keys], CONCURRENCY), inTurn: keys.length / CONCURRENCY },
  // One at a time per tenant, with room for more: the tenants' limits bind, not the concurrency.
  politeness: { options: { concurrency: TENANTS * 2, perTenant: 1 }, bare: () => bareShape(byTenant, 1), inTurn: perTenantKeys / 1 },
};
const latencyRatios: Record<keyof typeof shapes, number[]> = { concurrency: [], politeness: [] };
const loadedLatency: Record<keyof typeof shapes, number[]> = { concurrency: [], politeness: [] };
const serialRatios: Record<keyof typeof shapes, number[]> = { concurrency: [], politeness: [] };
await productRun(shapes.concurrency.options);
for (const name of ['concurrency', 'politeness'] as const) await shapes[name].bare();
for (let round = 0; round < LATENCY_ROUNDS; round += 1) {
  for (const name of ['concurrency', 'politeness'] as const) {
    const shape = shapes[name];
    const bareFirst = round % 2 === 0;
    const bare1 = bareFirst ? await shape.bare() : 0;
    const tkv = await productRun(shape.options);
    const bare = bareFirst ? bare1 : await shape.bare();
    const latency = bare / shape.inTurn;
    loadedLatency[name].push(latency);
    latencyRatios[name].push((shape.inTurn * latency) / tkv);
    serialRatios[name].push((shape.inTurn * serialLatency) / tkv);
  }
}
await sandboxLatency(0);

clearInterval(sampler);
bareClient.send({ end: true });
gcObserver.disconnect();
server.kill('SIGTERM');
await agent.close();
await vault.close();
fs.rmSync(stateDir, { recursive: true, force: true });
fs.rmSync(dataDir, { recursive: true, force: true });

const rounds = (values: number[], digits = 0) => values.map((v) => v.toFixed(digits)).join(', ');
const concurrencyRatio = median(latencyRatios.concurrency);
const politenessRatio = median(latencyRatios.politeness);
console.log(`bulk check: ${keys.length} keys over ${TENANTS} tenants (each with an admin key, and ${REFUSED_PER_TENANT} refused: disabled on even tenants, lacking a scope on odd ones), ${WARMUPS} warm-up + ${ROUNDS} measured rounds at zero latency, ${LATENCY_ROUNDS} at ${LATENCY_MS} ms`);
console.log(`  client CPU per check, zero latency: ${cpuRatio.toFixed(2)}× the bare loop, median of ${ROUNDS} pairs (middle half ${cpuLow.toFixed(2)}–${cpuHigh.toFixed(2)}×) (target <= ${TARGET_CPU_RATIO}×); bare loop ${median(baselineCpu).toFixed(1)} µs, tkv ${median(productCpu).toFixed(1)} µs (medians, ${(median(productCpu) / median(baselineCpu)).toFixed(2)}×), recording alone ${recordingCpu.toFixed(1)} µs`);
console.log(
  `  for information, the rounds without a garbage collection (tkv ${productClean.length} of ${ROUNDS}, bare loop ${bareClean.length} of ${ROUNDS}): ${productClean.length > 0 && bareClean.length > 0 ? `tkv ${median(productClean).toFixed(1)} µs, bare loop ${median(bareClean).toFixed(1)} µs (medians, ${(median(productClean) / median(bareClean)).toFixed(2)}×)` : 'too few to compare'}; collection pauses inside the rounds, tkv ${productCollecting.toFixed(2)} µs a check, bare loop ${mean(baselineCollecting).toFixed(2)} µs`,
);
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;
console.log(`  at ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY}: ${concurrencyRatio.toFixed(3)} of the bound ${(shapes.concurrency.inTurn * median(loadedLatency.concurrency)).toFixed(2)} s (${shapes.concurrency.inTurn.toFixed(1)} requests in turn × ${ms(median(loadedLatency.concurrency))}, a bare request under the same load; rounds: ${rounds(latencyRatios.concurrency, 3)}) (target >= ${TARGET_BOUND_RATIO})`);
console.log(`  at ${LATENCY_MS} ms latency, 1 per tenant (${TENANTS} tenants, concurrency ${shapes.politeness.options.concurrency}): ${politenessRatio.toFixed(3)} of the bound ${(shapes.politeness.inTurn * median(loadedLatency.politeness)).toFixed(2)} s the limits set (${shapes.politeness.inTurn} requests in turn × ${ms(median(loadedLatency.politeness))}; rounds: ${rounds(latencyRatios.politeness, 3)}) (target >= ${TARGET_BOUND_RATIO})`);
console.log(`  for information, against one serial request's round trip (${ms(serialLatency)}, median of 100): ${median(serialRatios.concurrency).toFixed(3)} of the concurrency bound, ${median(serialRatios.politeness).toFixed(3)} of the politeness bound`);
console.log(`  zero-latency throughput, for information: bare loop ${median(baseline).toFixed(0)} checks/s, tkv ${median(product).toFixed(0)} checks/s, ratio ${throughputRatio.toFixed(2)} (median of ${ROUNDS} pairs)`);
console.log(`  peak RSS of the client process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB (vault, ${keys.length} keys, the bare loops of the latency rounds; the sandbox and the zero-latency bare loop run apart)`);
const missed = [
  ...(cpuRatio > TARGET_CPU_RATIO ? [`client CPU per check is ${cpuRatio.toFixed(2)}× the bare loop's (target <= ${TARGET_CPU_RATIO}×)`] : []),
  ...(concurrencyRatio < TARGET_BOUND_RATIO ? [`at ${LATENCY_MS} ms, ${concurrencyRatio.toFixed(3)} of the concurrency bound (target >= ${TARGET_BOUND_RATIO})`] : []),
  ...(politenessRatio < TARGET_BOUND_RATIO ? [`at ${LATENCY_MS} ms, ${politenessRatio.toFixed(3)} of the politeness bound (target >= ${TARGET_BOUND_RATIO})`] : []),
];
for (const miss of missed) console.error(`bench: ${miss}`);
if (missed.length > 0) process.exit(1);
