/**
 * The one redactor. Every string that came from outside (response bodies, headers, ProblemDetails,
 * error messages, validation errors, names a server lists) passes through it before it is printed,
 * stored, journaled, audited or sent over IPC.
 *
 * It knows the secrets in play in one operation (the key checked, the admin key or bearer token
 * used, a token just created) and finds each of them however a server may have echoed it: literal,
 * percent-encoded (either hex case, `+` for a space), JSON-escaped, base64 and base64url at any byte
 * alignment (inside `Basic user:key`, say), hex, and any fragment of at least 12 characters of one of
 * those forms (a value cut at a body cap or an excerpt boundary, or split in two by the server).
 * Callers redact first and truncate after, never the other way round.
 *
 * `redactText` also removes what merely looks like a secret in free text (long tokens, values of
 * fields named like secrets), sparing trace ids and UUIDs, which a vendor's support needs and which
 * are not secret. `redactName` removes only the known secrets, for names and permissions, which are
 * long identifiers by nature.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]';

/** The shortest fragment of a secret's form that is still redacted on its own. */
export const MIN_FRAGMENT = 12;

/** Secrets shorter than this are not looked for: they would match ordinary text everywhere. */
const MIN_SECRET = 6;

const SECRET_FIELD_HINT = /token|secret|password|key|authorization|signing/i;
const SECRET_FIELD = /("[^"]*(?:token|secret|password|apikey|api_key|key|authorization|signing)[^"]*"\s*:\s*)"[^"]*"/gi;
const LONG_TOKEN = /[A-Za-z0-9_-]{32,}/g;
/** Identifiers that look like tokens but are not secret: W3C trace context ids and UUIDs. */
const NOT_SECRET = [/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/i, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /^[0-9a-f]{32}$/i];
const PERCENT_HEX = /%[0-9a-f]{2}/gi;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Every MIN_FRAGMENT-long piece of every form of every secret; built on first use (bulk checks make thousands of redactors and use few). */
  private grams: Set<string> | null = null;
  /** Forms shorter than MIN_FRAGMENT, matched whole. */
  private readonly shortForms = new Set<string>();

  constructor(secrets: Iterable<string | null | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a secret in play; null, undefined and very short strings are ignored. Returns this. */
  add(secret: string | null | undefined): this {
    if (!secret || secret.length < MIN_SECRET || this.secrets.has(secret)) return this;
    this.secrets.add(secret);
    this.grams = null;
    return this;
  }

  /** A redactor that knows this one's secrets and `more`. */
  with(...more: (string | null | undefined)[]): Redactor {
    const copy = new Redactor(this.secrets);
    for (const secret of more) copy.add(secret);
    return copy;
  }

  /** True when it knows no secret (then `redactName` is the identity). */
  get empty(): boolean {
    return this.secrets.size === 0;
  }

  /** Removes the known secrets, in every form and fragment; nothing else. For names and permissions. */
  redactName(text: string): string {
    if (this.secrets.size === 0 || text.length === 0) return text;
    // Percent escapes compared in upper case; the copy keeps every position of the original.
    const normal = text.includes('%') ? text.replace(PERCENT_HEX, (escape) => escape.toUpperCase()) : text;
    const grams = this.buildGrams();
    const covered = new Uint8Array(text.length);
    let any = false;
    for (let index = 0; index + MIN_FRAGMENT <= normal.length; index += 1) {
      if (grams.has(normal.slice(index, index + MIN_FRAGMENT))) {
        covered.fill(1, index, index + MIN_FRAGMENT);
        any = true;
      }
    }
    for (const form of this.shortForms) {
      for (let at = normal.indexOf(form); at !== -1; at = normal.indexOf(form, at + 1)) {
        covered.fill(1, at, at + form.length);
        any = true;
      }
    }
    if (!any) return text;
    let result = '';
    for (let index = 0; index < text.length; ) {
      if (covered[index]) {
        while (index < text.length && covered[index]) index += 1;
        result += REDACTED;
      } else {
        const start = index;
        while (index < text.length && !covered[index]) index += 1;
        result += text.slice(start, index);
      }
    }
    return result;
  }

  private buildGrams(): Set<string> {
    if (this.grams) return this.grams;
    const grams = new Set<string>();
    this.shortForms.clear();
    for (const secret of this.secrets) {
      for (const form of formsOf(secret)) {
        if (form.length < MIN_FRAGMENT) this.shortForms.add(form);
        else for (let index = 0; index + MIN_FRAGMENT <= form.length; index += 1) grams.add(form.slice(index, index + MIN_FRAGMENT));
      }
    }
    this.grams = grams;
    return grams;
  }

  /** Removes the known secrets, then anything in free text that looks like a secret. */
  redactText(text: string): string {
    let result = this.redactName(text);
    // The field-name pass is the costly one; most texts have no such field, so look first.
    if (SECRET_FIELD_HINT.test(result)) result = result.replace(SECRET_FIELD, `$1"${REDACTED}"`);
    return result.replace(LONG_TOKEN, (token) => (NOT_SECRET.some((pattern) => pattern.test(token)) ? token : REDACTED));
  }

  /**
   * A JSON value with `redactName` applied to every string in it, keys included (a server may name a
   * field after a secret). Non-string leaves are kept as they are.
   */
  redactValue<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return deep(value, (text) => this.redactName(text)) as T;
  }
}

function deep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => deep(item, redact));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) copy[redact(key)] = deep(item, redact);
    return copy;
  }
  return value;
}

/** Every way a server may have written `secret` back. */
export function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([secret]);
  const percent = encodeURIComponent(secret);
  forms.add(percent);
  // The form encoding (application/x-www-form-urlencoded) leaves fewer characters alone.
  forms.add(new URLSearchParams({ k: secret }).toString().slice(2).replace(PERCENT_HEX, (escape) => escape.toUpperCase()));
  // encodeURI leaves reserved characters (/ ? : @ & = + $ ,) as they are: a path or Location header.
  forms.add(encodeURI(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  // JSON that escapes every non-ASCII character, and the HTML-ish escapes of a quote.
  forms.add(JSON.stringify(secret).slice(1, -1).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  // base64 at each of the three byte alignments: only the characters that depend on the secret
  // alone are kept, so the secret is found inside a longer encoded value too.
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64');
    const from = shift === 0 ? 0 : Math.ceil((shift * 4) / 3);
    const to = Math.floor(((shift + bytes.length) * 4) / 3);
    const stable = encoded.slice(from, to);
    forms.add(stable);
    forms.add(stable.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''));
    forms.add(encodeURIComponent(stable));
  }
  return [...forms].filter((form) => form.length > 0);
}
