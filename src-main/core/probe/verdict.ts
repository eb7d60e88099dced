/**
 * From an HTTP outcome to a verdict a support engineer can trust: never blaming the key for a network
 * fault, never taking a proxy's error page for the API's, and saying what to do next with what the
 * vault knows about the key.
 */
import type { BodyKind, CheckResult, ProblemFields } from '../../shared/check.ts';
import type { Verdict } from '../../shared/verdicts.ts';
import type { HttpOutcome } from '../http/http-client.ts';
import { isSensitive, type ProbeDefinition } from './catalogue.ts';

/** What the vault knows that sharpens the advice. */
export interface CheckContext {
  probe: ProbeDefinition;
  request: { method: string; url: string };
  fingerprint: string;
  /** The key's declared scopes, when it is a stored key. */
  declaredScopes: string[] | null;
  tenantId: string;
  baseUrl: string;
  /** Other vault entries holding the same token (another tenant or environment). */
  elsewhere: { tenant: string; tenantId: string; environment: string; name: string }[];
  /** The request was the Airwallex-style login exchange. */
  atLogin?: boolean;
  /** Removes the key and secret-looking values from text that may be shown. */
  redact: (text: string) => string;
  /**
   * Bulk runs keep evidence (headers, body excerpt) of failed checks only: nobody reads 2,000
   * successful answers, and gathering them is most of the work of judging one.
   */
  excerpts?: 'all' | 'failures';
}

/** Response headers a report may show; everything else (cookies, say) is left out. */
const SHOWN_HEADERS = ['content-type', 'content-length', 'date', 'retry-after', 'location', 'www-authenticate', 'x-pagination-total', 'server', 'via', 'x-request-id', 'request-id', 'traceparent', 'x-correlation-id'];
const EXCERPT_CHARS = 2000;

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

/** Seconds from a Retry-After header (delta seconds or an HTTP date), or null. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export function verdictOf(outcome: HttpOutcome): Verdict {
  if (outcome.kind === 'failure') return outcome.failure === 'tls' ? 'tls_error' : outcome.failure === 'timeout' ? 'timeout' : 'network_error';
  const status = outcome.status;
  if (status >= 200 && status < 300) return 'valid';
  if (status >= 300 && status < 400) return 'redirected';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429 || (status === 503 && outcome.headers['retry-after'] !== undefined)) return 'throttled';
  if (status >= 500) return 'server_error';
  return 'unexpected_status';
}

/** The problem's fields, with the key and anything secret-looking redacted (servers do echo keys). */
function problemOf(outcome: HttpOutcome, kind: BodyKind | null, redact: (text: string) => string): ProblemFields | null {
  // Problems come with error statuses; a successful body is never parsed for one.
  if (outcome.kind !== 'response' || outcome.status < 400 || (kind !== 'problem+json' && kind !== 'json') || outcome.truncated) return null;
  try {
    const body = JSON.parse(outcome.body.toString('utf8')) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('title' in body || 'status' in body || 'detail' in body)) return null;
    const text = (value: unknown) => (typeof value === 'string' ? redact(value) : null);
    const problem: ProblemFields = {
      type: text(body.type),
      title: text(body.title),
      status: typeof body.status === 'number' ? body.status : null,
      detail: text(body.detail),
      instance: text(body.instance),
    };
    if (body.errors && typeof body.errors === 'object') problem.errors = JSON.parse(redact(JSON.stringify(body.errors))) as Record<string, string[]>;
    return problem;
  } catch {
    return null;
  }
}

