/**
 * The sandbox: a local emulator of The Wallet Crew's ApiKeys admin endpoints and probe endpoints
 * (../shared/specs), plus the Airwallex-style login, throttling and fault injection, with a control
 * API under /_sandbox/. Plain Node (no Electron), so the CLI's sandbox command, the test suites and the desktop
 * app all start the same thing. Loopback only unless the caller asks otherwise.
 *
 * State directory:
 *   tenants/<tenantId>/security.yml   keys with token hashes only (tenant-state.ts)
 *   airwallex.yml                     Airwallex-style clients, key hashes only
 *   admin-keys.json                   the sandbox's own admin tokens, so a restart can print them again
 * Every request under /api/{tenantId}/ goes into the tenant's Insights `Logs`, in memory (insights.ts).
 */
import { API_KEY_HEADER } from '../vendors/wallet-crew/wallet-crew.ts';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { NAME_PATTERN } from '../../shared/rules.ts';
import { AirwallexEmulator, AIRWALLEX_SCOPES } from './airwallex.ts';
import { configBody, passesPage, permissionsBody, rolesBody, secretsBody, storesBody, usersBody, webhooksBody, PASS_COUNT } from './fixtures.ts';
import { BodyError, readJson, sendEmpty, sendJson, sendProblem } from './http-helpers.ts';
import { defaultSandboxConfig, routeMatches, SandboxConfigSchema, type Bucket, type SandboxConfig } from './sandbox-config.ts';
import { grants } from '../vendors/wallet-crew/scopes.ts';
import { generateToken, hashToken, TenantState, type StoredKey } from './tenant-state.ts';
import { Throttle } from './throttle.ts';
import { logsControl, SandboxLogs } from './insights.ts';

export const ADMIN_KEY_NAME = 'sandbox-admin';

export interface SandboxOptions {
  host?: string;
  port?: number;
  stateDir: string;
  /** Tenants to have; tenants already in the state directory are kept too. */
  tenants?: string[];
  config?: SandboxConfig;
  /**
   * Admin tokens the caller already holds, by tenant id (the app keeps them in the keychain): the
   * tenant's admin key is made to match, instead of a new token being drawn.
   */
  adminKeys?: Record<string, string>;
  /** Keep the admin tokens in `admin-keys.json`, so a restart can print them again (default true). */
  persistAdminKeys?: boolean;
  /** The clock of its Logs and Insights queries (epoch ms); transcripts fix it as they fix the vault's. */
  now?: () => number;
}

export interface SandboxTenantInfo {
  tenantId: string;
  adminKeyName: string;
  adminKey: string;
}

export interface RunningSandbox {
  url: string;
  tenants: SandboxTenantInfo[];
  controlToken: string;
  stateDir: string;
  close(): Promise<void>;
}

interface Route {
  scope: string;
  run(context: RouteContext): Promise<void> | void;
}

interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  tenant: TenantState;
  logs: SandboxLogs;
  url: URL;
  origin: string;
  keyName: string | null;
}

class Conflict extends Error {}
class Missing extends Error {}

