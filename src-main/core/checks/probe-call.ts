/**
 * A probe aimed at a target, worked out before it is sent, and what a check records of itself:
 * the pieces a single check and a bulk run share (check-service.ts, bulk-run.ts).
 */
import type { CheckResult } from '../../shared/check.ts';
import { probePath, type AuthMode, type ProbeDefinition, type Vendor } from '../vendors/vendor.ts';
import type { ValidationEntry } from './check-store.ts';
import { refusalWord } from './server-word.ts';

/** Where and how a key is sent. */
export interface CheckTarget {
  baseUrl: string;
  tenantId: string;
  vendor: Vendor;
  auth: AuthMode;
  /** The key's own name on the server, for the api-key-self probe. */
  keyName?: string;
}

/** The header that carries a key sent as it is. */
export function secretHeaders(auth: Exclude<AuthMode, { kind: 'airwallex' }>, secret: string): Record<string, string> {
  return auth.kind === 'bearer' ? { authorization: `Bearer ${secret}` } : { [auth.name]: secret };
}

/** A probe aimed at a target: where the request goes, worked out before it is sent. */
export interface ProbeCall {
  target: CheckTarget;
  probe: ProbeDefinition;
  /** The base URL without a trailing slash. */
  base: string;
  url: string;
}

export function prepare(target: CheckTarget, probe: ProbeDefinition): ProbeCall {
  const base = target.baseUrl.replace(/\/+$/, '');
  return { target, probe, base, url: `${base}${probePath(probe, { tenantId: target.tenantId, ...(target.keyName ? { keyName: target.keyName } : {}) })}` };
}

/** What a check records of itself in the history (never the key). */
export function checkEntry(key: { id: string; tenant: string; name: string; fingerprint: string }, result: CheckResult, at: string): ValidationEntry {
  return {
    keyId: key.id,
    tenant: key.tenant,
    keyName: key.name,
    fingerprint: key.fingerprint,
    at,
    probe: result.probe.id,
    verdict: result.verdict,
    status: result.status,
    durationMs: result.durationMs,
    url: result.request.url,
    word: refusalWord(result),
  };
}

/**
 * A check given up because its run was stopped while it waited (a negative control's Retry-After):
 * it judged nothing, so the run neither records it nor counts it as checked.
 */
export class CheckStopped extends Error {
  constructor() {
    super('The run was stopped before this check could finish.');
    this.name = 'CheckStopped';
  }
}

/** Waits `ms`, or until `signal` aborts (a person stopping a run does not wait out a Retry-After). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How a key is sent, in words: "the X-API-KEY header", "a bearer token", "Airwallex's login exchange". */
export function howSent(auth: AuthMode): string {
  if (auth.kind === 'header') return `the ${auth.name} header`;
  if (auth.kind === 'bearer') return 'a bearer token (Authorization: Bearer)';
  return `Airwallex's login exchange, as client ${auth.clientId}${auth.loginAs ? ` acting for ${auth.loginAs}` : ''}`;
}

/** Whether two ways of sending a key are the same; header names regardless of case, as HTTP reads them. */
export function sameAuth(a: AuthMode, b: AuthMode): boolean {
  if (a.kind === 'header' && b.kind === 'header') return a.name.toLowerCase() === b.name.toLowerCase();
  if (a.kind === 'airwallex' && b.kind === 'airwallex') return a.clientId === b.clientId && (a.loginAs ?? null) === (b.loginAs ?? null);
  return a.kind === b.kind;
}
