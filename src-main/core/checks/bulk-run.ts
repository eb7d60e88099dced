/**
 * A bulk run: every stored key (of one tenant, or all) checked with its default probe, at most
 * `concurrency` at once and `perTenant` per tenant, tenants taken in turn, a tenant backing off on
 * Retry-After. Checks go into the inventory as they finish (CheckRecorder); stopping (the signal)
 * lets running checks finish, without waiting out a Retry-After, and keeps their results, recorded
 * as one check run.
 */
import type { BulkSummary, CheckResult } from '../../shared/check.ts';
import type { KeyRef } from '../../shared/contract.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import { VaultError } from '../errors.ts';
import type { KeyService, KeyToCheck } from '../keys/key-service.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { defaultProbe, type ProbeDefinition, type Vendor } from '../vendors/vendor.ts';
import { checkEntry, prepare, sleep, type CheckService, type CheckTarget, type ProbeCall } from './check-service.ts';
import { CheckStopped } from './probe-call.ts';
import { ControlCache, FAILED_CONTROL_TTL_MS } from './negative-control.ts';

export interface BulkProgress {
  done: number;
  total: number;
  ref: KeyRef;
  result: CheckResult | null;
  error: string | null;
}

export interface BulkOptions {
  tenant?: string;
  /** Only keys never judged, or last judged before this ISO time (a scheduled round's stale ones). */
  judgedBefore?: string;
  concurrency?: number;
  perTenant?: number;
  signal?: AbortSignal;
  onProgress?: (progress: BulkProgress) => void;
}

/** What a bulk run reads and records through. */
export interface BulkVault {
  keys: KeyService;
  tenants: TenantService;
  audit: AuditService;
  stamps: Stamps;
}

/**
 * Checks every stored key (of one tenant, or all): at most `concurrency` at once and `perTenant`
 * per tenant, tenants taken in turn, backing off a tenant on Retry-After. Stopping (the signal)
 * lets running checks finish and keeps their results, recorded as one check run. A key stopped
 * while it waited out a Retry-After keeps its answer (throttled); one whose negative control was
 * waiting is given up, neither recorded nor counted (the run then says it was interrupted).
 */
export async function runBulk(checks: CheckService, vault: BulkVault, options: BulkOptions): Promise<BulkSummary> {
  const keys = vault.keys.toCheck({ ...(options.tenant === undefined ? {} : { tenant: options.tenant }), ...(options.judgedBefore === undefined ? {} : { judgedBefore: options.judgedBefore }) });
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const perTenant = Math.max(1, options.perTenant ?? Math.min(4, concurrency));
  const summary: BulkSummary = { total: keys.length, checked: 0, interrupted: false, byVerdict: {}, failures: [], problems: [] };
  const lanes = planLanes(checks, vault, keys);
  // Checks go into the inventory as they finish (see CheckRecorder); stopping keeps them all.
  const recorder = checks.recordBulkRun();
  // What the vault knows of a key is looked up only for the checks that need advice.
  const knowledge = checks.knowledge();
  // One negative control per tenant and probe for the whole run, and one lookup per refused key.
  const controls = new ControlCache(Infinity, FAILED_CONTROL_TTL_MS);
  const asker = checks.serverAsker();
  let done = 0;

  /** The next key whose tenant has room and is not backing off, tenants in turn; or how long to wait for one (ms), or null when none is left. */
  let turn = 0;
  const next = (): { lane: Lane; key: BulkKey } | number | null => {
    if (options.signal?.aborted) return null;
    let wait: number | null = null;
    const now = Date.now();
    for (let step = 0; step < lanes.length; step += 1) {
      const lane = lanes[(turn + step) % lanes.length]!;
      if (lane.next >= lane.keys.length) continue;
      if (lane.running >= perTenant || lane.pausedUntil > now) {
        // A busy lane frees when one of its checks ends (release wakes the waiters); a paused one at its time.
        const until = lane.running >= perTenant ? Infinity : lane.pausedUntil - now;
        wait = wait === null ? until : Math.min(wait, until);
        continue;
      }
      turn = (turn + step + 1) % lanes.length;
      return { lane, key: lane.keys[lane.next++]! };
    }
    return wait;
  };
  // Workers with nothing to take wait for a lane to free, not on a timer: a lane's next key starts as its last check ends.
  const waiters: (() => void)[] = [];
  // Every waiter is woken: the one finishing usually takes its lane's next key itself, and a waiter
  // woken for nothing waits again; woken one at a time, a waiter could be left waiting for ever.
  const release = (lane: Lane) => {
    lane.running -= 1;
    for (const wake of waiters.splice(0)) wake();
  };
  const waitForRoom = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        const index = waiters.indexOf(wake);
        if (index >= 0) waiters.splice(index, 1);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = ms === Infinity ? null : setTimeout(wake, Math.max(1, ms));
      options.signal?.addEventListener('abort', wake, { once: true });
      waiters.push(wake);
    });

  const worker = async () => {
    for (;;) {
      const picked = next();
      if (picked === null) return;
      if (typeof picked === 'number') {
        await waitForRoom(picked);
        continue;
      }
      const { lane, key } = picked;
      lane.running += 1;
      let released = false;
      try {
        let result: CheckResult;
        for (let attempt = 0; ; attempt += 1) {
          const secret = await vault.keys.secretOf(key);
          result = await checks.runProbe(key.call, secret, {
            fingerprint: key.fingerprint,
            key: { ref: { tenant: key.tenant, name: key.name }, scopes: key.scopes },
            fallback: key.fallback,
            riskier: key.riskier,
            excerpts: 'failures',
            know: () => knowledge.of(key),
            controls,
            askServer: (known, redactor) => asker.wordOn(key, known, redactor),
            signal: options.signal,
          });
          if (result.verdict !== 'throttled' || attempt === 2 || options.signal?.aborted) break;
          const wait = Math.min(30, result.retryAfterSeconds ?? 2) * 1000;
          lane.pausedUntil = Date.now() + wait;
          // Stopped during the wait: the key stays throttled, and is not sent again.
          await sleep(wait, options.signal);
          if (options.signal?.aborted) break;
        }
        // The tenant's next key may go out while this one is recorded.
        released = true;
        release(lane);
        recorder.add(checkEntry(key, result, vault.stamps.now()));
        summary.checked += 1;
        summary.byVerdict[result.verdict] = (summary.byVerdict[result.verdict] ?? 0) + 1;
        const ref = { tenant: key.tenant, name: key.name };
        if (result.verdict !== 'valid' && result.verdict !== 'authenticated') summary.problems.push({ ref, result });
        options.onProgress?.({ done: ++done, total: keys.length, ref, result, error: null });
      } catch (error) {
        // Given up because the run was stopped: nothing was judged, nothing is recorded.
        if (error instanceof CheckStopped) continue;
        const message = error instanceof VaultError ? error.message : 'the check failed unexpectedly';
        const ref = { tenant: key.tenant, name: key.name };
        summary.failures.push({ ref, error: message });
        options.onProgress?.({ done: ++done, total: keys.length, ref, result: null, error: message });
      } finally {
        if (!released) release(lane);
      }
    }
  };

  let finished = false;
  try {
    // More workers than the lanes can take at once would only wait.
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, keys.length, lanes.length * perTenant)) }, worker));
    finished = true;
  } finally {
    // One audit entry for the run, with its last checks; each key's check is in its history.
    recorder.finish(finished ? () => vault.audit.record('validated', { ...(options.tenant ? { tenant: options.tenant } : {}), detail: { bulk: true, checked: summary.checked, byVerdict: summary.byVerdict } }) : undefined);
  }
  summary.interrupted = (options.signal?.aborted ?? false) && summary.checked + summary.failures.length < keys.length;
  return summary;
}