/** Starts the sandbox and resolves once it listens. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const stateDir = path.resolve(options.stateDir);
  fs.mkdirSync(path.join(stateDir, 'tenants'), { recursive: true, mode: 0o700 });
  for (const tenantId of options.tenants ?? []) {
    if (!NAME_PATTERN.test(tenantId)) throw new Error(`Tenant id "${tenantId}" may only contain letters, digits, '.', '_' and '-'.`);
  }
  const adminFile = path.join(stateDir, 'admin-keys.json');
  const adminKeys: Record<string, SandboxTenantInfo> = options.persistAdminKeys !== false && fs.existsSync(adminFile) ? (JSON.parse(fs.readFileSync(adminFile, 'utf8')) as Record<string, SandboxTenantInfo>) : {};
  const tenants = new Map<string, TenantState>();
  for (const tenantId of fs.readdirSync(path.join(stateDir, 'tenants'))) {
    if (NAME_PATTERN.test(tenantId)) tenants.set(tenantId, TenantState.open(tenantId, path.join(stateDir, 'tenants', tenantId)));
  }

  async function addTenant(tenantId: string): Promise<SandboxTenantInfo> {
    const tenant = tenants.get(tenantId) ?? TenantState.open(tenantId, path.join(stateDir, 'tenants', tenantId));
    tenants.set(tenantId, tenant);
    const given = options.adminKeys?.[tenantId];
    const known = given ? { tenantId, adminKeyName: ADMIN_KEY_NAME, adminKey: given } : adminKeys[tenantId];
    if (known && tenant.get(known.adminKeyName)?.hash === hashToken(known.adminKey)) return (adminKeys[tenantId] = known);
    const token = given ?? generateToken();
    await tenant.update((keys) => {
      const index = keys.findIndex((key) => key.name === ADMIN_KEY_NAME);
      const admin = { name: ADMIN_KEY_NAME, enabled: true, permissions: ['*'], hash: hashToken(token) };
      if (index >= 0) keys[index] = admin;
      else keys.unshift(admin);
    });
    adminKeys[tenantId] = { tenantId, adminKeyName: ADMIN_KEY_NAME, adminKey: token };
    if (options.persistAdminKeys !== false) {
      fs.writeFileSync(`${adminFile}.tmp`, JSON.stringify(adminKeys, null, 2), { mode: 0o600 });
      fs.renameSync(`${adminFile}.tmp`, adminFile);
    }
    return adminKeys[tenantId];
  }

  const wanted = new Set([...(options.tenants ?? []), ...tenants.keys()]);
  if (wanted.size === 0) wanted.add('demo');
  for (const tenantId of wanted) await addTenant(tenantId);

  let config = options.config ?? defaultSandboxConfig();
  const throttle = new Throttle();
  const logs = new SandboxLogs(options.now);
  const airwallex = new AirwallexEmulator(stateDir);
  const controlToken = randomBytes(24).toString('base64url');
  /** OAuth admin bearer tokens by hash; in memory only, like short-lived access tokens. */
  const bearers = new Map<string, { tenantId: string; permissions: string[]; expiresAt: number }>();

  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendProblem(response, 500, 'The sandbox failed to handle this request.');
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const pathname = url.pathname;
    if (pathname.startsWith('/_sandbox/')) return control(request, response, pathname);

    let acceptAnyKey = false;
    for (const rule of config.faults.filter((candidate) => routeMatches(candidate.route, request.method ?? '', pathname))) {
      if (rule.acceptAnyKey) acceptAnyKey = true;
      if (rule.hang) return; // the socket stays open until the client or close() ends it
      if (rule.dropResponse) {
        // The request is handled in full; only its answer is lost on the way back.
        response.writeHead = (() => response) as unknown as typeof response.writeHead;
        response.end = (() => {
          request.socket.resetAndDestroy();
          return response;
        }) as unknown as typeof response.end;
      }
      if (rule.reset) {
        request.socket.resetAndDestroy();
        return;
      }
      if (rule.latencyMs) await sleep(rule.latencyMs);
      if (rule.failureRate && Math.random() < rule.failureRate) return sendProblem(response, 500, 'Injected failure.');
    }

    if (airwallex.handle(request, response, pathname, acceptAnyKey)) return;
    const match = /^\/api\/([^/]+)\/(.+)$/.exec(pathname);
    if (!match) return sendProblem(response, 404, `No endpoint at ${pathname}.`);
    const tenantId = decodeURIComponent(match[1]!);
    const tenant = tenants.get(tenantId);
    if (!tenant) return sendProblem(response, 404, `Tenant '${tenantId}' not found.`);
    // The tenant's Logs: the calling key's name once it is known ('' for a request no key opened).
    let loggedName = '';
    logs.watch(tenantId, request, response, () => loggedName);
    const found = findRoute(request.method ?? 'GET', match[2]!);
    if (found === null) return sendProblem(response, 404, `No endpoint at ${pathname}.`);
    if ('allow' in found) return sendProblem(response, 405, undefined, {}, { Allow: found.allow });

    const tenantBucket = config.throttle.tenants[tenantId] ?? config.throttle.tenants['*'];
    if (tenantBucket && refuseThrottled(response, `tenant:${tenantId}`, tenantBucket)) return;

    const token = request.headers[API_KEY_HEADER.toLowerCase()];
    const authorization = request.headers.authorization;
    let caller: { name: string | null; permissions: string[] } | undefined;
    if (typeof token === 'string' && token.length > 0) {
      const key = tenant.findByHash(hashToken(token));
      // A key of another tenant is simply unknown here: 401, like a missing, disabled or deleted one.
      if (key?.enabled) caller = { name: key.name, permissions: key.permissions };
    } else if (typeof authorization === 'string' && /^Bearer /i.test(authorization)) {
      // An OAuth admin user's access token (minted through the control API), for this tenant only.
      const bearer = bearers.get(hashToken(authorization.slice(7).trim()));
      if (bearer && bearer.tenantId === tenantId && bearer.expiresAt > Date.now()) caller = { name: null, permissions: bearer.permissions };
    }
    // The fault mode a negative control exists for: any key at all is let in, with every permission.
    if (!caller && acceptAnyKey && ((typeof token === 'string' && token.length > 0) || typeof authorization === 'string')) caller = { name: null, permissions: ['*'] };
    if (!caller) return challenge(response, 401);
    loggedName = caller.name ?? '';
    const keyBucket = caller.name === null ? undefined : config.throttle.keys[`${tenantId}/${caller.name}`];
    if (keyBucket && refuseThrottled(response, `key:${tenantId}/${caller.name ?? ''}`, keyBucket)) return;
    if (!grants(caller.permissions, found.route.scope)) return challenge(response, 403);

    const origin = `http://${request.headers.host ?? 'localhost'}`;
    await found.route.run({ request, response, tenant, logs, url, origin, keyName: caller.name });
  }

  function refuseThrottled(response: ServerResponse, id: string, bucket: Bucket): boolean {
    const decision = throttle.take(id, bucket);
    if (decision.allowed) return false;
    sendProblem(response, bucket.status, 'Too many requests; slow down.', {}, bucket.retryAfter ? { 'Retry-After': String(decision.retryAfterSeconds) } : {});
    return true;
  }

  function challenge(response: ServerResponse, status: 401 | 403): void {
    if (config.authChallenge === 'empty') {
      sendEmpty(response, status, status === 401 ? { 'WWW-Authenticate': `ApiKey realm="neostore", header="${API_KEY_HEADER}"` } : {});
    } else {
      sendProblem(response, status, status === 401 ? 'Caller not authenticated.' : 'Caller is not allowed to perform this operation.');
    }
  }

  async function control(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (request.headers.authorization !== `Bearer ${controlToken}`) return sendProblem(response, 401, 'Send the control token printed at start: Authorization: Bearer <controlToken>.');
    try {
      const route = `${request.method ?? 'GET'} ${pathname}`;
      if (route === 'GET /_sandbox/config') return sendJson(response, 200, config);
      if (route === 'PUT /_sandbox/config') {
        const parsed = SandboxConfigSchema.safeParse(await readJson(request));
        if (!parsed.success) return sendProblem(response, 400, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
        config = parsed.data;
        throttle.reset();
        return sendJson(response, 200, config);
      }
      if (route === 'DELETE /_sandbox/config') {
        config = defaultSandboxConfig();
        throttle.reset();
        return sendJson(response, 200, config);
      }
      if (route === 'GET /_sandbox/tenants') return sendJson(response, 200, [...tenants.keys()].sort().map((id) => adminKeys[id]));
      if (route === 'POST /_sandbox/tenants') {
        const body = (await readJson(request)) as { tenantId?: unknown };
        if (typeof body?.tenantId !== 'string' || !NAME_PATTERN.test(body.tenantId)) return sendProblem(response, 400, "tenantId must be letters, digits, '.', '_' or '-'.");
        if (tenants.has(body.tenantId)) return sendProblem(response, 409, `Tenant '${body.tenantId}' already exists.`);
        return sendJson(response, 201, await addTenant(body.tenantId));
      }
      if (route === 'POST /_sandbox/bearer-tokens') {
        const body = (await readJson(request)) as { tenantId?: unknown; permissions?: unknown; ttlSeconds?: unknown };
        if (typeof body?.tenantId !== 'string' || !tenants.has(body.tenantId)) return sendProblem(response, 400, 'tenantId must name a tenant of this sandbox.');
        const permissions = body.permissions ?? ['*'];
        if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string' && p.length > 0)) return sendProblem(response, 400, 'permissions must be a list of scopes.');
        const ttl = body.ttlSeconds ?? 3600;
        if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < -86_400 || ttl > 86_400) return sendProblem(response, 400, 'ttlSeconds must be a whole number of seconds (negative: already expired).');
        const token = `sbx.${randomBytes(32).toString('base64url')}`;
        const expiresAt = Date.now() + ttl * 1000;
        bearers.set(hashToken(token), { tenantId: body.tenantId, permissions: permissions as string[], expiresAt });
        return sendJson(response, 201, { accessToken: token, tokenType: 'Bearer', expiresAt: new Date(expiresAt).toISOString() });
      }
      if (route === 'POST /_sandbox/airwallex/clients') {
        const body = (await readJson(request)) as { permissions?: unknown; accounts?: unknown };
        const permissions = body?.permissions;
        if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string' && p.length > 0)) {
          return sendProblem(response, 400, `permissions must be a list of scopes, e.g. ${JSON.stringify(AIRWALLEX_SCOPES)} or ["*"].`);
        }
        const accounts = Array.isArray(body.accounts) && body.accounts.every((a) => typeof a === 'string') ? (body.accounts as string[]) : undefined;
        return sendJson(response, 201, airwallex.createClient(permissions as string[], accounts));
      }
      const regenerate = /^POST \/_sandbox\/airwallex\/clients\/([^/]+)\/regenerate$/.exec(route);
      if (regenerate) {
        const result = airwallex.regenerate(decodeURIComponent(regenerate[1]!));
        return result ? sendJson(response, 201, result) : sendProblem(response, 404, 'No such Airwallex client.');
      }
      if (await logsControl(route, request, response, logs, (id) => tenants.has(id), options.now ?? Date.now)) return;
      return sendProblem(response, 404, `No control endpoint ${route}.`);
    } catch (error) {
      if (error instanceof BodyError) return sendProblem(response, error.status, error.message);
      throw error;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    tenants: [...tenants.keys()].sort().map((id) => adminKeys[id]!),
    controlToken,
    stateDir,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The ApiKeys and probe routes under /api/{tenantId}/. */
function findRoute(method: string, rest: string): { route: Route } | { allow: string } | null {
  const verb = method === 'HEAD' ? 'GET' : method;
  const table = routesFor(rest);
  if (!table) return null;
  const route = table[verb];
  return route ? { route } : { allow: Object.keys(table).join(', ') };
}

function routesFor(rest: string): Record<string, Route> | null {
  if (rest === 'admin/apiKeys') return { GET: { scope: 'tenant.apiKey:read', run: listKeys }, POST: { scope: 'tenant.apiKey:write', run: createKey } };
  const keyMatch = /^admin\/apiKeys\/([^/]+)$/.exec(rest);
  if (keyMatch) {
    const name = decodeURIComponent(keyMatch[1]!);
    return {
      GET: { scope: 'tenant.apiKey:read', run: (c) => getKey(c, name) },
      PUT: { scope: 'tenant.apiKey:write', run: (c) => updateKey(c, name) },
      DELETE: { scope: 'tenant.apiKey:write', run: (c) => deleteKey(c, name) },
    };
  }
  const probes: Record<string, Route> = {
    'admin/config': { scope: 'tenant.core:read', run: (c) => sendJson(c.response, 200, configBody(c.tenant.tenantId, c.origin)) },
    'admin/permissions': { scope: 'tenant.access:read', run: (c) => sendJson(c.response, 200, permissionsBody()) },
    'admin/roles': { scope: 'tenant.access:read', run: (c) => sendJson(c.response, 200, rolesBody()) },
    'admin/users': { scope: 'tenant.access:read', run: (c) => sendJson(c.response, 200, usersBody(c.tenant.tenantId)) },
    passes: { scope: 'Pass.Read', run: listPasses },
    secrets: { scope: 'Secret.Read', run: (c) => sendJson(c.response, 200, secretsBody()) },
    webhooks: { scope: 'Webhook.Read', run: (c) => sendJson(c.response, 200, webhooksBody(c.tenant.tenantId)) },
    stores: { scope: 'Stores.Read', run: (c) => sendJson(c.response, 200, storesBody(c.tenant.tenantId)) },
  };
  if (rest === 'insights/query') return { POST: { scope: 'Insights.Read', run: (c) => c.logs.query(c.tenant.tenantId, c.request, c.response) } };
  const probe = probes[rest];
  return probe ? { GET: probe } : null;
}

function definition(key: StoredKey) {
  return { name: key.name, enabled: key.enabled, permissions: [...key.permissions] };
}

function listKeys({ response, tenant }: RouteContext): void {
  sendJson(response, 200, tenant.list().map(definition));
}

function getKey({ response, tenant }: RouteContext, name: string): void {
  const key = tenant.get(name);
  if (!key) return sendProblem(response, 404, `API key '${name}' not found.`);
  sendJson(response, 200, definition(key));
}

type FieldErrors = Record<string, string[]>;

function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Checks a create or update body as the OpenAPI file describes it; returns field errors. */
function validateBody(body: unknown, kind: 'create' | 'update'): FieldErrors {
  const errors: FieldErrors = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    addError(errors, '$', 'The request body must be a JSON object.');
    return errors;
  }
  const fields = body as Record<string, unknown>;
  const allowed = kind === 'create' ? ['name', 'enabled', 'permissions'] : ['enabled', 'permissions'];
  for (const field of Object.keys(fields)) if (!allowed.includes(field)) addError(errors, field, `Unknown field '${field}'.`);
  if (kind === 'create') {
    if (typeof fields.name !== 'string' || fields.name.length === 0) addError(errors, 'name', 'The name field is required.');
    else if (!NAME_PATTERN.test(fields.name)) addError(errors, 'name', 'Only alphanumeric characters, hyphens, underscores and dots are allowed.');
  }
  if (kind === 'update' && fields.enabled === undefined) addError(errors, 'enabled', 'The enabled field is required.');
  if (fields.enabled !== undefined && typeof fields.enabled !== 'boolean') addError(errors, 'enabled', 'The enabled field must be true or false.');
  const permissions = fields.permissions;
  if (permissions === undefined) {
    if (kind === 'create') addError(errors, 'permissions', 'At least one permission is required.');
  } else if (!Array.isArray(permissions) || permissions.length === 0) {
    addError(errors, 'permissions', 'At least one permission is required.');
  } else if (!permissions.every((scope) => typeof scope === 'string' && scope.trim().length > 0)) {
    addError(errors, 'permissions', 'Each permission must be a non-empty string.');
  }
  return errors;
}

