/**
 * Runs key checks: one probe for a stored or pasted key, a scope matrix, or every stored key at
 * once. Secrets come from the vault and go into one request header; results are recorded in the
 * inventory (the key's last verdict and its validation history), never with the secret.
 */
import type { BulkSummary, CheckResult, ScopeMatrix, ScopeVerdict } from '../../shared/check.ts';
import type { KeyRef, Tenant } from '../../shared/contract.ts';

export type { BulkSummary, ScopeMatrix, ScopeVerdict };
import { checkBaseUrl, checkName, checkSecret, looksLikeSecret, normalizeBaseUrl, WALLET_CREW_BASE_URLS } from '../../shared/rules.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { HttpClient, HttpOutcome, HttpRequest } from '../http/http-client.ts';
import type { CustomProbeRow, ValidationEntry } from '../inventory/inventory.ts';
import { Redactor } from '../redaction/redactor.ts';
import { fingerprint } from '../vault/fingerprint.ts';
import type { KeyToCheck, VaultService } from '../vault/vault-service.ts';
import { defaultProbe, probePath, probesFor, type ProbeDefinition, type Vendor } from './catalogue.ts';
import { NOTHING_KNOWN, type KeyKnowledge } from '../vault/key-knowledge.ts';
import { judge, verdictOf, type CheckContext } from './verdict.ts';

export type AuthMode = { kind: 'header'; name: string } | { kind: 'bearer' } | { kind: 'airwallex'; clientId: string; loginAs?: string };

/** Where and how a key is sent. */
export interface CheckTarget {
  baseUrl: string;
  tenantId: string;
  vendor: Vendor;
  auth: AuthMode;
  /** The key's own name on the server, for the api-key-self probe. */
  keyName?: string;
}

export interface BulkProgress {
  done: number;
  total: number;
  ref: KeyRef;
  result: CheckResult | null;
  error: string | null;
}


export function toProbe(row: CustomProbeRow): ProbeDefinition {
  return { id: row.id, vendor: row.vendor as Vendor, method: row.method, path: row.path, scope: row.scope, risk: row.risk, description: row.description, custom: true };
}

export class CheckService {
  private readonly http: HttpClient;
  private readonly vault: VaultService | null;
  /** Pause between scope-matrix probes, so a matrix never bursts at the server. */
  private readonly matrixIntervalMs: number;

  constructor(options: { http: HttpClient; vault?: VaultService; matrixIntervalMs?: number }) {
    this.http = options.http;
    this.vault = options.vault ?? null;
    this.matrixIntervalMs = options.matrixIntervalMs ?? 150;
  }

  /** The probes for a vendor, the user's own included. */
  probes(vendor: Vendor): ProbeDefinition[] {
    return probesFor(vendor, this.vault?.inventory.listCustomProbes().map(toProbe) ?? []);
  }

  /** Finds a probe by id, or says which exist. */
  probe(vendor: Vendor, id: string): ProbeDefinition {
    const probe = this.probes(vendor).find((candidate) => candidate.id === id);
    if (!probe) throw new VaultError('INVALID_INPUT', `No probe ${looksLikeSecret(id) ? 'by that name (not repeated here: it looks like a key)' : `"${id}"`} for ${vendor}; known probes: ${this.probes(vendor).map((p) => p.id).join(', ')}.`);
    return probe;
  }

  /**
   * Checks a key that is not stored (support staff pasting one). `redactor` carries the other
   * secrets in play in the caller's operation (a rotation's admin key, say).
   */
  async checkSecret(target: CheckTarget, secret: string, probe: ProbeDefinition | null, options: { redactor?: Redactor } = {}): Promise<CheckResult> {
    const print = fingerprint(secret);
    const vault = this.vault;
    const chosen = probe ? { probe, matched: true } : this.pastedProbe(target.vendor, print);
    return this.run(prepare(target, chosen.probe), secret, { fingerprint: print, key: null, fallback: !chosen.matched, know: () => vault?.knowledge().ofToken(print) ?? NOTHING_KNOWN, ...(options.redactor ? { redactor: options.redactor } : {}) });
  }

  /**
   * The probe for a pasted key when none is named. A key the vault already holds is checked with the
   * probe its declared scopes call for, as the stored entry would be (a healthy Pass.Read key is not
   * sent to a probe that needs tenant.core:read); another key with the lowest-risk probe.
   */
  private pastedProbe(vendor: Vendor, print: string): { probe: ProbeDefinition; matched: boolean } {
    const probes = this.probes(vendor === 'generic' ? 'wallet-crew' : vendor);
    const held = this.vault?.inventory.findKeysByFingerprint(print)[0];
    if (held) return defaultProbe(probes, JSON.parse(held.scopes) as string[], false);
    return { probe: probes[0]!, matched: true };
  }