/** The full result of one check. */
export function judge(outcome: HttpOutcome, context: CheckContext): CheckResult {
  const verdict = verdictOf(outcome);
  const kind = bodyKindOf(outcome);
  // A sensitive probe's successful body is never looked into; error bodies are the API's own.
  const problem = verdict === 'valid' && isSensitive(context.probe) ? null : problemOf(outcome, kind, context.redact);
  const retry = outcome.kind === 'response' ? retryAfterSeconds(outcome.headers['retry-after']) : null;
  const location = outcome.kind === 'response' && verdict === 'redirected' && outcome.headers.location ? context.redact(outcome.headers.location) : null;
  const { summary, nextSteps } = diagnose(verdict, outcome, kind, retry, location, context);
  return {
    verdict,
    status: outcome.kind === 'response' ? outcome.status : null,
    request: context.request,
    durationMs: outcome.durationMs,
    retryAfterSeconds: verdict === 'throttled' ? retry : null,
    bodyKind: kind,
    problem,
    summary,
    nextSteps,
    key: { fingerprint: context.fingerprint },
    probe: { id: context.probe.id, scope: context.probe.scope, risk: context.probe.risk },
    location,
    failureCode: outcome.kind === 'failure' ? outcome.code : null,
    evidence: evidenceOf(outcome, verdict, context),
  };
}

function evidenceOf(outcome: HttpOutcome, verdict: Verdict, context: CheckContext): CheckResult['evidence'] {
  if (outcome.kind !== 'response' || (verdict === 'valid' && context.excerpts === 'failures')) return { headers: {}, bodyExcerpt: null };
  const headers: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) if (outcome.headers[name] !== undefined) headers[name] = context.redact(outcome.headers[name]!);
  const hidden = verdict === 'valid' && isSensitive(context.probe);
  if (hidden || outcome.body.length === 0) return { headers, bodyExcerpt: null };
  const text = outcome.body.subarray(0, EXCERPT_CHARS * 4).toString('utf8').slice(0, EXCERPT_CHARS);
  const more = outcome.truncated || outcome.body.length > EXCERPT_CHARS;
  return { headers, bodyExcerpt: `${context.redact(text)}${more ? '\n… (cut)' : ''}` };
}