async function readValidated(context: RouteContext, kind: 'create' | 'update'): Promise<Record<string, unknown> | null> {
  let body: unknown;
  try {
    body = await readJson(context.request);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    sendProblem(context.response, error.status, error.message);
    return null;
  }
  const errors = validateBody(body, kind);
  if (Object.keys(errors).length > 0) {
    sendProblem(context.response, 400, undefined, { errors });
    return null;
  }
  return body as Record<string, unknown>;
}

async function createKey(context: RouteContext): Promise<void> {
  const body = await readValidated(context, 'create');
  if (!body) return;
  const token = generateToken();
  const key: StoredKey = { name: body.name as string, enabled: (body.enabled as boolean | undefined) ?? true, permissions: body.permissions as string[], hash: hashToken(token) };
  try {
    await context.tenant.update((keys) => {
      if (keys.some((existing) => existing.name === key.name)) throw new Conflict();
      keys.push(key);
    });
  } catch (error) {
    if (error instanceof Conflict) return sendProblem(context.response, 409, `An API key named '${key.name}' already exists.`);
    throw error;
  }
  sendJson(context.response, 201, { ...definition(key), token }, { Location: `/api/${context.tenant.tenantId}/admin/apiKeys/${encodeURIComponent(key.name)}` });
}

async function updateKey(context: RouteContext, name: string): Promise<void> {
  if (!context.tenant.get(name)) return sendProblem(context.response, 404, `API key '${name}' not found.`);
  const body = await readValidated(context, 'update');
  if (!body) return;
  try {
    const updated = await context.tenant.update((keys) => {
      const key = keys.find((candidate) => candidate.name === name);
      if (!key) throw new Missing();
      key.enabled = body.enabled as boolean;
      if (body.permissions !== undefined) key.permissions = body.permissions as string[];
      return definition(key);
    });
    sendJson(context.response, 200, updated);
  } catch (error) {
    if (error instanceof Missing) return sendProblem(context.response, 404, `API key '${name}' not found.`);
    throw error;
  }
}

async function deleteKey(context: RouteContext, name: string): Promise<void> {
  try {
    await context.tenant.update((keys) => {
      const index = keys.findIndex((candidate) => candidate.name === name);
      if (index < 0) throw new Missing();
      keys.splice(index, 1);
    });
    sendEmpty(context.response, 204);
  } catch (error) {
    if (error instanceof Missing) return sendProblem(context.response, 404, `API key '${name}' not found.`);
    throw error;
  }
}

function listPasses({ response, tenant, url }: RouteContext): void {
  const pageIndex = Number(url.searchParams.get('pageIndex') ?? '0');
  const pageSize = Number(url.searchParams.get('pageSize') ?? '20');
  const errors: FieldErrors = {};
  if (!Number.isInteger(pageIndex) || pageIndex < 0) addError(errors, 'pageIndex', 'pageIndex must be a whole number from 0.');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) addError(errors, 'pageSize', 'pageSize must be a whole number from 1 to 100.');
  if (Object.keys(errors).length > 0) return sendProblem(response, 400, undefined, { errors });
  sendJson(response, 200, passesPage(tenant.tenantId, pageIndex, pageSize), { 'x-pagination-total': String(PASS_COUNT) });
}
