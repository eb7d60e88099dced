/**
 * The bare undici loop of the bulk-check bench (bulk-check.ts), in a process of its own, so that each
 * side of a pair pays for its own garbage collection. In one process, a young-generation collection
 * falls on whichever side is running when the young generation fills, whoever made the garbage.
 *
 * Driven over IPC: `{ setup }` once (the sandbox, the keys, the concurrency), then `{ round: true }`
 * for each round, answered with the round's CPU per request (since the previous round ended), its
 * throughput, and whether a collection ran in it; `{ end: true }` to finish.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { STANDARD_HEADERS } from '../../src-main/core/http/http-client.ts';
import { pausedWithin } from './collections.ts';

export interface BareSetup {
  url: string;
  keys: { tenantId: string; token: string; status: number }[];
  concurrency: number;
}

export interface BareRound {
  /** Client CPU per request, in microseconds. */
  cpu: number;
  /** Requests a second. */
  throughput: number;
  /** A garbage collection ran during the round. */
  collected: boolean;
  /** The collections' pauses inside the round, in microseconds per request. */
  collecting: number;
}

const collections: { start: number; end: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push({ start: entry.startTime, end: entry.startTime + entry.duration });
});
observer.observe({ entryTypes: ['gc'] });
const agent = new Agent({ connections: 64 });

let setup: BareSetup | null = null;

/**
 * The CPU time spent since the end of the previous round: a round's own, and whatever this process
 * did while the other side ran (its collector's background work, say).
 */
let cpuMark = process.cpuUsage();

/** One round: every key's request, `concurrency` at once, bodies read in full. */
async function round({ url, keys, concurrency }: BareSetup): Promise<BareRound> {
  let next = 0;
  let expected = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const response = await request(`${url}/api/${key.tenantId}/admin/config`, { dispatcher: agent, headers: { ...STANDARD_HEADERS, 'X-API-KEY': key.token } });
        await response.body.arrayBuffer();
        if (response.statusCode === key.status) expected += 1;
      }
    }),
  );
  const ended = performance.now();
  const used = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  if (expected !== keys.length) throw new Error(`baseline: ${expected} of ${keys.length} answered as seeded`);
  // Collections are reported a little later than they end.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    cpu: (used.user + used.system) / keys.length,
    throughput: keys.length / ((ended - started) / 1000),
    collected: collections.some((gc) => gc.end > started && gc.start < ended),
    collecting: (pausedWithin(collections, started, ended) * 1000) / keys.length,
  };
}

// The bench ended (or died): so does this process.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: { setup?: BareSetup; round?: true; end?: true }) => {
  if (message.setup) {
    setup = message.setup;
    cpuMark = process.cpuUsage();
    process.send!({ ready: true });
  } else if (message.round && setup) {
    round(setup).then(
      (result) => process.send!(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  } else if (message.end) {
    observer.disconnect();
    void agent.close().then(() => process.disconnect());
  }
});