  /**
   * Checks a pasted key from what a person gives: a named environment of The Wallet Crew or a base
   * URL, the tenant id, how the key is sent (X-API-KEY unless told otherwise), and a probe (the
   * lowest-risk one unless named). The key is used for this one request and kept nowhere.
   */
  async checkPasted(input: { environment?: 'production' | 'staging'; baseUrl?: string; tenantId: string; secret: string; auth?: { kind: 'header'; name: string } | { kind: 'bearer' }; probe?: string }): Promise<{ target: CheckTarget; result: CheckResult }> {
    if ((input.environment === undefined) === (input.baseUrl === undefined)) throw new VaultError('INVALID_INPUT', 'Give either an environment (production or staging) or a base URL.');
    let baseUrl: string;
    if (input.baseUrl !== undefined) {
      assertRule(checkBaseUrl(input.baseUrl));
      baseUrl = normalizeBaseUrl(input.baseUrl);
    } else {
      baseUrl = WALLET_CREW_BASE_URLS[input.environment!];
    }
    assertRule(checkName(input.tenantId, 'Tenant id'));
    assertRule(checkSecret(input.secret));
    const auth: AuthMode = input.auth?.kind === 'bearer' ? { kind: 'bearer' } : { kind: 'header', name: input.auth?.name ?? 'X-API-KEY' };
    if (auth.kind === 'header' && !/^[A-Za-z0-9-]{1,64}$/.test(auth.name)) throw new VaultError('INVALID_INPUT', 'The header name may hold letters, digits and dashes only, e.g. X-API-KEY.');
    const vendor: Vendor = auth.kind === 'header' && auth.name.toLowerCase() === 'x-api-key' ? 'wallet-crew' : 'generic';
    const probe = input.probe ? this.probe('wallet-crew', input.probe) : null;
    const target: CheckTarget = { baseUrl, tenantId: input.tenantId, vendor, auth };
    return { target, result: await this.checkSecret(target, input.secret, probe) };
  }

  /**
   * Checks a stored key with its default probe (or the one named) and records the result: its
   * history always, its last judgement unless the outcome says nothing about the key.
   */
  async checkStored(ref: KeyRef, options: { probeId?: string } = {}): Promise<CheckResult> {
    const vault = this.requireVault();
    const { key, tenant, secret } = await vault.keyForCheck(ref);
    const target = this.targetFor(tenant, key.remoteName ?? key.name);
    const chosen = options.probeId ? { probe: this.probe(target.vendor, options.probeId), matched: true } : defaultProbe(this.probes(target.vendor), key.scopes, true);
    const result = await this.run(prepare(target, chosen.probe), secret, { fingerprint: key.fingerprint, key: { ref, scopes: key.scopes }, fallback: !chosen.matched, know: () => vault.knowledge().of(key) });
    vault.recordChecks(vault.beginCheckRun('check'), [this.entry(key, result, vault.now())]);
    return result;
  }

