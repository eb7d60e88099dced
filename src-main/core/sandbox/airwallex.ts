/**
 * The second seed vendor's scheme, Airwallex-style: an API key and a client id are exchanged at a
 * login endpoint for a short-lived bearer token, which then authorizes GET endpoints by the key's
 * scopes. Clients are kept in `airwallex.yml` with the key's SHA-256 only.
 *
 *   # airwallex.yml
 *   clients:
 *     - clientId: c_3kd93jf83h
 *       keyHash: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *       permissions: [balances:read]
 *       accounts: [acct_main]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { generateToken, hashToken } from './tenant-state.ts';
import { sendJson } from './http-helpers.ts';
import { grants } from '../vendors/wallet-crew/scopes.ts';

export interface AirwallexClient {
  clientId: string;
  keyHash: string;
  permissions: string[];
  accounts: string[];
}

interface Session {
  clientId: string;
  permissions: string[];
  loginAs: string | null;
  expiresAt: number;
}

/** GET endpoints a bearer token can reach, each with its scope and a body. */
const ENDPOINTS: Record<string, { scope: string; body: (session: Session) => unknown }> = {
  '/api/v1/balances/current': {
    scope: 'balances:read',
    body: () => [
      { currency: 'EUR', available_amount: 15230.55, pending_amount: 120, reserved_amount: 0, total_amount: 15350.55 },
      { currency: 'USD', available_amount: 830.1, pending_amount: 0, reserved_amount: 0, total_amount: 830.1 },
    ],
  },
  '/api/v1/pa/payment_intents': {
    scope: 'payments:read',
    body: () => ({ items: [{ id: 'int_sandbox_0001', amount: 49.9, currency: 'EUR', status: 'SUCCEEDED' }], has_more: false }),
  },
  '/api/v1/account': {
    scope: 'accounts:read',
    body: (session) => ({ id: session.loginAs ?? 'acct_main', account_details: { business_details: { business_name: 'Sandbox Trading Ltd' } } }),
  },
};

export const AIRWALLEX_SCOPES = Object.values(ENDPOINTS).map((endpoint) => endpoint.scope);
const TOKEN_LIFETIME_MS = 30 * 60 * 1000;

export class AirwallexEmulator {
  private readonly file: string;
  private clients: AirwallexClient[];
  private readonly sessions = new Map<string, Session>();

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'airwallex.yml');
    this.clients = fs.existsSync(this.file) ? ((YAML.parse(fs.readFileSync(this.file, 'utf8')) as { clients?: AirwallexClient[] } | null)?.clients ?? []) : [];
  }

  /** Creates a client; the API key is returned once. */
  createClient(permissions: string[], accounts: string[] = ['acct_main']): { clientId: string; apiKey: string; permissions: string[]; accounts: string[] } {
    const apiKey = generateToken();
    const client = { clientId: `c_${randomBytes(8).toString('hex')}`, keyHash: hashToken(apiKey), permissions, accounts };
    this.clients = [...this.clients, client];
    this.persist();
    return { clientId: client.clientId, apiKey, permissions, accounts };
  }

  /**
   * Regenerates a client's API key, as the Airwallex web app does: a new key, returned once, and the
   * old one refused from that moment (no overlap); its sessions end too. Null for an unknown client.
   */
  regenerate(clientId: string): { clientId: string; apiKey: string } | null {
    const client = this.clients.find((candidate) => candidate.clientId === clientId);
    if (!client) return null;
    const apiKey = generateToken();
    this.clients = this.clients.map((candidate) => (candidate === client ? { ...candidate, keyHash: hashToken(apiKey) } : candidate));
    for (const [token, session] of this.sessions) if (session.clientId === clientId) this.sessions.delete(token);
    this.persist();
    return { clientId, apiKey };
  }

  private persist(): void {
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, `# Airwallex-style clients of the sandbox. Key hashes only (SHA-256, hex).\n${YAML.stringify({ clients: this.clients })}`, { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }

  /** Handles the Airwallex-style routes; false when the path is not one of them. */
  handle(request: IncomingMessage, response: ServerResponse, pathname: string, acceptAnyKey = false): boolean {
    if (pathname === '/api/v1/authentication/login') {
      if (request.method !== 'POST') sendJson(response, 405, { code: 'method_not_allowed', message: 'Use POST.' });
      else this.login(request, response, acceptAnyKey);
      return true;
    }
    const endpoint = ENDPOINTS[pathname];
    if (!endpoint) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { code: 'method_not_allowed', message: 'Use GET.' });
      return true;
    }
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const session = bearer ? this.sessions.get(bearer) : undefined;
    if (!session || session.expiresAt < Date.now()) {
      sendJson(response, 401, { code: 'unauthorized', message: 'Access denied, authentication failed' });
      return true;
    }
    if (!grants(session.permissions, endpoint.scope)) {
      sendJson(response, 403, { code: 'access_denied_not_enabled', message: `This API key does not have the ${endpoint.scope} permission.` });
      return true;
    }
    sendJson(response, 200, endpoint.body(session));
    return true;
  }

  /** `acceptAnyKey` (a fault mode): any key of a known client logs in, as a misconfigured gateway would let it. */
  private login(request: IncomingMessage, response: ServerResponse, acceptAnyKey: boolean): void {
    const apiKey = header(request, 'x-api-key');
    const clientId = header(request, 'x-client-id');
    const loginAs = header(request, 'x-login-as');
    const client = this.clients.find((candidate) => candidate.clientId === clientId);
    if (!apiKey || !client || (client.keyHash !== hashToken(apiKey) && !acceptAnyKey)) {
      sendJson(response, 401, { code: 'credentials_invalid', message: 'Invalid API key or client ID' });
      return;
    }
    if (loginAs && !client.accounts.includes(loginAs)) {
      sendJson(response, 401, { code: 'credentials_invalid', message: `This client cannot act as account ${loginAs}` });
      return;
    }
    // Expired sessions are dropped here, so a long training session does not accumulate them.
    const now = Date.now();
    for (const [existing, session] of this.sessions) if (session.expiresAt < now) this.sessions.delete(existing);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + TOKEN_LIFETIME_MS;
    this.sessions.set(token, { clientId: client.clientId, permissions: client.permissions, loginAs: loginAs ?? null, expiresAt });
    sendJson(response, 201, { token, expires_at: new Date(expiresAt).toISOString() });
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
