/**
 * Airwallex: a key is never sent to the API itself. It is exchanged, with the tenant's client id
 * (and an account to act as, optionally), at the login endpoint for a short-lived bearer token,
 * which the requests carry. Keys are created, regenerated and deleted in Airwallex's web app: it has
 * no admin API for them.
 */
import { randomBytes } from 'node:crypto';
import { checkName } from '../../../shared/rules.ts';
import { assertRule, VaultError } from '../../errors.ts';
import type { HttpRequest } from '../../http/http-client.ts';
import type { VendorDefinition } from '../vendor.ts';
import { AIRWALLEX_PROBES } from './probes.ts';

export const airwallex: VendorDefinition = {
  id: 'airwallex',
  name: 'Airwallex',
  // Production, and its demo environment (the vault's `staging`).
  baseUrls: { production: 'https://api.airwallex.com', staging: 'https://api-demo.airwallex.com' },
  probes: AIRWALLEX_PROBES,
  noAdminApi:
    "Airwallex has no admin API for keys. Create, regenerate and delete them in the Airwallex web app; after a regenerate, replace the entry's key with the new one (it is checked before the old one is dropped).",
  checkTenant(input) {
    if (!input.clientId) throw new VaultError('INVALID_INPUT', 'An Airwallex tenant needs its client id (Settings › Developer › API keys in the Airwallex web app).');
    assertRule(checkName(input.clientId, 'Client id'));
    if (input.loginAs !== undefined) assertRule(checkName(input.loginAs, 'Login-as account'));
  },
  // Airwallex's API keys are long random strings; the shape matters less than that none was ever issued.
  impossibleKey: () => randomBytes(48).toString('base64url'),
  auth: (tenant) => ({ kind: 'airwallex', clientId: tenant.clientId ?? '', ...(tenant.loginAs ? { loginAs: tenant.loginAs } : {}) }),

  /** The login exchange: the key and client id for a short-lived bearer token. */
  async exchange(http, base, auth, secret) {
    const request: HttpRequest = {
      method: 'POST',
      url: `${base}/api/v1/authentication/login`,
      headers: { 'x-client-id': auth.clientId, ...(auth.loginAs ? { 'x-login-as': auth.loginAs } : {}) },
      secretHeaders: { 'x-api-key': secret },
    };
    const exchanged = await http.send(request);
    if (exchanged.kind === 'failure' || exchanged.status < 200 || exchanged.status >= 300) return { ok: false, outcome: exchanged, url: request.url };
    let token: unknown;
    try {
      token = (JSON.parse(exchanged.body.toString('utf8')) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token.length === 0) return { ok: false, outcome: { ...exchanged, status: 502 }, url: request.url };
    return { ok: true, token };
  },
};
