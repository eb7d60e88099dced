/**
 * The negative control: before a 2xx (or a 403) counts as the server's judgement of a key, the vault
 * knows that the endpoint refuses a key that cannot exist. Once per (base URL, tenant, probe, way of
 * sending) it sends a freshly generated key of the vendor's shape, never issued and never kept, and
 * expects 401. A gateway, a mock, a base URL that is not the API or an endpoint without
 * authentication answers it 2xx: then the key's own 2xx proves nothing (verdict `inconclusive`).
 * A control that gets no usable answer (a 429, a 5xx, a timeout), even once tried again, confirms
 * nothing either: the key's 2xx or 403 is then inconclusive too, and never replaces its judgement.
 * (A bulk run stopped while its control waits to try again gives the check up instead: CheckStopped.)
 *
 * Controls are kept for a bounded time (CONTROL_TTL_MS) and shared by checks running at once, so a
 * bulk run sends one per tenant and probe. One that got no usable answer is not kept for single
 * checks (the next check tries again), and for a minute in a bulk run (FAILED_CONTROL_TTL_MS): a
 * busy moment early in a long run does not leave every later key of the tenant unconfirmed.
 */
import type { ControlOutcome } from '../../shared/check.ts';
import type { HttpOutcome } from '../http/http-client.ts';
import type { ProbeCall } from './check-service.ts';

/** How long a control's answer stands for single checks. */
export const CONTROL_TTL_MS = 10 * 60_000;

/** How long a control that could not be run stands in a bulk run, before a later check sends it again. */
export const FAILED_CONTROL_TTL_MS = 60_000;

/** How many times a control is sent before it counts as not run (the first try and two more). */
export const CONTROL_TRIES = 3;

/** The longest Retry-After a control waits out before its next try; a longer one leaves it not run. */
export const CONTROL_RETRY_AFTER_MAX_S = 10;

/** The control's outcome from what the endpoint answered the key that cannot exist. */
export function controlOutcome(outcome: HttpOutcome, at: string): ControlOutcome {
  if (outcome.kind === 'failure') return { state: 'failed', status: null, failure: outcome.failure === 'timeout' ? 'no answer in time' : outcome.code, at, reused: false };
  const status = outcome.status;
  // A 403 for a key that does not exist: the endpoint does not tell an unknown key from one that lacks a scope.
  if ((status >= 200 && status < 300) || status === 403) return { state: 'accepted', status, failure: null, at, reused: false };
  // No answer about the key yet: busy, failing, or out of time. Worth another try.
  if (transient(status)) return { state: 'failed', status, failure: null, at, reused: false };
  // Any other refusal (401, and a 3xx, 400 or 404 where the key got its answer): the endpoint tells keys apart.
  return { state: 'refused', status, failure: null, at, reused: false };
}

/** A status that says nothing yet: a timeout, a rate limit, a server failing. */
function transient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Where a control applies: the same request line, sent the same way. A probe that names the key
 * (`{keyName}`) is one request line whatever key it names: the control sent with the first key's
 * name stands for the others, so a bulk run sends one per tenant and probe, not one per key.
 */
export function controlKey(call: ProbeCall): string {
  const auth = call.target.auth;
  const how = auth.kind === 'header' ? `header:${auth.name.toLowerCase()}` : auth.kind === 'airwallex' ? `airwallex:${auth.clientId}:${auth.loginAs ?? ''}` : auth.kind;
  const line = call.probe.path.includes('{keyName}') ? `${call.base}${call.probe.path.replace('{tenantId}', encodeURIComponent(call.target.tenantId))}` : call.url;
  return `${call.probe.method} ${line}\n${how}`;
}

interface Entry {
  outcome: Promise<ControlOutcome>;
  /** The answer once it came, as checks that reuse it see it. */
  reused: ControlOutcome | null;
  /** Epoch ms after which the entry is sent again; Infinity for a run's own cache. */
  until: number;
}

/**
 * Controls by where they apply, each sent once while it stands; checks that need one while it is on
 * its way wait for the same answer.
 */
export class ControlCache {
  private readonly entries = new Map<string, Entry>();
  /** The entry of each request line already seen: a bulk run asks with the same ProbeCall objects, thousands of times. */
  private readonly byCall = new WeakMap<ProbeCall, string>();
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly now: () => number;

  /**
   * @param ttlMs how long an answer stands (Infinity: for the cache's life, a bulk run's)
   * @param failureTtlMs how long a control without a usable answer stands (0: it is sent again next time)
   */
  constructor(ttlMs: number, failureTtlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.failureTtlMs = failureTtlMs;
    this.now = now;
  }

  /**
   * The control standing for `call` once its answer has come, as a check that reuses it sees it;
   * null otherwise (then `get`). Synchronous: a bulk run's thousands of checks take the same answer
   * without a promise each.
   */
  answered(call: ProbeCall): ControlOutcome | null {
    const standing = this.entries.get(this.keyOf(call));
    return standing?.reused && standing.until > this.now() ? standing.reused : null;
  }

  /** The control for `call`: the one standing, or a new one sent with `send`. */
  async get(call: ProbeCall, send: () => Promise<ControlOutcome>): Promise<ControlOutcome> {
    const key = this.keyOf(call);
    const standing = this.entries.get(key);
    if (standing && standing.until > this.now()) {
      if (standing.reused) return standing.reused;
      const outcome = await standing.outcome;
      return (standing.reused ??= { ...outcome, reused: true });
    }
    const entry: Entry = { outcome: send(), reused: null, until: Infinity };
    this.entries.set(key, entry);
    let outcome: ControlOutcome;
    try {
      outcome = await entry.outcome;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
    const ttl = outcome.state === 'failed' ? this.failureTtlMs : this.ttlMs;
    if (ttl <= 0) this.entries.delete(key);
    else {
      entry.until = ttl === Infinity ? Infinity : this.now() + ttl;
      entry.reused = { ...outcome, reused: true };
    }
    return outcome;
  }

  private keyOf(call: ProbeCall): string {
    let key = this.byCall.get(call);
    if (key === undefined) this.byCall.set(call, (key = controlKey(call)));
    return key;
  }
}