function diagnose(
  verdict: Verdict,
  outcome: HttpOutcome,
  kind: BodyKind | null,
  retry: number | null,
  location: string | null,
  context: CheckContext,
): { summary: string; nextSteps: string[] } {
  const { probe } = context;
  const scope = probe.scope ? `\`${probe.scope}\`` : 'its scope';
  const status = outcome.kind === 'response' ? outcome.status : null;
  if ((verdict === 'unauthorized' || verdict === 'forbidden') && kind === 'html') {
    return {
      summary: `The ${status} came with an HTML page: a proxy, firewall or single sign-on gateway answered, not the API — this says nothing about the key.`,
      nextSteps: [
        'Check HTTPS_PROXY / NO_PROXY and whether the network needs a proxy login.',
        `Retry from a network that reaches ${context.baseUrl} directly, or ask IT to let it through.`,
      ],
    };
  }
  switch (verdict) {
    case 'valid':
      return {
        summary: `The key is valid: ${probe.id} answered ${status}${probe.scope ? `, so it authenticates and holds ${scope}` : ''}.`,
        nextSteps: ['If an integration still fails with this key, check the scope its endpoint needs with `tkv check --scopes-matrix`.'],
      };
    case 'unauthorized': {
      const steps: string[] = [];
      for (const twin of context.elsewhere) {
        steps.push(`This vault holds this very key as ${twin.tenant}/${twin.name} — tenant ${twin.tenantId}, ${twin.environment}. A key works for one tenant and environment only: use it there, or use this tenant's own key.`);
      }
      if (context.atLogin) steps.push('The login exchange refused the API key and client id: check both, and that the key was not regenerated.');
      steps.push(
        `Check that the key was copied whole (its fingerprint is ${context.fingerprint}; compare with \`tkv key show\`).`,
        `Check the tenant id "${context.tenantId}" and the environment (${context.baseUrl}): keys are tenant- and environment-scoped.`,
        'Check in the admin console that the key still exists and is enabled; a revoked or disabled key answers 401.',
        'A 401 never means a missing scope — that would be a 403.',
      );
      return { summary: 'The server rejected the key (401): it is missing, invalid, revoked or disabled, or belongs to another tenant or environment.', nextSteps: steps };
    }
    case 'forbidden': {
      const steps: string[] = [];
      if (probe.scope && context.declaredScopes) {
        if (context.declaredScopes.includes(probe.scope) || context.declaredScopes.includes('*')) {
          steps.push(`The vault lists ${scope} among the key's declared scopes, but the server does not grant it: the key's permissions changed on the server. Update the declared scopes, or grant the scope again.`);
        } else {
          steps.push(
            `The key's declared scopes are ${context.declaredScopes.length ? context.declaredScopes.map((s) => `\`${s}\``).join(', ') : 'none'}; this probe needs ${scope}. Grant it to the key, or check with a probe that matches its scopes (\`--probe\`).`,
          );
        }
      } else if (probe.scope) {
        steps.push(`Grant ${scope} to the key in the admin console, or check with a probe that matches the scopes it has.`);
      }
      steps.push('`tkv check --scopes-matrix` shows every scope the key has and lacks.');
      return { summary: `The key is valid — it authenticates — but it lacks ${scope}, which the ${probe.id} probe needs (403).`, nextSteps: steps };
    }
    case 'not_found':
      return {
        summary: 'The server answered 404: the tenant id or the base URL is most likely wrong — the key was not judged.',
        nextSteps: [
          `Check the tenant id "${context.tenantId}" (case-sensitive) and that ${context.baseUrl} is the API's base URL (no extra path).`,
          ...(probe.path.includes('{keyName}') ? ["Or the key's own name on the server differs from the vault's: try `--probe config`."] : []),
        ],
      };
    case 'throttled':
      return {
        summary: `Rate limited (${status}): the server asks to slow down${retry !== null ? ` and retry in ${retry} s` : ''}. This says nothing about the key.`,
        nextSteps: [retry !== null ? `Wait ${retry} s, then check again.` : 'Wait a minute, then check again.', 'For bulk checks, lower --concurrency.'],
      };
    case 'server_error':
      return {
        summary: `The server failed (${status}); this says nothing about the key.`,
        nextSteps: ["Retry in a few minutes; if it persists, check the vendor's status page or contact its support with the request line and time."],
      };
    case 'redirected':
      return {
        summary: `The server answered ${status} with a redirect${location ? ` to ${location}` : ''}; it was not followed and the key was not sent there.`,
        nextSteps: [
          'The base URL is probably not the API itself (http instead of https, a missing or extra path, or a login page).',
          'Correct the base URL to the API origin, if you trust where it pointed.',
        ],
      };
    case 'unexpected_status':
      return { summary: `The server answered ${status}, which no probe expects; the key was not judged.`, nextSteps: ['Look at the report (`--report md`) for the response body, and check the base URL and probe path.'] };
    case 'tls_error': {
      const code = outcome.kind === 'failure' ? outcome.code : '';
      return {
        summary: `The TLS certificate was not trusted (${code}); the key was not sent. This is commonly an intercepting corporate proxy.`,
        nextSteps: [
          "Ask IT for the proxy's CA certificate (PEM) and pass it with --ca-file FILE (or set NODE_EXTRA_CA_CERTS).",
          'If the host name does not match the certificate, check the base URL.',
        ],
      };
    }
    case 'timeout':
      return {
        summary: `No answer in time (${outcome.kind === 'failure' ? outcome.code : 'timeout'}); this says nothing about the key.`,
        nextSteps: ['Check the network path to the server (VPN, proxy, firewall) and retry; raise --timeout-ms for a slow link.'],
      };
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
      return { summary: `${what}; the key was not judged.`, nextSteps: ['Check the base URL, DNS, VPN and proxy settings (HTTPS_PROXY / NO_PROXY), then retry.'] };
    }
  }
}
