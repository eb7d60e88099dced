/**
 * Runs key checks: one probe for a stored or pasted key, a scope matrix, or every stored key at
 * once. Secrets come from the vault and go into one request header; results are recorded in the
 * inventory (the key's last verdict and its validation history), never with the secret.
 */
import type { BulkSummary, CheckResult, ControlOutcome, ScopeMatrix, ScopeVerdict, ServerWord } from '../../shared/check.ts';
import type { KeyRef, KeySummary, Tenant } from '../../shared/contract.ts';
import { checkBaseUrl, checkName, checkSecret, looksLikeSecret, normalizeBaseUrl } from '../../shared/rules.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Stamps } from '../clock.ts';
import type { Connection } from '../db/connection.ts';
import { assertRule, VaultError } from '../errors.ts';
import type { VaultEvents } from '../events.ts';
import { retryAfterSeconds, type HttpClient, type HttpOutcome } from '../http/http-client.ts';
import { fingerprint } from '../keys/fingerprint.ts';
import type { KeyService } from '../keys/key-service.ts';
import { Redactor } from '../redaction/redactor.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import { byRisk, defaultProbe, type AuthMode, type ProbeDefinition, type Vendor } from '../vendors/vendor.ts';
import { probesFor, vendorOf } from '../vendors/vendors.ts';
import { API_KEY_HEADER, walletCrew } from '../vendors/wallet-crew/wallet-crew.ts';
import { runBulk, type BulkOptions, type BulkProgress } from './bulk-run.ts';
import { CheckStopped, checkEntry, howSent, prepare, sameAuth, secretHeaders, sleep, type CheckTarget, type ProbeCall } from './probe-call.ts';
import { CheckRecorder, writeChecks, type CheckLog, type CheckRun, type RecorderTiming } from './check-recorder.ts';
import { CheckStore, type CheckRunKind, type CustomProbeRow, type ValidationEntry, type ValidationRecord } from './check-store.ts';
import { addCustomProbe, type NewProbeInput } from './custom-probes.ts';
import { NOTHING_KNOWN, vaultKnowledge, type KeyKnowledge, type KnowledgeSource } from './key-knowledge.ts';
import { ControlCache, CONTROL_RETRY_AFTER_MAX_S, CONTROL_TRIES, CONTROL_TTL_MS, controlOutcome } from './negative-control.ts';
import { ServerAsker } from './server-word.ts';
import { judge, verdictOf, type CheckContext } from './verdict.ts';

export type { AuthMode, BulkProgress, BulkSummary, ScopeMatrix, ScopeVerdict };

/** The vault a check service records into; without one, it checks pasted keys only. */
export interface CheckVault {
  db: Connection;
  stamps: Stamps;
  audit: AuditService;
  tenants: TenantService;
  keys: KeyService;
  admin: AdminService;
  events: VaultEvents;
}

export function toProbe(row: CustomProbeRow): ProbeDefinition {
  return { id: row.id, vendor: row.vendor as Vendor, method: row.method, path: row.path, scope: row.scope, risk: row.risk, description: row.description, custom: true };
}

export class CheckService {
  private readonly http: HttpClient;
  private readonly vault: (CheckVault & { store: CheckStore; log: CheckLog }) | null;
  /** Pause between scope-matrix probes, so a matrix never bursts at the server. */
  private readonly matrixIntervalMs: number;
  /** Negative controls of single checks, each standing for CONTROL_TTL_MS (a bulk run keeps its own). */
  readonly controls: ControlCache;

  constructor(options: { http: HttpClient; vault?: CheckVault; matrixIntervalMs?: number }) {
    this.http = options.http;
    if (options.vault) {
      const store = new CheckStore(options.vault.db);
      this.vault = { ...options.vault, store, log: { store, keys: options.vault.keys, audit: options.vault.audit } };
    } else {
      this.vault = null;
    }
    this.matrixIntervalMs = options.matrixIntervalMs ?? 150;
    this.controls = new ControlCache(CONTROL_TTL_MS, 0);
  }