  /**
   * One low-risk probe per scope the catalogue can test, one at a time: granted, denied or
   * untestable per scope, and the drift from the declared scopes.
   */
  async scopeMatrix(ref: KeyRef): Promise<ScopeMatrix> {
    const vault = this.requireVault();
    const { key, tenant, secret } = await vault.keyForCheck(ref);
    const target = this.targetFor(tenant, key.remoteName ?? key.name);
    const probes = this.probes(target.vendor);
    // The lowest-risk probe for each scope; high-risk probes (personal data, signing secrets) never.
    const testable = new Map<string, ProbeDefinition>();
    const byRisk = probes.filter((probe) => probe.risk !== 'high').sort((a, b) => RISKS.indexOf(a.risk) - RISKS.indexOf(b.risk));
    for (const probe of byRisk) if (probe.scope && !testable.has(probe.scope)) testable.set(probe.scope, probe);
    const scopes = new Set([...testable.keys(), ...key.scopes.filter((scope) => scope !== '*'), ...probes.map((p) => p.scope).filter((s): s is string => s !== null)]);
    const verdicts: ScopeVerdict[] = [];
    const results: CheckResult[] = [];
    let stoppedBy: CheckResult | null = null;
    const declared = (scope: string) => key.scopes.includes(scope) || key.scopes.includes('*');
    for (const scope of [...scopes].sort()) {
      const probe = testable.get(scope);
      if (!probe) {
        verdicts.push({ scope, state: 'untestable', probe: null, declared: declared(scope), note: probes.some((p) => p.scope === scope) ? 'only high-risk probes need this scope' : 'no probe needs this scope' });
        continue;
      }
      if (stoppedBy) {
        verdicts.push({ scope, state: 'untestable', probe: probe.id, declared: declared(scope), note: `not tried after ${stoppedBy.verdict}` });
        continue;
      }
      if (results.length > 0) await sleep(this.matrixIntervalMs);
      const call = prepare(target, probe);
      const know = () => vault.knowledge().of(key);
      const options = { fingerprint: key.fingerprint, key: { ref, scopes: key.scopes }, know };
      let result = await this.run(call, secret, options);
      if (result.verdict === 'throttled') {
        await sleep(Math.min(30, result.retryAfterSeconds ?? 2) * 1000);
        result = await this.run(call, secret, options);
      }
      results.push(result);
      if (result.verdict === 'valid') verdicts.push({ scope, state: 'granted', probe: probe.id, declared: declared(scope), note: null });
      else if (result.verdict === 'forbidden') verdicts.push({ scope, state: 'denied', probe: probe.id, declared: declared(scope), note: null });
      else {
        verdicts.push({ scope, state: 'untestable', probe: probe.id, declared: declared(scope), note: result.summary });
        if (result.verdict === 'unauthorized' || result.status === null) stoppedBy = result;
      }
    }
    if (results.length > 0) {
      // History only: a per-scope probe's result is not the key's verdict.
      const at = vault.now();
      vault.recordChecks(vault.beginCheckRun('matrix'), results.map((result) => this.entry(key, result, at)), { keyStatus: false });
    }
    return {
      key: { fingerprint: key.fingerprint },
      scopes: verdicts,
      missing: verdicts.filter((v) => v.state === 'denied' && key.scopes.includes(v.scope)).map((v) => v.scope),
      undeclared: verdicts.filter((v) => v.state === 'granted' && !declared(v.scope)).map((v) => v.scope),
      stoppedBy,
    };
  }

