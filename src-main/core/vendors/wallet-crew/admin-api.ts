/**
 * The Wallet Crew's ApiKeys admin endpoints (../shared/specs/apikeys.openapi.json) over the shared
 * HTTP client. Every call returns a typed result, never a thrown error: what a person can act on
 * (400 with field errors, 401, 403 naming the scope, 404, 409, throttling, network faults) is in the
 * error's kind and message. Messages never carry a token: a 201 body is never quoted, and everything
 * the server sends (error texts, field errors, key names and permissions) goes through the client's
 * redactor, which knows the admin credential and every token created through it.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import type { ZodType } from 'zod';
import { VaultError } from '../../errors.ts';
import { retryAfterSeconds, type HttpClient, type HttpOutcome, type HttpRequest, type NetworkFailure } from '../../http/http-client.ts';
import { Redactor } from '../../redaction/redactor.ts';
import { API_KEY_HEADER } from './wallet-crew.ts';

export const READ_SCOPE = 'tenant.apiKey:read';
export const WRITE_SCOPE = 'tenant.apiKey:write';
export const ACCESS_READ_SCOPE = 'tenant.access:read';

/** The tenant's admin credential: a stored key marked admin, or a pasted OAuth bearer token. */
export type AdminCredential = { kind: 'api-key'; secret: string; label: string } | { kind: 'bearer'; token: string; label: string };

export interface ApiKeyDefinition {
  name: string;
  enabled: boolean;
  permissions: string[];
}
export interface ApiKeyCreated extends ApiKeyDefinition {
  token: string;
}
export type PermissionCatalogue = { code: string; category?: string | null; description?: string | null; scopes: { code: string; description?: string | null }[] }[];

/** The answers' schemas, built on first use: zod is loaded only when a server is asked something. */
let built: { definition: ZodType<ApiKeyDefinition>; definitions: ZodType<ApiKeyDefinition[]>; created: ZodType<ApiKeyCreated>; catalogue: ZodType<PermissionCatalogue> } | null = null;
function schemas(): NonNullable<typeof built> {
  if (built) return built;
  const { z } = createRequire(import.meta.url)('zod') as typeof Zod;
  const definition = z.object({ name: z.string().min(1), enabled: z.boolean(), permissions: z.array(z.string()) });
  const catalogue = z
    .array(
      z.object({
        code: z.string().min(1).max(200),
        category: z.string().max(200).nullish(),
        description: z.string().max(500).nullish(),
        scopes: z.array(z.object({ code: z.string().min(1).max(200), description: z.string().max(500).nullish() })).max(200),
      }),
    )
    .max(200);
  built = { definition, definitions: z.array(definition), created: definition.extend({ token: z.string().min(1) }), catalogue };
  return built;
}

export type AdminError =
  | { kind: 'invalid'; status: 400; message: string; fieldErrors: Record<string, string[]> }
  | { kind: 'unauthorized'; status: 401; message: string }
  | { kind: 'forbidden'; status: 403; message: string }
  | { kind: 'not_found'; status: 404; message: string }
  | { kind: 'conflict'; status: 409; message: string }
  | { kind: 'throttled'; status: number; message: string; retryAfterSeconds: number | null }
  | { kind: 'server_error'; status: number; message: string }
  | { kind: 'network'; status: null; message: string; failure: NetworkFailure }
  | { kind: 'unexpected'; status: number | null; message: string };

export type AdminResult<T> = { ok: true; value: T } | { ok: false; error: AdminError };

export interface AdminTarget {
  baseUrl: string;
  tenantId: string;
}

export class AdminClient {
  /** The secrets in play in this client's operation: its credential, tokens it created, and what callers add. */
  readonly redactor: Redactor;
  private readonly http: HttpClient;
  private readonly target: AdminTarget;
  private readonly credential: AdminCredential;

  constructor(http: HttpClient, target: AdminTarget, credential: AdminCredential, redactor: Redactor = new Redactor()) {
    this.http = http;
    this.target = { baseUrl: target.baseUrl.replace(/\/+$/, ''), tenantId: target.tenantId };
    this.credential = credential;
    this.redactor = redactor.add(credential.kind === 'api-key' ? credential.secret : credential.token);
  }

  list(): Promise<AdminResult<ApiKeyDefinition[]>> {
    return this.call({ method: 'GET', path: '', scope: READ_SCOPE, ok: 200, schema: () => schemas().definitions, what: 'list the API keys' });
  }

