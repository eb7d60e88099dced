/**
 * From an HTTP outcome to a verdict a support engineer can trust: never blaming the key for a network
 * fault or for a page some proxy put in the API's place, never calling a correctly scoped key
 * forbidden, and saying what to do next (as remedies) with what the vault knows about the key.
 */
import type { BodyKind, CheckResult, ControlOutcome, ProblemFields, ServerWord } from '../../shared/check.ts';
import { controlFailure } from '../../shared/check-words.ts';
import type { Remedy } from '../../shared/remedies.ts';
import type { Verdict } from '../../shared/verdicts.ts';
import { retryAfterSeconds, type HttpOutcome } from '../http/http-client.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { KeyKnowledge } from './key-knowledge.ts';
import { isSensitive, type ProbeDefinition } from '../vendors/vendor.ts';

export interface CheckContext {
  probe: ProbeDefinition;
  request: { method: string; url: string };
  fingerprint: string;
  tenantId: string;
  baseUrl: string;
  known: KeyKnowledge;
  /**
   * The probe is the default one, run although none of the key's declared scopes matched it: a 403
   * there proves the key authenticates, and nothing about its scopes.
   */
  fallback?: boolean;
  /** With the fallback probe: a high-risk probe that would test one of the key's declared scopes. */
  riskier?: ProbeDefinition | null;
  /** The request was the Airwallex-style login exchange. */
  atLogin?: boolean;
  /** The negative control the answer was weighed against (null: none needed, a 401 say). */
  control?: ControlOutcome | null;
  /** The admin API's word on a refused stored key. */
  server?: ServerWord | null;
  /** Every secret in play; everything the server sent passes through it. */
  redactor: Redactor;
  /**
   * Bulk runs keep evidence (headers, body excerpt) of failed checks only: nobody reads 2,000
   * successful answers, and gathering them is most of the work of judging one.
   */
  excerpts?: 'all' | 'failures';
}

/** Response headers a report may show; everything else (cookies, say) is left out. */
const SHOWN_HEADERS = ['content-type', 'content-length', 'date', 'retry-after', 'location', 'www-authenticate', 'x-pagination-total', 'server', 'via', 'x-request-id', 'request-id', 'traceparent', 'x-correlation-id'];
export const EXCERPT_CHARS = 2000;

export function bodyKindOf(outcome: HttpOutcome): BodyKind | null {
  if (outcome.kind !== 'response') return null;
  if (outcome.body.length === 0) return 'empty';
  const type = (outcome.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('problem+json')) return 'problem+json';
  if (type.includes('json')) return 'json';
  const start = outcome.body.subarray(0, 256).toString('utf8').trimStart().toLowerCase();
  if (type.includes('html') || start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  return 'text';
}

/** The verdict of an outcome, before what the vault knows refines it (see `judge`). */
export function verdictOf(outcome: HttpOutcome, kind: BodyKind | null = bodyKindOf(outcome)): Verdict {
  if (outcome.kind === 'failure') return outcome.failure === 'tls' ? 'tls_error' : outcome.failure === 'timeout' ? 'timeout' : 'network_error';
  const status = outcome.status;
  // A page instead of the API's answer (the API answers JSON, a sign-in portal HTML), or a proxy
  // asking for its own login: not the API speaking, whatever the status says.
  if (status === 407 || ((status === 401 || status === 403 || (status >= 200 && status < 300)) && kind === 'html')) return 'intercepted';
  if (status >= 200 && status < 300) return 'valid';
  if (status >= 300 && status < 400) return 'redirected';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429 || (status === 503 && outcome.headers['retry-after'] !== undefined)) return 'throttled';
  if (status >= 500) return 'server_error';
  return 'unexpected_status';
}