  /**
   * Checks every stored key (of one tenant, or all): at most `concurrency` at once and `perTenant`
   * per tenant, tenants taken in turn, backing off a tenant on Retry-After. Stopping (the signal)
   * lets running checks finish and keeps their results, recorded as one check run.
   */
  async checkAll(options: { tenant?: string; concurrency?: number; perTenant?: number; signal?: AbortSignal; onProgress?: (progress: BulkProgress) => void }): Promise<BulkSummary> {
    const vault = this.requireVault();
    const keys = vault.keysToCheck(options.tenant === undefined ? {} : { tenant: options.tenant });
    const concurrency = Math.max(1, options.concurrency ?? 8);
    const perTenant = Math.max(1, options.perTenant ?? Math.min(4, concurrency));
    const summary: BulkSummary = { total: keys.length, checked: 0, interrupted: false, byVerdict: {}, failures: [], problems: [] };
    const lanes = this.lanes(vault, keys);
    // Checks go into the inventory as they finish (see CheckRecorder); stopping keeps them all.
    const recorder = vault.recordBulkRun();
    // What the vault knows of a key is looked up only for the checks that need advice.
    const knowledge = vault.knowledge();
    let done = 0;

    /** The next key whose tenant has room and is not backing off, tenants in turn; or why there is none. */
    let turn = 0;
    const next = (): { lane: Lane; key: BulkKey } | 'wait' | null => {
      if (options.signal?.aborted) return null;
      let waiting = false;
      const now = Date.now();
      for (let step = 0; step < lanes.length; step += 1) {
        const lane = lanes[(turn + step) % lanes.length]!;
        if (lane.next >= lane.keys.length) continue;
        if (lane.running >= perTenant || lane.pausedUntil > now) {
          waiting = true;
          continue;
        }
        turn = (turn + step + 1) % lanes.length;
        return { lane, key: lane.keys[lane.next++]! };
      }
      return waiting ? 'wait' : null;
    };

    const worker = async () => {
      for (;;) {
        const picked = next();
        if (picked === null) return;
        if (picked === 'wait') {
          await sleep(25);
          continue;
        }
        const { lane, key } = picked;
        lane.running += 1;
        try {
          let result: CheckResult;
          for (let attempt = 0; ; attempt += 1) {
            const secret = await vault.secretOf(key);
            result = await this.run(key.call, secret, { fingerprint: key.fingerprint, key: { ref: { tenant: key.tenant, name: key.name }, scopes: key.scopes }, fallback: key.fallback, excerpts: 'failures', know: () => knowledge.of(key) });
            if (result.verdict !== 'throttled' || attempt === 2 || options.signal?.aborted) break;
            const wait = Math.min(30, result.retryAfterSeconds ?? 2) * 1000;
            lane.pausedUntil = Date.now() + wait;
            await sleep(wait);
          }
          recorder.add(this.entry(key, result, vault.now()));
          summary.checked += 1;
          summary.byVerdict[result.verdict] = (summary.byVerdict[result.verdict] ?? 0) + 1;
          const ref = { tenant: key.tenant, name: key.name };
          if (result.verdict !== 'valid' && result.verdict !== 'authenticated') summary.problems.push({ ref, result });
          options.onProgress?.({ done: ++done, total: keys.length, ref, result, error: null });
        } catch (error) {
          const message = error instanceof VaultError ? error.message : 'the check failed unexpectedly';
          const ref = { tenant: key.tenant, name: key.name };
          summary.failures.push({ ref, error: message });
          options.onProgress?.({ done: ++done, total: keys.length, ref, result: null, error: message });
        } finally {
          lane.running -= 1;
        }
      }
    };

    let finished = false;
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, keys.length)) }, worker));
      finished = true;
    } finally {
      // One audit entry for the run, with its last checks; each key's check is in its history.
      recorder.finish(finished ? () => vault.auditBulkCheck({ tenant: options.tenant ?? null, checked: summary.checked, byVerdict: summary.byVerdict }) : undefined);
    }
    summary.interrupted = (options.signal?.aborted ?? false) && summary.checked + summary.failures.length < keys.length;
    return summary;
  }

  /**
   * One lane per tenant: its keys, each with its default probe aimed at the tenant. A probe's request
   * line is worked out once per tenant, unless it names the key itself.
   */
  private lanes(vault: VaultService, keys: KeyToCheck[]): Lane[] {
    const tenants = new Map(vault.listTenants().map((tenant) => [tenant.alias, tenant]));
    const probesOf = new Map<Vendor, ProbeDefinition[]>();
    const probeFor = new Map<string, { probe: ProbeDefinition; matched: boolean }>();
    const lanes = new Map<string, Lane & { target: CheckTarget; calls: Map<string, ProbeCall> }>();
    for (const key of keys) {
      let lane = lanes.get(key.tenant);
      if (!lane) {
        const tenant = tenants.get(key.tenant)!;
        lane = { keys: [], next: 0, running: 0, pausedUntil: 0, target: this.targetFor(tenant), calls: new Map() };
        lanes.set(key.tenant, lane);
      }
      const vendor = lane.target.vendor;
      let probes = probesOf.get(vendor);
      if (!probes) probesOf.set(vendor, (probes = this.probes(vendor)));
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
      lane.keys.push({ ...key, call, fallback: !chosen.matched });
    }
    return [...lanes.values()];
  }

  /** Where a tenant's keys are checked, and how they are sent: X-API-KEY, or Airwallex's login exchange. */
  targetFor(tenant: Pick<Tenant, 'baseUrl' | 'tenantId' | 'provider' | 'clientId' | 'loginAs'>, keyName?: string): CheckTarget {
    const base = { baseUrl: tenant.baseUrl, tenantId: tenant.tenantId, ...(keyName === undefined ? {} : { keyName }) };
    if (tenant.provider === 'airwallex') return { ...base, vendor: 'airwallex', auth: { kind: 'airwallex', clientId: tenant.clientId ?? '', ...(tenant.loginAs ? { loginAs: tenant.loginAs } : {}) } };
    return { ...base, vendor: 'wallet-crew', auth: { kind: 'header', name: 'X-API-KEY' } };
  }

  private entry(key: { id: string; tenant: string; name: string; fingerprint: string }, result: CheckResult, at: string): ValidationEntry {
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
    };
  }

  /** Airwallex's login exchange: the key and client id for a short-lived bearer token. */
  private async login(base: string, auth: Extract<AuthMode, { kind: 'airwallex' }>, secret: string): Promise<{ ok: true; token: string } | { ok: false; outcome: HttpOutcome; url: string }> {
    const request: HttpRequest = {
      method: 'POST',
      url: `${base}/api/v1/authentication/login`,
      headers: { 'x-client-id': auth.clientId, ...(auth.loginAs ? { 'x-login-as': auth.loginAs } : {}) },
      secretHeaders: { 'x-api-key': secret },
    };
    const exchanged = await this.http.send(request);
    if (exchanged.kind === 'failure' || exchanged.status < 200 || exchanged.status >= 300) return { ok: false, outcome: exchanged, url: request.url };
    let token: unknown;
    try {
      token = (JSON.parse(exchanged.body.toString('utf8')) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token.length === 0) return { ok: false, outcome: { ...exchanged, status: 502 }, url: request.url };
    return { ok: true, token };
  }

  /**
   * A short-lived bearer token for a stored Airwallex key (what `exec` hands a program instead of
   * the long-lived key). It lives in memory only, as long as the caller keeps it.
   */
  async bearerToken(tenant: Pick<Tenant, 'baseUrl' | 'tenantId' | 'provider' | 'clientId' | 'loginAs' | 'alias'>, secret: string): Promise<string> {
    const target = this.targetFor(tenant);
    if (target.auth.kind !== 'airwallex') throw new VaultError('INVALID_INPUT', `${tenant.alias} is not an Airwallex tenant: its keys are used as they are.`);
    const login = await this.login(target.baseUrl.replace(/\/+$/, ''), target.auth, secret);
    if (login.ok) return login.token;
    const status = login.outcome.kind === 'response' ? `${login.outcome.status}` : login.outcome.message;
    throw new VaultError('REMOTE_FAILED', `Airwallex's login exchange refused the key of ${tenant.alias} (${status}): check the client id, the account to act as, and that the key was not regenerated since.`, { remedies: [{ code: 'check-login-credentials' }] });
  }

  private requireVault(): VaultService {
    if (!this.vault) throw new Error('this CheckService has no vault');
    return this.vault;
  }

  /**
   * Sends the probe with the key in its header (after a login exchange for Airwallex-style keys) and
   * judges the answer. What the vault knows of the key (`know`) is looked up only when the answer
   * is not a plain success: that is when advice needs it.
   */
  private async run(
    call: ProbeCall,
    secret: string,
    options: {
      fingerprint: string;
      /** The stored entry checked and its declared scopes; null for a pasted key. */
      key: { ref: KeyRef; scopes: string[] } | null;
      know: () => KeyKnowledge;
      fallback?: boolean;
      excerpts?: CheckContext['excerpts'];
      redactor?: Redactor;
    },
  ): Promise<CheckResult> {
    const { target, probe, base, url } = call;
    const redactor = options.redactor ? options.redactor.with(secret) : new Redactor([secret]);
    const context: CheckContext = {
      probe,
      request: { method: probe.method, url },
      tenantId: target.tenantId,
      baseUrl: base,
      redactor,
      known: NOTHING_KNOWN,
      fingerprint: options.fingerprint,
      ...(options.fallback ? { fallback: true } : {}),
      ...(options.excerpts ? { excerpts: options.excerpts } : {}),
    };
    const own = { ref: options.key?.ref ?? null, declaredScopes: options.key?.scopes ?? null };
    const decide = (outcome: HttpOutcome, extra: Partial<CheckContext> = {}) => {
      const known: KeyKnowledge = outcome.kind === 'response' && verdictOf(outcome) === 'valid' ? { ...NOTHING_KNOWN, ...own } : { ...options.know(), ...own };
      return judge(outcome, { ...context, ...extra, known });
    };
    let secretHeaders: Record<string, string>;
    if (target.auth.kind === 'airwallex') {
      const login = await this.login(base, target.auth, secret);
      if (!login.ok) return decide(login.outcome, { request: { method: 'POST', url: login.url }, atLogin: true });
      // The short-lived token is a secret in play too: the server may echo it.
      redactor.add(login.token);
      secretHeaders = { authorization: `Bearer ${login.token}` };
    } else if (target.auth.kind === 'bearer') {
      secretHeaders = { authorization: `Bearer ${secret}` };
    } else {
      secretHeaders = { [target.auth.name]: secret };
    }
    const outcome = await this.http.send({ method: probe.method, url, secretHeaders });
    return decide(outcome);
  }
}

const RISKS = ['none', 'low', 'medium', 'high'];

/** A probe aimed at a target: where the request goes, worked out before it is sent. */
interface ProbeCall {
  target: CheckTarget;
  probe: ProbeDefinition;
  /** The base URL without a trailing slash. */
  base: string;
  url: string;
}

function prepare(target: CheckTarget, probe: ProbeDefinition): ProbeCall {
  const base = target.baseUrl.replace(/\/+$/, '');
  return { target, probe, base, url: `${base}${probePath(probe, { tenantId: target.tenantId, ...(target.keyName ? { keyName: target.keyName } : {}) })}` };
}

type BulkKey = KeyToCheck & { call: ProbeCall; fallback: boolean };

interface Lane {
  keys: BulkKey[];
  /** Index of the next key to check. */
  next: number;
  running: number;
  /** Epoch ms until which the tenant is backing off (Retry-After). */
  pausedUntil: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