  /** The probes for a vendor, the user's own included. */
  probes(vendor: Vendor): ProbeDefinition[] {
    return probesFor(vendor, this.vault?.store.listCustomProbes().map(toProbe) ?? []);
  }

  /** Adds a probe of the person's own (GET or HEAD, a path under the base URL). */
  addProbe(input: NewProbeInput): CustomProbeRow {
    return addCustomProbe(this.requireVault().store, input);
  }

  /** Removes a probe of the person's own; false when there is none of that id (built-in probes stay). */
  removeProbe(id: string): boolean {
    return this.requireVault().store.deleteCustomProbe(id);
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
  async checkSecret(target: CheckTarget, secret: string, probe: ProbeDefinition | null, options: { redactor?: Redactor; asEntry?: boolean } = {}): Promise<CheckResult> {
    const print = fingerprint(secret);
    const vault = this.vault;
    const redactor = options.redactor ? { redactor: options.redactor } : {};
    // `asEntry` (a person pasting a key): the very entry, against its own tenant, is judged as that
    // entry (what the vault knows of it, the server's word); nothing is recorded, as for any paste.
    const entry = options.asEntry ? this.entryFor(target, print) : null;
    if (entry) {
      const chosen = probe ? { probe, matched: true, riskier: null } : defaultProbe(this.probes(target.vendor), entry.scopes, true);
      const asker = this.serverAsker();
      const ref = { tenant: entry.tenant, name: entry.name };
      return this.runProbe(prepare({ ...target, keyName: entry.remoteName }, chosen.probe), secret, { fingerprint: print, key: { ref, scopes: entry.scopes }, fallback: !chosen.matched, riskier: chosen.riskier, know: () => this.knowledge().of(entry), askServer: (known, words) => asker.wordOn(entry, known, words), ...redactor });
    }
    const chosen = probe ? { probe, matched: true } : this.pastedProbe(target.vendor, print);
    return this.runProbe(prepare(target, chosen.probe), secret, { fingerprint: print, key: null, fallback: !chosen.matched, know: () => (vault ? this.sentOtherwise(target, this.knowledge().ofToken(print)) : NOTHING_KNOWN), ...redactor });
  }

  /**
   * A pasted key held by an entry of this very tenant id, at another base URL of the same host or sent
   * another way (a header, a bearer token): its advice says where or how its entry sends it, not that
   * it belongs elsewhere (another host is another environment: production and staging share ids).
   */
  private sentOtherwise(target: CheckTarget, known: KeyKnowledge): KeyKnowledge {
    if (!this.vault || known.elsewhere.length === 0) return known;
    const tenants = this.vault.tenants;
    const elsewhere = known.elsewhere.map((twin) => {
      const own = this.targetFor(tenants.require(twin.holder.tenant));
      const [ownUrl, urlHere] = [normalizeBaseUrl(own.baseUrl), normalizeBaseUrl(target.baseUrl)];
      if (own.tenantId !== target.tenantId || (ownUrl === urlHere && sameAuth(own.auth, target.auth))) return twin;
      if (ownUrl !== urlHere) return new URL(ownUrl).origin === new URL(urlHere).origin ? { ...twin, baseUrl: ownUrl, baseUrlHere: urlHere } : twin;
      return { ...twin, sentAs: howSent(own.auth), sentHere: howSent(target.auth) };
    });
    return { ...known, elsewhere };
  }

  /** The stored entry whose key this is, when it belongs to this very tenant (same base URL, tenant id and way of sending); else null. */
  entryFor(target: CheckTarget, print: string): KeySummary | null {
    if (!this.vault) return null;
    for (const held of this.vault.keys.byFingerprint(print)) {
      const tenant = this.vault.tenants.require(held.tenant);
      const own = this.targetFor(tenant);
      if (normalizeBaseUrl(own.baseUrl) === normalizeBaseUrl(target.baseUrl) && own.tenantId === target.tenantId && sameAuth(own.auth, target.auth)) return held;
    }
    return null;
  }

  /**
   * The probe for a pasted key when none is named. A key the vault already holds is checked with the
   * probe its declared scopes call for, as the stored entry would be (a healthy Pass.Read key is not
   * sent to a probe that needs tenant.core:read); another key with the lowest-risk probe.
   */
  private pastedProbe(vendor: Vendor, print: string): { probe: ProbeDefinition; matched: boolean } {
    const probes = this.probes(vendor === 'generic' ? 'wallet-crew' : vendor);
    const held = this.vault?.keys.byFingerprint(print)[0];
    if (held) return defaultProbe(probes, held.scopes, false);
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
      baseUrl = walletCrew.baseUrls[input.environment!];
    }
    assertRule(checkName(input.tenantId, 'Tenant id'));
    assertRule(checkSecret(input.secret));
    const auth: AuthMode = input.auth?.kind === 'bearer' ? { kind: 'bearer' } : { kind: 'header', name: input.auth?.name ?? API_KEY_HEADER };
    if (auth.kind === 'header' && !/^[A-Za-z0-9-]{1,64}$/.test(auth.name)) throw new VaultError('INVALID_INPUT', 'The header name may hold letters, digits and dashes only, e.g. X-API-KEY.');
    const vendor: Vendor = auth.kind === 'header' && auth.name.toLowerCase() === API_KEY_HEADER.toLowerCase() ? 'wallet-crew' : 'generic';
    const probe = input.probe ? this.probe('wallet-crew', input.probe) : null;
    const target: CheckTarget = { baseUrl, tenantId: input.tenantId, vendor, auth };
    return { target, result: await this.checkSecret(target, input.secret, probe, { asEntry: true }) };
  }