  get(name: string): Promise<AdminResult<ApiKeyDefinition>> {
    return this.call({ method: 'GET', path: `/${encodeURIComponent(name)}`, scope: READ_SCOPE, ok: 200, schema: () => schemas().definition, what: `read the API key "${name}"` });
  }

  create(input: { name: string; permissions: string[]; enabled?: boolean }): Promise<AdminResult<ApiKeyCreated>> {
    return this.call({
      method: 'POST',
      path: '',
      scope: WRITE_SCOPE,
      ok: 201,
      schema: () => schemas().created,
      what: `create the API key "${input.name}"`,
      json: { name: input.name, permissions: input.permissions, ...(input.enabled === undefined ? {} : { enabled: input.enabled }) },
    });
  }

  /** Replaces `enabled` and `permissions` (the endpoint is a PUT: both are sent). */
  update(name: string, input: { enabled: boolean; permissions: string[] }): Promise<AdminResult<ApiKeyDefinition>> {
    return this.call({ method: 'PUT', path: `/${encodeURIComponent(name)}`, scope: WRITE_SCOPE, ok: 200, schema: () => schemas().definition, what: `update the API key "${name}"`, json: input });
  }

  /** The tenant's permission catalogue (`admin/permissions`): areas and their scope codes. */
  permissions(): Promise<AdminResult<PermissionCatalogue>> {
    return this.call({ method: 'GET', path: '', base: 'permissions', scope: ACCESS_READ_SCOPE, ok: 200, schema: () => schemas().catalogue, what: 'read the permission catalogue' });
  }

  delete(name: string): Promise<AdminResult<null>> {
    return this.call({ method: 'DELETE', path: `/${encodeURIComponent(name)}`, scope: WRITE_SCOPE, ok: 204, schema: null, what: `delete the API key "${name}"` });
  }

  private async call<T>(spec: {
    method: HttpRequest['method'];
    path: string;
    /** The admin resource: `apiKeys` unless said otherwise. */
    base?: string;
    scope: string;
    ok: number;
    /** The answer's schema (built on first use), or null when the answer has no body. */
    schema: (() => ZodType<T>) | null;
    what: string;
    json?: unknown;
  }): Promise<AdminResult<T>> {
    const url = `${this.target.baseUrl}/api/${encodeURIComponent(this.target.tenantId)}/admin/${spec.base ?? 'apiKeys'}${spec.path}`;
    const secretHeaders: Record<string, string> = this.credential.kind === 'api-key' ? { [API_KEY_HEADER]: this.credential.secret } : { authorization: `Bearer ${this.credential.token}` };
    const outcome = await this.http.send({ method: spec.method, url, secretHeaders, ...(spec.json === undefined ? {} : { json: spec.json }) });
    if (outcome.kind === 'response' && outcome.status === spec.ok) {
      if (spec.schema === null) return { ok: true, value: null as T };
      const parsed = spec.schema().safeParse(parseJson(outcome));
      if (parsed.success) return { ok: true, value: this.redactDefinitions(parsed.data) };
      const lost = spec.ok === 201 ? ' The key may have been created on the server without its token reaching the vault: look for it in the server\'s list and delete it.' : '';
      return { ok: false, error: { kind: 'unexpected', status: outcome.status, message: `The server answered ${outcome.status} to ${spec.what}, but not in the ApiKeys shape.${lost}` } };
    }
    return { ok: false, error: this.errorOf(outcome, spec.scope, spec.what) };
  }

  /**
   * A created key's token joins the secrets in play (a server may echo it later); names and
   * permissions from the server lose any secret a server put in them. The token itself is kept.
   */
  private redactDefinitions<T>(value: T): T {
    if (Array.isArray(value)) return value.map((item: unknown) => this.redactDefinitions(item)) as T;
    if (value === null || typeof value !== 'object') return value;
    const { token, ...rest } = value as Record<string, unknown>;
    if (typeof token === 'string') this.redactor.add(token);
    const clean = this.redactor.redactValue(rest);
    return (typeof token === 'string' ? { ...clean, token } : clean) as T;
  }