/**
 * One lane per tenant: its keys, each with its default probe aimed at the tenant. A probe's request
 * line is worked out once per tenant, unless it names the key itself.
 */
function planLanes(checks: CheckService, vault: BulkVault, keys: KeyToCheck[]): Lane[] {
  const tenants = new Map(vault.tenants.list().map((tenant) => [tenant.alias, tenant]));
  const probesOf = new Map<Vendor, ProbeDefinition[]>();
  const probeFor = new Map<string, ReturnType<typeof defaultProbe>>();
  const lanes = new Map<string, Lane & { target: CheckTarget; calls: Map<string, ProbeCall> }>();
  for (const key of keys) {
    let lane = lanes.get(key.tenant);
    if (!lane) {
      const tenant = tenants.get(key.tenant)!;
      lane = { keys: [], next: 0, running: 0, pausedUntil: 0, target: checks.targetFor(tenant), calls: new Map() };
      lanes.set(key.tenant, lane);
    }
    const vendor = lane.target.vendor;
    let probes = probesOf.get(vendor);
    if (!probes) probesOf.set(vendor, (probes = checks.probes(vendor)));
    const scopes = `${vendor}\n${key.scopes.join(',')}`;
    let chosen = probeFor.get(scopes);
    if (!chosen) probeFor.set(scopes, (chosen = defaultProbe(probes, key.scopes, true)));
    const probe = chosen.probe;
    let call: ProbeCall | undefined;
    if (probe.path.includes('{keyName}')) {
      call = prepare({ ...lane.target, keyName: key.remoteName }, probe);
    } else {
      call = lane.calls.get(probe.id);
      if (!call) lane.calls.set(probe.id, (call = prepare(lane.target, probe)));
    }
    lane.keys.push({ ...key, call, fallback: !chosen.matched, riskier: chosen.riskier });
  }
  return [...lanes.values()];
}

type BulkKey = KeyToCheck & { call: ProbeCall; fallback: boolean; riskier: ProbeDefinition | null };

interface Lane {
  keys: BulkKey[];
  /** Index of the next key to check. */
  next: number;
  running: number;
  /** Epoch ms until which the tenant is backing off (Retry-After). */
  pausedUntil: number;
}