  /**
   * Checks a stored key with its default probe (or the one named) and records the result: its
   * history always, its last judgement unless the outcome says nothing about the key.
   */
  async checkStored(ref: KeyRef, options: { probeId?: string } = {}): Promise<CheckResult> {
    const vault = this.requireVault();
    const { key, tenant, secret } = await vault.keys.forCheck(ref);
    const target = this.targetFor(tenant, key.remoteName);
    const chosen = options.probeId ? { probe: this.probe(target.vendor, options.probeId), matched: true, riskier: null } : defaultProbe(this.probes(target.vendor), key.scopes, true);
    const asker = this.serverAsker();
    const result = await this.runProbe(prepare(target, chosen.probe), secret, {
      fingerprint: key.fingerprint,
      key: { ref, scopes: key.scopes },
      fallback: !chosen.matched,
      riskier: chosen.riskier,
      know: () => this.knowledge().of(key),
      askServer: (known, redactor) => asker.wordOn(key, known, redactor),
    });
    this.recordChecks(this.beginRun('check'), [checkEntry(key, result, vault.stamps.now())]);
    vault.events.changed('key checked');
    return result;
  }

  /**
   * One low-risk probe per scope the catalogue can test, one at a time: granted, denied or
   * untestable per scope, and the drift from the declared scopes.
   */
  async scopeMatrix(ref: KeyRef): Promise<ScopeMatrix> {
    const vault = this.requireVault();
    const { key, tenant, secret } = await vault.keys.forCheck(ref);
    const target = this.targetFor(tenant, key.remoteName);
    const probes = this.probes(target.vendor);
    // The lowest-risk probe for each scope; high-risk probes (personal data, signing secrets) never.
    const testable = new Map<string, ProbeDefinition>();
    for (const probe of byRisk(probes.filter((candidate) => candidate.risk !== 'high'))) if (probe.scope && !testable.has(probe.scope)) testable.set(probe.scope, probe);
    const scopes = new Set([...testable.keys(), ...key.scopes.filter((scope) => scope !== '*'), ...probes.map((p) => p.scope).filter((s): s is string => s !== null)]);
    const verdicts: ScopeVerdict[] = [];
    const results: CheckResult[] = [];
    const inconclusive: string[] = [];
    let control: ControlOutcome | null = null;
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
      const know = () => this.knowledge().of(key);
      const options = { fingerprint: key.fingerprint, key: { ref, scopes: key.scopes }, know };
      let result = await this.runProbe(call, secret, options);
      if (result.verdict === 'throttled') {
        await sleep(Math.min(30, result.retryAfterSeconds ?? 2) * 1000);
        result = await this.runProbe(call, secret, options);
      }
      results.push(result);
      if (result.verdict === 'valid') verdicts.push({ scope, state: 'granted', probe: probe.id, declared: declared(scope), note: null });
      else if (result.verdict === 'forbidden') verdicts.push({ scope, state: 'denied', probe: probe.id, declared: declared(scope), note: null });
      else {
        verdicts.push({ scope, state: 'untestable', probe: probe.id, declared: declared(scope), note: result.summary });
        if (result.verdict === 'inconclusive') {
          inconclusive.push(scope);
          control = result.control;
        }
        if (result.verdict === 'unauthorized' || result.status === null) stoppedBy = result;
      }
    }
    if (results.length > 0) {
      // History only: a per-scope probe's result is not the key's verdict.
      const at = vault.stamps.now();
      this.recordChecks(this.beginRun('matrix'), results.map((result) => checkEntry(key, result, at)), { keyStatus: false });
    }
    return {
      key: { fingerprint: key.fingerprint },
      scopes: verdicts,
      missing: verdicts.filter((v) => v.state === 'denied' && key.scopes.includes(v.scope)).map((v) => v.scope),
      undeclared: verdicts.filter((v) => v.state === 'granted' && !declared(v.scope)).map((v) => v.scope),
      stoppedBy,
      inconclusive,
      control,
    };
  }

  /** Where a tenant's keys are checked, and how they are sent: as its vendor says (X-API-KEY, or Airwallex's login exchange). */
  targetFor(tenant: Pick<Tenant, 'baseUrl' | 'tenantId' | 'provider' | 'clientId' | 'loginAs'>, keyName?: string): CheckTarget {
    const vendor = vendorOf(tenant.provider) ?? walletCrew;
    return { baseUrl: tenant.baseUrl, tenantId: tenant.tenantId, ...(keyName === undefined ? {} : { keyName }), vendor: vendor.id, auth: vendor.auth(tenant) };
  }


  /**
   * A short-lived bearer token for a stored Airwallex key (what `exec` hands a program instead of
   * the long-lived key). It lives in memory only, as long as the caller keeps it.
   */
  async bearerToken(tenant: Pick<Tenant, 'baseUrl' | 'tenantId' | 'provider' | 'clientId' | 'loginAs' | 'alias'>, secret: string): Promise<string> {
    const target = this.targetFor(tenant);
    const exchange = vendorOf(tenant.provider)?.exchange;
    if (target.auth.kind !== 'airwallex' || !exchange) throw new VaultError('INVALID_INPUT', `${tenant.alias} is not an Airwallex tenant: its keys are used as they are.`);
    const login = await exchange(this.http, target.baseUrl.replace(/\/+$/, ''), target.auth, secret);
    if (login.ok) return login.token;
    const status = login.outcome.kind === 'response' ? `${login.outcome.status}` : login.outcome.message;
    throw new VaultError('REMOTE_FAILED', `Airwallex's login exchange refused the key of ${tenant.alias} (${status}): check the client id, the account to act as, and that the key was not regenerated since.`, { remedies: [{ code: 'check-login-credentials' }] });
  }

  /**
   * Checks every stored key (of one tenant, or all): at most `concurrency` at once and `perTenant`
   * per tenant, tenants taken in turn, backing off a tenant on Retry-After (bulk-run.ts). Stopping
   * (the signal) lets running checks finish and keeps their results, recorded as one check run.
   */
  async checkAll(options: BulkOptions): Promise<BulkSummary> {
    const vault = this.requireVault();
    try {
      return await runBulk(this, vault, options);
    } finally {
      vault.events.changed('keys checked');
    }
  }

  /** A key's check history, oldest first. */
  history(ref: KeyRef): ValidationRecord[] {
    const vault = this.requireVault();
    return vault.store.history(vault.keys.show(ref).id);
  }

  /** Asks the admin API about refused keys, each once for the operation that makes it (a check, a bulk run). */
  serverAsker(): ServerAsker {
    return new ServerAsker(this.requireVault());
  }

  /** What the vault knows about keys, for a check's advice; one source per operation. */
  knowledge(): KnowledgeSource {
    const vault = this.requireVault();
    return vaultKnowledge(vault, vault.stamps.today());
  }

  /** A check run about to record its checks; nothing is written until its first checks are. */
  beginRun(kind: CheckRunKind): CheckRun {
    return { kind, startedAt: this.requireVault().stamps.now(), id: null };
  }

  /**
   * Records finished checks of a run, each with the time it finished, in one transaction; the run's
   * own row goes in with its first checks. `auditEach` adds an audit entry per check (a bulk run has
   * one for the whole run).
   */
  recordChecks(run: CheckRun, entries: ValidationEntry[], options: { auditEach?: boolean; keyStatus?: boolean } = {}): void {
    if (entries.length === 0) return;
    const vault = this.requireVault();
    let id = run.id;
    vault.db.transaction(() => {
      id ??= vault.store.startRun(run.kind, run.startedAt);
      writeChecks(vault.log, id, entries, { auditEach: options.auditEach ?? true, keyStatus: options.keyStatus ?? true });
    });
    // Only once committed: when the transaction rolls back, the run's row is still to be written.
    run.id = id;
  }

  /** A bulk run's recorder: its checks go into the inventory as they finish. */
  recordBulkRun(timing?: RecorderTiming): CheckRecorder {
    return new CheckRecorder(this.requireVault().log, this.beginRun('bulk'), timing);
  }

  private requireVault(): NonNullable<CheckService['vault']> {
    if (!this.vault) throw new Error('this CheckService has no vault');
    return this.vault;
  }

  /**
   * Sends the probe with the key in its header (after a login exchange for Airwallex-style keys) and
   * judges the answer. A 2xx or 403 counts only once the endpoint has refused a key that cannot
   * exist (the negative control, from `controls`: the service's own, or a bulk run's). A 401 or 403
   * of a stored key gets the server's own word on it (`askServer`). What the vault knows of the key
   * (`know`) is looked up only when the answer is not a plain success: that is when advice needs it.
   */
  async runProbe(
    call: ProbeCall,
    secret: string,
    options: {
      fingerprint: string;
      /** The stored entry checked and its declared scopes; null for a pasted key. */
      key: { ref: KeyRef; scopes: string[] } | null;
      know: () => KeyKnowledge;
      fallback?: boolean;
      riskier?: CheckContext['riskier'];
      excerpts?: CheckContext['excerpts'];
      redactor?: Redactor;
      controls?: ControlCache;
      askServer?: (known: KeyKnowledge, redactor: Redactor) => Promise<ServerWord>;
      /** A run being stopped: a control waiting to try again gives the check up (CheckStopped). */
      signal?: AbortSignal | undefined;
    },
  ): Promise<CheckResult> {
    const { target, probe, base, url } = call;
    const redactor = options.redactor ? options.redactor.with(secret) : new Redactor([secret]);
    // A key sent as it is (a header, a bearer token) goes straight out; an Airwallex-style key after its login exchange.
    let outcome: HttpOutcome;
    let login: string | undefined;
    if (target.auth.kind === 'airwallex') ({ outcome, login } = await this.sendAfterLogin(call, secret, redactor));
    else outcome = await this.http.send({ method: probe.method, url, secretHeaders: secretHeaders(target.auth, secret) });
    const raw = verdictOf(outcome);
    // The only answers a lying endpoint can give: a success, or a 403 that would say the key authenticates.
    const controls = options.controls ?? this.controls;
    const control = raw === 'valid' || raw === 'forbidden' ? (controls.answered(call) ?? (await controls.get(call, () => this.sendControl(call, options.signal)))) : null;
    const ref = options.key?.ref ?? null;
    const declaredScopes = options.key?.scopes ?? null;
    const known: KeyKnowledge = raw === 'valid' ? { ...NOTHING_KNOWN, ref, declaredScopes } : { ...options.know(), ref, declaredScopes };
    // A refusal of a stored key: the server says which. (A 403 on the fallback probe is no refusal: the key authenticates.)
    const refused = raw === 'unauthorized' || (raw === 'forbidden' && !options.fallback);
    // Not when the control makes the answer inconclusive: the server's word would explain a verdict not given.
    const server = refused && options.askServer && (control === null || control.state === 'refused') ? await options.askServer(known, redactor) : null;
    // Optional fields set as they are, not spread in: a bulk run judges thousands of answers.
    return judge(outcome, {
      probe,
      request: login ? { method: 'POST', url: login } : { method: probe.method, url },
      tenantId: target.tenantId,
      baseUrl: base,
      redactor,
      known,
      fingerprint: options.fingerprint,
      control,
      server,
      atLogin: login !== undefined,
      fallback: options.fallback === true,
      riskier: options.riskier ?? null,
      excerpts: options.excerpts,
    });
  }

  /** Sends an Airwallex-style key after its login exchange; `login` is set when the exchange refused it (its URL). */
  private async sendAfterLogin(call: ProbeCall, secret: string, redactor: Redactor): Promise<{ outcome: HttpOutcome; login?: string }> {
    const { target, probe, base, url } = call;
    const exchange = vendorOf(target.vendor)?.exchange;
    if (target.auth.kind !== 'airwallex' || !exchange) throw new Error(`${target.vendor} has no login exchange`);
    const login = await exchange(this.http, base, target.auth, secret);
    if (!login.ok) return { outcome: login.outcome, login: login.url };
    // The short-lived token is a secret in play too: the server may echo it.
    redactor.add(login.token);
    return { outcome: await this.http.send({ method: probe.method, url, secretHeaders: { authorization: `Bearer ${login.token}` } }) };
  }

  /**
   * The negative control: the same request with a key of the vendor's shape that was never issued,
   * made now and kept nowhere. One that gets no usable answer (a 408, a 429, a 5xx, no answer in
   * time) is tried again, up to CONTROL_TRIES times, after the server's Retry-After or a second. A
   * Retry-After over CONTROL_RETRY_AFTER_MAX_S is not waited out (more than a check should hold a
   * person up): the control then stands as not run. A run stopped during the wait (`signal`) gives
   * the check up (CheckStopped): a control cut short says nothing, and is kept for no other check.
   */
  private async sendControl(call: ProbeCall, signal?: AbortSignal): Promise<ControlOutcome> {
    const vendor = vendorOf(call.target.vendor) ?? walletCrew;
    const { target, probe, url } = call;
    for (let tries = 1; ; tries += 1) {
      const impossible = vendor.impossibleKey();
      const at = this.vault?.stamps.now() ?? new Date().toISOString();
      const outcome = target.auth.kind === 'airwallex' ? (await this.sendAfterLogin(call, impossible, new Redactor([impossible]))).outcome : await this.http.send({ method: probe.method, url, secretHeaders: secretHeaders(target.auth, impossible) });
      const control = controlOutcome(outcome, at);
      if (control.state !== 'failed') return control;
      if (tries === CONTROL_TRIES) return { ...control, tries };
      const retryAfter = outcome.kind === 'response' ? retryAfterSeconds(outcome.headers['retry-after']) : null;
      if (retryAfter !== null && retryAfter > CONTROL_RETRY_AFTER_MAX_S) return { ...control, tries };
      await sleep((retryAfter ?? 1) * 1000, signal);
      if (signal?.aborted) throw new CheckStopped();
    }
  }
}

export { checkEntry, prepare, sleep, type CheckTarget, type ProbeCall } from './probe-call.ts';