/** The problem's fields, redacted (servers do echo keys); the trace id kept, since it is not secret. */
function problemOf(outcome: HttpOutcome, kind: BodyKind | null, redactor: Redactor): ProblemFields | null {
  // Problems come with error statuses; a successful body is never parsed for one.
  if (outcome.kind !== 'response' || outcome.status < 400 || (kind !== 'problem+json' && kind !== 'json') || outcome.truncated) return null;
  let body: unknown;
  try {
    body = JSON.parse(outcome.body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  if (!('title' in record || 'status' in record || 'detail' in record)) return null;
  const text = (value: unknown) => (typeof value === 'string' ? redactor.redactText(value) : null);
  const problem: ProblemFields = {
    type: text(record.type),
    title: text(record.title),
    status: typeof record.status === 'number' ? record.status : null,
    detail: text(record.detail),
    instance: text(record.instance),
    traceId: typeof record.traceId === 'string' ? redactor.redactName(record.traceId).slice(0, 200) : null,
  };
  if (record.errors && typeof record.errors === 'object' && !Array.isArray(record.errors)) {
    const errors: Record<string, string[]> = {};
    for (const [field, messages] of Object.entries(record.errors as Record<string, unknown>)) {
      errors[redactor.redactText(field)] = (Array.isArray(messages) ? messages : [messages]).map((message) => redactor.redactText(String(message)));
    }
    problem.errors = errors;
  }
  return problem;
}

/** The full result of one check. */
export function judge(outcome: HttpOutcome, context: CheckContext): CheckResult {
  const kind = bodyKindOf(outcome);
  let verdict = verdictOf(outcome, kind);
  // The fallback probe tested none of the key's scopes: a 403 there says only that the key authenticates.
  if (verdict === 'forbidden' && context.fallback) verdict = 'authenticated';
  // An endpoint that accepts a key that cannot exist, or one the control could not be run against:
  // its success (or 403) proves nothing about this key, and is never taken as its judgement.
  if ((context.control?.state === 'accepted' || context.control?.state === 'failed') && (verdict === 'valid' || verdict === 'authenticated' || verdict === 'forbidden')) verdict = 'inconclusive';
  // A sensitive probe's successful body is never looked into; error bodies are the API's own.
  const problem = verdict === 'valid' && isSensitive(context.probe) ? null : problemOf(outcome, kind, context.redactor);
  const retry = outcome.kind === 'response' ? retryAfterSeconds(outcome.headers['retry-after']) : null;
  const location = outcome.kind === 'response' && verdict === 'redirected' && outcome.headers.location ? context.redactor.redactText(outcome.headers.location).slice(0, 500) : null;
  const summary = saying(verdict, outcome, retry, location, context);
  return {
    verdict,
    status: outcome.kind === 'response' ? outcome.status : null,
    request: context.request,
    durationMs: outcome.durationMs,
    retryAfterSeconds: verdict === 'throttled' ? retry : null,
    bodyKind: kind,
    problem,
    summary,
    nextSteps: remedies(verdict, outcome, retry, location, problem, context),
    key: { fingerprint: context.fingerprint },
    probe: probeName(context.probe),
    location,
    failureCode: outcome.kind === 'failure' ? outcome.code : null,
    control: context.control ?? null,
    server: context.server ?? null,
    evidence: evidenceOf(outcome, verdict, context),
  };
}

/** The evidence of a check that keeps none: one frozen object for them all (a bulk run's successes). */
const NO_EVIDENCE: CheckResult['evidence'] = Object.freeze({ headers: Object.freeze({}), bodyExcerpt: null });

/** A probe as a result names it, made once per probe: results are many, probes few. */
const probeNames = new WeakMap<ProbeDefinition, CheckResult['probe']>();
function probeName(probe: ProbeDefinition): CheckResult['probe'] {
  let named = probeNames.get(probe);
  if (!named) probeNames.set(probe, (named = Object.freeze({ id: probe.id, scope: probe.scope, risk: probe.risk })));
  return named;
}

function evidenceOf(outcome: HttpOutcome, verdict: Verdict, context: CheckContext): CheckResult['evidence'] {
  if (outcome.kind !== 'response' || (verdict === 'valid' && context.excerpts === 'failures')) return NO_EVIDENCE;
  const headers: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) if (outcome.headers[name] !== undefined) headers[name] = context.redactor.redactText(outcome.headers[name]!).slice(0, 500);
  const hidden = (verdict === 'valid' || verdict === 'authenticated') && isSensitive(context.probe);
  if (hidden || outcome.body.length === 0) return { headers, bodyExcerpt: null };
  // Redact the whole body first, then cut: a cut never leaves part of a secret behind.
  const text = context.redactor.redactText(outcome.body.toString('utf8'));
  const more = outcome.truncated || text.length > EXCERPT_CHARS;
  return { headers, bodyExcerpt: `${text.slice(0, EXCERPT_CHARS)}${more ? '\n… (cut)' : ''}` };
}

/** What the server's word adds to a 401 or a 403, when it settles the question. */
function serverSays(verdict: Verdict, server: ServerWord | null | undefined, scope: string | null): string | null {
  if (!server) return null;
  if (verdict === 'unauthorized') {
    if (server.state === 'deleted') return `The server rejected the key (401), and its admin API has no key "${server.remoteName}": it was deleted on the server.`;
    if (server.state === 'disabled') return `The server rejected the key (401): its admin API lists "${server.remoteName}" as disabled.`;
    if (server.state === 'enabled') return `The server rejected the key (401), yet its admin API lists "${server.remoteName}" as present and enabled: the secret the vault holds is not that key's token — it was regenerated or rotated elsewhere.`;
  }
  if (verdict === 'forbidden' && server.state === 'enabled' && scope) {
    const holds = server.permissions.length ? server.permissions.map((permission) => `\`${permission}\``).join(', ') : 'no permission';
    return `The key authenticates, but the server denies it \`${scope}\` (403): its admin API lists "${server.remoteName}" with ${holds}; this probe needs \`${scope}\`.`;
  }
  return null;
}

/** "The key is valid: …", made once per probe and status: a bulk run says it thousands of times. */
const validSentences = new WeakMap<ProbeDefinition, Map<string, string>>();
function validSentence(probe: ProbeDefinition, status: string): string {
  let byStatus = validSentences.get(probe);
  if (!byStatus) validSentences.set(probe, (byStatus = new Map()));
  let sentence = byStatus.get(status);
  if (sentence === undefined) byStatus.set(status, (sentence = `The key is valid: ${probe.id} answered ${status}${probe.scope ? `, so it authenticates and holds \`${probe.scope}\`` : ''}.`));
  return sentence;
}

function saying(verdict: Verdict, outcome: HttpOutcome, retry: number | null, location: string | null, context: CheckContext): string {
  const { probe } = context;
  const server = context.atLogin ? null : serverSays(verdict, context.server, probe.scope);
  if (server) return server;
  const scope = probe.scope ? `\`${probe.scope}\`` : 'its scope';
  // Every verdict below but the network failures comes from a response, so its status is known.
  const status = outcome.kind === 'response' ? String(outcome.status) : 'no answer';
  switch (verdict) {
    case 'valid':
      return validSentence(probe, status);
    case 'authenticated':
      if (context.riskier?.scope) return `The key authenticates: ${probe.id} answered 403, which a refused key never gets. Its declared scopes are tested only by high-risk probes, which run only when asked for (${context.riskier.id} tests \`${context.riskier.scope}\`, and reads ${context.riskier.description}); so this says nothing about them yet.`;
      return `The key authenticates: ${probe.id} answered 403, which a refused key never gets. None of its declared scopes could be tested (no probe needs them), so this says nothing about them.`;
    case 'unauthorized': {
      if (context.atLogin) return 'The login exchange rejected the key (401): it is missing, invalid, revoked or regenerated, or the client id is wrong.';
      const otherwise = context.known.elsewhere.find((twin) => twin.sentAs !== undefined);
      if (otherwise?.sentAs) return `The server rejected the key (401) as this check sent it, in ${otherwise.sentHere ?? 'another way'}: its entry ${otherwise.holder.tenant}/${otherwise.holder.name}, for this tenant, sends it in ${otherwise.sentAs}.`;
      return 'The server rejected the key (401): it is missing, invalid, revoked or disabled, or belongs to another tenant or environment.';
    }
    case 'forbidden':
      return context.known.declaredScopes && probe.scope && declares(context.known.declaredScopes, probe.scope)
        ? `The key authenticates, but the server denies it ${scope} (403), a scope the vault says it has: the server and the vault disagree.`
        : probe.scope
          ? `The key authenticates, but it lacks ${scope}, which the ${probe.id} probe needs (403).`
          : `The key authenticates, but the server denies it this request (403): the ${probe.id} probe needs a permission the key lacks.`;
    case 'inconclusive': {
      const control = context.control;
      if (control?.state === 'failed') {
        return `The key got ${status}, but the negative control could not be run (${controlFailure(control)}): nothing confirms that this endpoint refuses a key that cannot exist, so its ${status} is not taken as the key's judgement.`;
      }
      if (control?.status === 403) return `This endpoint answered 403, not 401, to a key that cannot exist: it does not tell an unknown key from one that lacks a scope, so its ${status} proves nothing about your key, which was not judged.`;
      return `This endpoint accepted a key that cannot exist (the negative control got ${control?.status ?? 'a success'}): its ${status} proves nothing about your key, which was not judged.`;
    }
    case 'intercepted':
      return `The ${status} came with an HTML page: a proxy, firewall or single sign-on gateway answered, not the API — this says nothing about the key.`;
    case 'not_found':
      return 'The server answered 404: the tenant id or the base URL is most likely wrong — the key was not judged.';
    case 'throttled':
      return `Rate limited (${status}): the server asks to slow down${retry !== null ? ` and retry in ${retry} s` : ''}. This says nothing about the key.`;
    case 'server_error':
      return `The server failed (${status}); this says nothing about the key.`;
    case 'redirected':
      return `The server answered ${status} with a redirect${location ? ` to ${location}` : ''}; it was not followed and the key was not sent there.`;
    case 'unexpected_status':
      return `The server answered ${status}, which no probe expects; the key was not judged.`;
    case 'tls_error':
      return `The TLS certificate was not trusted (${outcome.kind === 'failure' ? outcome.code : 'TLS'}); the key was not sent. This is commonly an intercepting corporate proxy.`;
    case 'timeout':
      return `${outcome.kind === 'failure' ? outcome.message.replace(/\.$/, '') : 'No answer in time'}; this says nothing about the key.`;
    case 'network_error': {
      const failure = outcome.kind === 'failure' ? outcome : null;
      const host = URL.canParse(context.baseUrl) ? new URL(context.baseUrl).host : context.baseUrl;
      const what =
        failure?.failure === 'dns'
          ? `The host name ${host} did not resolve`
          : failure?.failure === 'refused'
            ? `Nothing accepted the connection at ${host}`
            : failure?.failure === 'reset'
              ? 'The connection was reset before an answer (often a proxy or firewall)'
              : `The request failed (${failure?.code ?? 'unknown'})`;
      return `${what}; the key was not judged.`;
    }
  }
}

function declares(scopes: readonly string[], scope: string): boolean {
  return scopes.includes(scope) || scopes.includes('*');
}

/** The steps what the vault knows of a refused key suggests (its twins, its earlier keys, the server's last listing, its expiry). */
function whatTheVaultKnows(known: KeyKnowledge, steps: Remedy[]): void {
  const key = known.ref;
  for (const twin of known.elsewhere) steps.push({ code: 'key-held-elsewhere', ...twin });
  for (const previous of known.previous) steps.push({ code: 'previous-key', ...previous });
  if (known.server?.state === 'disabled') steps.push({ code: 'disabled-on-server', remoteName: known.server.remoteName, snapshotAt: known.server.snapshotAt });
  if (known.server?.state === 'missing') steps.push({ code: 'missing-on-server', remoteName: known.server.remoteName, snapshotAt: known.server.snapshotAt });
  if (known.server?.state === 'unlinked' && key) steps.push({ code: 'link-server-name', key, candidates: known.server.unclaimed ?? [] });
  if (known.expiredOn) steps.push({ code: 'key-expired', expiresOn: known.expiredOn });
}

function remedies(verdict: Verdict, outcome: HttpOutcome, retry: number | null, location: string | null, problem: ProblemFields | null, context: CheckContext): Remedy[] {
  const { probe, known } = context;
  const key = known.ref;
  const steps: Remedy[] = [];
  switch (verdict) {
    case 'valid':
      if (key) steps.push({ code: 'run-scope-matrix', key });
      break;
    case 'authenticated':
      if (key && context.riskier) steps.push({ code: 'check-with-probe', key, probe: context.riskier.id, scope: context.riskier.scope, reads: context.riskier.description });
      if (key && (known.declaredScopes ?? []).length === 0) steps.push({ code: 'declare-scopes', key });
      steps.push({ code: 'add-probe', scope: known.declaredScopes?.[0] ?? null });
      if (key) steps.push({ code: 'run-scope-matrix', key });
      break;
    case 'unauthorized': {
      const word = context.server;
      if (key && word && (word.state === 'deleted' || word.state === 'disabled' || word.state === 'enabled')) {
        // The server's own word settles what the last listing and the generic checks could only suggest.
        if (word.state === 'deleted') steps.push({ code: 'deleted-on-server', key, remoteName: word.remoteName, scopes: known.declaredScopes ?? [] });
        else if (word.state === 'disabled') steps.push({ code: 'enable-on-server', key, remoteName: word.remoteName });
        else steps.push({ code: 'replace-secret', key, remoteName: word.remoteName, lastRotation: word.lastRotation });
        for (const twin of known.elsewhere) steps.push({ code: 'key-held-elsewhere', ...twin });
        for (const previous of known.previous) steps.push({ code: 'previous-key', ...previous });
        if (known.expiredOn) steps.push({ code: 'key-expired', expiresOn: known.expiredOn });
        steps.push({ code: 'compare-fingerprint', fingerprint: context.fingerprint, key }, { code: 'not-a-scope-problem' });
        break;
      }
      whatTheVaultKnows(known, steps);
      if (context.atLogin) steps.push({ code: 'check-login-credentials' });
      // A pasted key the vault holds was copied whole (its fingerprint matched); one its entry of this
      // very tenant id sends elsewhere or otherwise has its cause named above, not a wrong tenant.
      const held = !key && (known.elsewhere.length > 0 || known.previous.length > 0);
      const placed = known.elsewhere.some((twin) => twin.sentAs !== undefined || twin.baseUrl !== undefined);
      if (!held) steps.push({ code: 'compare-fingerprint', fingerprint: context.fingerprint, key });
      if (!placed) steps.push({ code: 'check-tenant', tenantId: context.tenantId, baseUrl: context.baseUrl });
      steps.push({ code: 'check-key-enabled' }, { code: 'not-a-scope-problem' });
      // Why the server was not asked, and what its word would have told: after what can be done now.
      if (word) steps.push(...serverWordSteps(word, known, 401));
      break;
    }
    case 'forbidden': {
      const word = context.server;
      if (key && probe.scope && word?.state === 'enabled') {
        steps.push({ code: 'edit-server-permissions', key, remoteName: word.remoteName, holds: word.permissions, needs: probe.scope });
        if (word.declaredOnly.length > 0 || word.serverOnly.length > 0) steps.push({ code: 'declared-scopes-differ', key, declaredOnly: word.declaredOnly, serverOnly: word.serverOnly, serverScopes: word.permissions });
        steps.push({ code: 'run-scope-matrix', key });
        break;
      }
      if (probe.scope && known.declaredScopes && key && declares(known.declaredScopes, probe.scope)) {
        steps.push({ code: 'update-declared-scopes', key, scope: probe.scope });
      } else if (probe.scope) {
        steps.push({ code: 'grant-scope', key, scope: probe.scope });
      }
      if (key) steps.push({ code: 'run-scope-matrix', key });
      if (word) steps.push(...serverWordSteps(word, known, 403));
      break;
    }
    case 'inconclusive':
      if (context.control?.state === 'failed') steps.push({ code: 'retry-later', traceId: null });
      else steps.push({ code: 'endpoint-accepts-any-key', baseUrl: context.baseUrl, controlStatus: context.control?.status ?? 200 });
      break;
    case 'not_found':
      // A key the vault holds for another tenant: the tenant id here may be the wrong one.
      for (const twin of known.elsewhere) steps.push({ code: 'key-held-elsewhere', ...twin });
      steps.push({ code: 'check-tenant', tenantId: context.tenantId, baseUrl: context.baseUrl });
      if (probe.path.includes('{keyName}')) steps.push({ code: 'check-remote-name', key, probe: probe.id });
      break;
    case 'throttled':
      steps.push({ code: 'wait-and-retry', seconds: retry }, { code: 'lower-concurrency' });
      break;
    case 'server_error':
      steps.push({ code: 'retry-later', traceId: problem?.traceId ?? null });
      break;
    case 'intercepted':
      steps.push({ code: 'check-proxy', baseUrl: context.baseUrl });
      break;
    case 'redirected':
      steps.push({ code: 'fix-base-url', baseUrl: context.baseUrl, location });
      break;
    case 'unexpected_status':
      steps.push({ code: 'read-evidence' }, { code: 'check-tenant', tenantId: context.tenantId, baseUrl: context.baseUrl });
      break;
    case 'tls_error':
      steps.push({ code: 'trust-proxy-ca' }, { code: 'check-host-name', baseUrl: context.baseUrl });
      break;
    case 'timeout':
      steps.push({ code: 'raise-timeout' });
      break;
    case 'network_error':
      steps.push({ code: 'check-network', baseUrl: context.baseUrl, failure: outcome.kind === 'failure' ? outcome.failure : null });
      break;
  }
  return steps;
}

/** What a server's word that settles nothing adds to the advice: why it could not be asked, and what would have told. */
function serverWordSteps(word: ServerWord, known: KeyKnowledge, status: 401 | 403): Remedy[] {
  switch (word.state) {
    case 'no-credential':
      return [...(word.markable ?? []).map(({ key, scopes }): Remedy => ({ code: 'mark-admin', key, scopes })), { code: 'server-word-needs-admin', tenant: word.tenant, status }];
    case 'self':
      return [{ code: 'server-word-self', tenant: word.tenant }];
    case 'no-admin-api':
      return [{ code: 'server-word-unavailable', vendor: word.vendor, where: word.where }];
    case 'failed':
      // The reason is on the server's word line; the next steps are what would let it be asked.
      return word.remedies;
    case 'unlinked':
      // The link step comes from what the vault knows, when its last listing says the same.
      return known.server?.state === 'unlinked' || !known.ref ? [] : [{ code: 'link-server-name', key: known.ref, candidates: word.candidates }];
    case 'deleted':
    case 'disabled':
    case 'enabled':
      return [];
  }
}
