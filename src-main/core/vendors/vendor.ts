/**
 * What the vault knows of a vendor, behind one interface: where its API answers, how a key is sent,
 * the harmless requests (probes) that tell 401 from 403, and what a tenant of it must give. Adding a
 * vendor is adding a folder beside wallet-crew/ and airwallex/ that implements VendorDefinition, and
 * one line in vendors.ts; the checks, the vault and the front doors read it from there.
 */
import type { ProbeRisk } from '../../shared/check.ts';
import type { NewTenantInput, Provider } from '../../shared/contract.ts';
import type { Environment } from '../../shared/rules.ts';
import type { HttpClient, HttpOutcome } from '../http/http-client.ts';

/** A vendor a probe belongs to; `generic` is a pasted key sent in a header of the person's choosing. */
export type Vendor = Provider | 'generic';

export interface ProbeDefinition {
  id: string;
  vendor: Vendor;
  method: 'GET' | 'HEAD';
  /** Path under the base URL; `{tenantId}` and `{keyName}` are filled in. */
  path: string;
  /** The scope the probe needs, or null when unknown (custom probes may leave it out). */
  scope: string | null;
  risk: ProbeRisk;
  description: string;
  custom?: boolean;
}

/** How a key reaches the server: in a header, as a bearer token, or exchanged first (Airwallex's login). */
export type AuthMode = { kind: 'header'; name: string } | { kind: 'bearer' } | { kind: 'airwallex'; clientId: string; loginAs?: string };

/** A tenant as a vendor needs it to send its keys. */
export interface VendorTenant {
  clientId: string | null;
  loginAs: string | null;
}

/** What a login exchange gave: a short-lived token, or the refusal as the HTTP client saw it. */
export type Exchange = { ok: true; token: string } | { ok: false; outcome: HttpOutcome; url: string };

export interface VendorDefinition {
  id: Provider;
  /** Its name for a person: "The Wallet Crew". */
  name: string;
  baseUrls: Record<Exclude<Environment, 'custom'>, string>;
  /** The built-in probes, from the vendor's documentation. */
  probes: readonly ProbeDefinition[];
  /** Refuses (VaultError) what a new tenant of this vendor must give and did not, or must not give. */
  checkTenant(input: NewTenantInput): void;
  /** Why the vault cannot manage this vendor's keys on the server, and what to do instead; absent when it can (an admin API). */
  noAdminApi?: string;
  /**
   * A key of the vendor's shape that was never issued, made afresh for each negative control
   * (checks/negative-control.ts): random, so no server can hold it, and never stored.
   */
  impossibleKey(): string;
  /** How a stored key of a tenant of this vendor is sent. */
  auth(tenant: VendorTenant): AuthMode;
  /**
   * Exchanges a key for the short-lived token its requests carry (Airwallex's login); absent for a
   * vendor whose keys are sent as they are.
   */
  exchange?(http: HttpClient, base: string, auth: Extract<AuthMode, { kind: 'airwallex' }>, secret: string): Promise<Exchange>;
}

const RISK_ORDER: Record<ProbeRisk, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** Probes by risk, lowest first (a stable sort: the catalogue's order within a risk). */
export function byRisk(probes: readonly ProbeDefinition[]): ProbeDefinition[] {
  return [...probes].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk]);
}

/** True for probes that run only when asked for by id, and whose bodies are never stored or shown. */
export function isSensitive(probe: ProbeDefinition): boolean {
  return RISK_ORDER[probe.risk] >= RISK_ORDER.medium;
}

/**
 * The default probe for a key, as the vendor's guide says ("run a low-impact GET request that matches
 * the selected scopes"): the lowest-risk probe whose scope the key declares (`*` matches all),
 * medium-risk ones included (their bodies are read to the cap and dropped); high-risk ones run only
 * when named. With no probe for any declared scope, the lowest-risk probe runs, `matched` is false,
 * and a 403 there only proves that the key authenticates; `riskier` is then a high-risk probe that
 * would test a declared scope, if one does. Probes needing the key's own name are skipped when it is
 * unknown.
 */
export function defaultProbe(probes: readonly ProbeDefinition[], declaredScopes: readonly string[], knowsOwnName: boolean): { probe: ProbeDefinition; matched: boolean; riskier: ProbeDefinition | null } {
  const declared = (probe: ProbeDefinition) => probe.scope !== null && (declaredScopes.includes('*') || declaredScopes.includes(probe.scope));
  const usable = byRisk(probes.filter((probe) => probe.risk !== 'high' && (knowsOwnName || !probe.path.includes('{keyName}'))));
  const matching = usable.find(declared);
  if (matching) return { probe: matching, matched: true, riskier: null };
  const lowest = usable.find((probe) => !isSensitive(probe));
  if (!lowest) throw new Error('no usable probe');
  // A high-risk probe is never run unasked, but it may be the one that tests a declared scope: say so.
  return { probe: lowest, matched: false, riskier: probes.find((probe) => probe.risk === 'high' && declared(probe)) ?? null };
}

/** The probe path with its placeholders filled in, URL-encoded. */
export function probePath(probe: ProbeDefinition, values: { tenantId: string; keyName?: string }): string {
  return probe.path.replace('{tenantId}', encodeURIComponent(values.tenantId)).replace('{keyName}', encodeURIComponent(values.keyName ?? ''));
}
