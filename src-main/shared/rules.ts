/**
 * Input rules shared by the vault service, the CLI, the IPC schemas and the renderer's forms, so
 * that every front door rejects the same input with the same words. Each `check*` function returns
 * null when the value is acceptable, or a sentence saying what is wrong and what to do.
 */

/** Tenant aliases, tenant ids and key names: the vendor's own key-name alphabet. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
export const NAME_MAX_LENGTH = 128;
/** A secret is at most 4 KiB of UTF-8. */
export const SECRET_MAX_BYTES = 4096;
export const SCOPE_MAX_LENGTH = 200;
export const SCOPES_MAX_COUNT = 100;
export const TEXT_MAX_LENGTH = 2000;

export const ENVIRONMENTS = ['production', 'staging', 'custom'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Base URLs of The Wallet Crew's named environments. */
/** Airwallex's API: production, and its demo environment (the vault's `staging`). */
export const AIRWALLEX_BASE_URLS: Record<Exclude<Environment, 'custom'>, string> = {
  production: 'https://api.airwallex.com',
  staging: 'https://api-demo.airwallex.com',
};

export const WALLET_CREW_BASE_URLS: Record<Exclude<Environment, 'custom'>, string> = {
  production: 'https://app.neostore.cloud',
  staging: 'https://app-qa.neostore.cloud',
};

/**
 * True for a value that looks more like a secret than a name: long, and mixing upper case, lower case
 * and digits as generated keys do (`crm-sync-production-eu` does not; a 64-character API key does).
 */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 24) return false;
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/].filter((pattern) => pattern.test(value)).length;
  return kinds === 3 || (kinds === 2 && value.length >= 40 && !/[-_.]{1}[a-z]+[-_.]/.test(value));
}

/** A name as an error message may repeat it: itself, or a stand-in when it looks like a key typed in its place. */
export function shownName(value: string): string {
  return looksLikeSecret(value) ? 'a name that looks like a key (not repeated here)' : value;
}

/** `ALIAS/NAME` as an error message may repeat it (see `shownName`). */
export function shownRef(ref: { tenant: string; name: string }): string {
  return looksLikeSecret(ref.tenant) || looksLikeSecret(ref.name) ? 'a key whose name looks like a key itself (not repeated here)' : `${ref.tenant}/${ref.name}`;
}

/** Checks a tenant alias, tenant id or key name; `what` names the field in the message. */
export function checkName(value: string, what: string): string | null {
  if (value.length === 0) return `${what} is empty; give one made of letters, digits, '.', '_' or '-'.`;
  if (value.length > NAME_MAX_LENGTH) return `${what} is longer than ${NAME_MAX_LENGTH} characters; shorten it.`;
  if (!NAME_PATTERN.test(value)) {
    // The value is not repeated: a name field is where a pasted key most often lands by mistake.
    return `${what} may only contain letters, digits, '.', '_' and '-'; rename it.`;
  }
  // A name goes into URL paths (/api/{tenantId}/…): "." and ".." would walk out of them.
  if (/^\.+$/.test(value)) return `${what} cannot be made of dots only ("." and ".." are path steps); rename it.`;
  return null;
}

/**
 * True for hosts that never leave this machine: `localhost` itself, 127.0.0.0/8 and ::1, written as
 * literals. Any other name (`attacker.localhost` included) goes through DNS and is not trusted.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * Checks a probe's path: relative to the base URL, no dot segments (plain or percent-encoded), no
 * whitespace or control characters, so that the request sent is the request shown and recorded.
 */
export function checkProbePath(value: string): string | null {
  if (!value.startsWith('/') || value.startsWith('//')) return 'The path must start with a single / and be relative to the base URL, e.g. /api/{tenantId}/stores.';
  if (hasControl(value) || /\s/.test(value)) return 'The path must not contain spaces or control characters.';
  const path = value.split(/[?#]/)[0]!;
  if (path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) return 'The path must not contain "." or ".." segments.';
  return null;
}

/**
 * Checks a base URL: https anywhere, plain http only to loopback (a key must never cross a network
 * in clear text), no credentials, query or fragment.
 */
export function checkBaseUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'The base URL is not a URL; write it like https://app.neostore.cloud.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `Base URL must start with https:// (got ${url.protocol}).`;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return `Base URL ${url.origin} uses plain http to a remote host, which would send keys in clear text; use https://, or http:// only to localhost/127.0.0.1.`;
  }
  if (url.username || url.password) return 'Base URL must not contain a user name or password.';
  if (url.search || url.hash) return 'Base URL must not contain a query (?) or fragment (#).';
  return null;
}

/** The canonical form of an accepted base URL: no trailing slash. */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Checks a list of scopes: each a non-empty string without spaces, commas or control characters. */
export function checkScopes(scopes: readonly string[]): string | null {
  if (scopes.length > SCOPES_MAX_COUNT) return `At most ${SCOPES_MAX_COUNT} scopes are allowed.`;
  for (const scope of scopes) {
    if (scope.length === 0) return 'A scope is empty; remove the stray comma or give its name (e.g. tenant.core:read).';
    if (scope.length > SCOPE_MAX_LENGTH) return `A scope is longer than ${SCOPE_MAX_LENGTH} characters.`;
    if (hasControl(scope)) return 'A scope contains control characters; type it as plain text.';
    if (/[\s,]/.test(scope)) return `Scope "${scope}" contains a space or comma; separate scopes with commas only.`;
  }
  return null;
}

/** Checks an ISO calendar date, `YYYY-MM-DD`, that actually exists (no 2026-02-30). */
export function checkIsoDate(value: string, what: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return `${what} is not a date in the form YYYY-MM-DD.`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `${what} ${value} is not a real calendar date.`;
  }
  return null;
}

/**
 * Checks a secret. The message never repeats the secret, not even a part of it.
 * Size is measured in UTF-8 bytes, as the keychain stores it.
 */
export function checkSecret(value: string): string | null {
  if (value.length === 0) return 'The secret is empty; paste the API key.';
  if (/[\r\n]/.test(value)) return 'The secret contains a line break; paste the key on a single line.';
  if (new TextEncoder().encode(value).length > SECRET_MAX_BYTES) {
    return `The secret is larger than ${SECRET_MAX_BYTES} bytes; that is not an API key — check what was pasted.`;
  }
  // Control characters are what this rule is about, so the regex names them on purpose.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'The secret contains control characters; paste the key as plain text.';
  return null;
}

/**
 * Control characters (C0, DEL, C1) and the invisible ones that reorder text (bidirectional
 * overrides): what lets text rewrite a terminal or disguise itself.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** True when `value` holds a control character (line breaks and tabs too, unless `lines`). */
export function hasControl(value: string, lines = false): boolean {
  return (lines ? CONTROL_BUT_LINES : CONTROL).test(value);
}

/**
 * Checks free text: bounded and printable. Notes (`multiline`) may hold line breaks and tabs; an
 * owner or a label is one line.
 */
export function checkText(value: string, what: string, options: { multiline?: boolean } = {}): string | null {
  if (value.length > TEXT_MAX_LENGTH) return `${what} is longer than ${TEXT_MAX_LENGTH} characters; shorten it.`;
  if (hasControl(value, options.multiline === true)) {
    return `${what} contains control characters${options.multiline ? '' : ' or line breaks'}; type it as plain text.`;
  }
  return null;
}