  private errorOf(outcome: HttpOutcome, scope: string, what: string): AdminError {
    if (outcome.kind === 'failure') {
      // Refused, unresolved or untrusted: nothing left this computer. Reset or timed out: the
      // request may have reached the server, and only its answer was lost.
      const sent = outcome.failure === 'reset' || outcome.failure === 'timeout' || outcome.failure === 'network';
      return { kind: 'network', status: null, failure: outcome.failure, message: `Could not ${what}: ${outcome.message} ${sent ? 'The request may have reached the server: only its answer is known to be lost.' : 'Nothing reached the server.'}` };
    }
    const problem = problemOf(outcome, this.redactor);
    const said = problem.detail ?? problem.title;
    const quote = said ? ` The server said: "${said.replace(/\.$/, "")}".` : "";
    const status = outcome.status;
    const credential = this.credential.label;
    switch (true) {
      case status === 400:
        return {
          kind: 'invalid',
          status: 400,
          fieldErrors: problem.errors,
          message: `The server refused to ${what} (400): ${Object.entries(problem.errors).map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ') || said || 'invalid request'}.`,
        };
      case status === 401:
        return {
          kind: 'unauthorized',
          status: 401,
          message: `The admin credential (${credential}) was refused (401): it is invalid, revoked, disabled or expired.${quote} Store a working one.`,
        };
      case status === 403:
        return {
          kind: 'forbidden',
          status: 403,
          message: `The admin credential (${credential}) authenticates but lacks \`${scope}\`, which is needed to ${what} (403). Grant it that scope, or use a credential that has it.`,
        };
      case status === 404:
        return { kind: 'not_found', status: 404, message: `Could not ${what}: not found on the server (404).${quote} Check the name in the server's list, and the tenant id and base URL.` };
      case status === 409:
        return { kind: 'conflict', status: 409, message: `Could not ${what}: the server already has a key with that name (409). Choose another name.` };
      case status === 429 || (status === 503 && outcome.headers['retry-after'] !== undefined): {
        const retry = retryAfterSeconds(outcome.headers['retry-after']);
        return { kind: 'throttled', status, retryAfterSeconds: retry, message: `Rate limited (${status}) while trying to ${what}; retry ${retry === null ? 'in a minute' : `in ${retry} s`}.` };
      }
      case status >= 500:
        return { kind: 'server_error', status, message: `The server failed (${status}) while trying to ${what}.${quote} Retry in a few minutes.` };
      default:
        return { kind: 'unexpected', status, message: `The server answered ${status} to ${what}, which the ApiKeys API does not document.${quote}` };
    }
  }
}

/** Turns a failed admin result into the VaultError the CLI and IPC report. */
export function adminFailure(error: AdminError): VaultError {
  const code =
    error.kind === 'invalid'
      ? 'INVALID_INPUT'
      : error.kind === 'not_found'
        ? 'NOT_FOUND'
        : error.kind === 'conflict'
          ? 'ALREADY_EXISTS'
          : error.kind === 'unauthorized' || error.kind === 'forbidden'
            ? 'REMOTE_REFUSED'
            : 'REMOTE_FAILED';
  return new VaultError(code, error.message);
}

/** The value of an admin result, or its error thrown as a VaultError. */
export function valueOf<T>(result: AdminResult<T>): T {
  if (result.ok) return result.value;
  throw adminFailure(result.error);
}

function parseJson(outcome: HttpOutcome): unknown {
  if (outcome.kind !== 'response' || outcome.truncated) return undefined;
  try {
    return JSON.parse(outcome.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A ProblemDetails body's readable parts, redacted before they are cut; anything else yields nothing. */
export function problemOf(outcome: HttpOutcome, redactor: Redactor): { title: string | null; detail: string | null; errors: Record<string, string[]> } {
  const body = parseJson(outcome);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { title: null, detail: null, errors: {} };
  const record = body as Record<string, unknown>;
  const clean = (text: string) => redactor.redactText(text).slice(0, 300);
  const errors: Record<string, string[]> = {};
  if (typeof record.errors === 'object' && record.errors !== null && !Array.isArray(record.errors)) {
    for (const [field, messages] of Object.entries(record.errors as Record<string, unknown>).slice(0, 20)) {
      if (Array.isArray(messages)) errors[clean(field)] = messages.filter((m): m is string => typeof m === 'string').slice(0, 10).map(clean);
    }
  }
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? clean(value) : null);
  return { title: text(record.title), detail: text(record.detail), errors };
}
