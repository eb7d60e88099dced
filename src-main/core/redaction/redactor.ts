/**
 * The one redactor. Every string that came from outside (response bodies, headers, ProblemDetails,
 * error messages, validation errors, names a server lists) passes through it before it is printed,
 * stored, journaled, audited or sent over IPC; a program's output under the command line's `exec` passes through
 * its streaming form (stream-redactor.ts).
 *
 * It knows the secrets in play in one operation (the key checked, the admin key or bearer token
 * used, a token just created) and finds each of them however a server may have echoed it: literal,
 * percent-encoded (either hex case, `+` for a space, or every byte escaped), JSON-escaped (`\uXXXX`
 * for any character too), as HTML character references (`&#97;`, `&#x61;`, `&amp;`…), base64 and
 * base64url at any byte alignment (inside `Basic user:key`, say, and wrapped at 64 or 76 columns),
 * hex in any case, mixes of escaped and literal characters, and any fragment of at least 12
 * characters of one of those forms (a value cut at a body cap or an excerpt boundary, or split in
 * two by the server). It undoes the escapes before it compares and removes the span of the original
 * that the match came from (normal-view.ts, secret-matcher.ts). Callers redact first and truncate
 * after, never the other way round.
 *
 * `redactText` also removes what merely looks like a secret in free text (long tokens, escaped or
 * not, values of fields named like secrets), sparing trace ids and UUIDs, which a vendor's support
 * needs and which are not secret. `redactName` removes only the known secrets, for names and permissions, which are
 * long identifiers by nature.
 */
import { normalViews } from './normal-view.ts';
import { SecretMatcher } from './secret-matcher.ts';

export { formsOf, MIN_FRAGMENT } from './forms.ts';

/** What replaces a secret, unless the redactor was given another replacement. */
export const REDACTED = '[redacted]';

/** How a redactor writes what it removed. */
export interface RedactorOptions {
  /** The text put in place of each secret (default REDACTED). */
  replacement?: string;
}

const SECRET_FIELD_HINT = /token|secret|password|key|authorization|signing/i;
const SECRET_FIELD = /("[^"]*(?:token|secret|password|apikey|api_key|key|authorization|signing)[^"]*"\s*:\s*)"[^"]*"/gi;
// Only from the start of a run: tried at every position, `{32,}` would read up to 31 characters
// ahead in each run too short to match, which made this one pass most of redactText's cost.
const LONG_TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}/g;
const TOKEN_CHAR = /[A-Za-z0-9_-]/;
/** Identifiers that look like tokens but are not secret: W3C trace context ids and UUIDs. */
const NOT_SECRET = [/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/i, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /^[0-9a-f]{32}$/i];

export class Redactor {
  /** Built on first use: bulk checks make thousands of redactors and use few. */
  private readonly matcher = new SecretMatcher();
  /** What replaces a secret. */
  readonly replacement: string;

  constructor(secrets: Iterable<string | null | undefined> = [], options: RedactorOptions = {}) {
    this.replacement = options.replacement ?? REDACTED;
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a secret in play; null, undefined and very short strings are ignored. Returns this. */
  add(secret: string | null | undefined): this {
    this.matcher.add(secret);
    return this;
  }

  /** A redactor that knows this one's secrets and `more`, with the same replacement. */
  with(...more: (string | null | undefined)[]): Redactor {
    const copy = new Redactor(this.matcher.secrets, { replacement: this.replacement });
    for (const secret of more) copy.add(secret);
    return copy;
  }

  /** The secrets it knows, for a stream redactor that must know the same. */
  get secrets(): ReadonlySet<string> {
    return this.matcher.secrets;
  }

  /** True when it knows no secret (then `redactName` is the identity). */
  get empty(): boolean {
    return this.matcher.secrets.size === 0;
  }

  /** Removes the known secrets, in every form and fragment; nothing else. For names and permissions. */
  redactName(text: string): string {
    const { covered } = this.matcher.cover(text);
    return covered ? replaceCovered(text, covered, 0, text.length, this.replacement) : text;
  }

  /** Removes the known secrets, then anything in free text that looks like a secret. */
  redactText(text: string): string {
    let result = this.redactName(text);
    // The field-name pass is the costly one; most texts have no such field, so look first.
    if (SECRET_FIELD_HINT.test(result)) result = result.replace(SECRET_FIELD, (_match, field: string) => `${field}"${this.replacement}"`);
    result = result.replace(LONG_TOKEN, (token) => (NOT_SECRET.some((pattern) => pattern.test(token)) ? token : this.replacement));
    return escapedTokens(result, this.replacement);
  }

  /**
   * A JSON value with `redactName` applied to every string in it, keys included (a server may name a
   * field after a secret). Non-string leaves are kept as they are.
   */
  redactValue<T>(value: T): T {
    if (this.empty) return value;
    return deep(value, (text) => this.redactName(text)) as T;
  }
}

/**
 * `text` from `from` to `to` with each run of covered characters replaced by `replacement` once. A
 * run never splits a surrogate pair: half a character would be written as U+FFFD.
 */
export function replaceCovered(text: string, covered: Uint8Array, from: number, to: number, replacement: string): string {
  let result = '';
  for (let index = from; index < to; ) {
    const start = index;
    if (covered[index]) {
      while (index < to && covered[index]) index += 1;
      if (index < to && isLowSurrogate(text, index)) index += 1;
      result += replacement;
    } else {
      while (index < to && !covered[index]) index += 1;
      // A run that starts on the second half of a pair takes the first half along.
      const end = index < to && isLowSurrogate(text, index) ? index - 1 : index;
      result += text.slice(start, end);
      if (end < index) {
        covered[end] = 1;
        index = end;
      }
    }
  }
  return result;
}

/**
 * Long tokens that show only once escapes are undone: a secret this redactor does not know (another
 * operation's key, echoed by the server that saw it), written with every character escaped.
 */
function escapedTokens(text: string, replacement: string): string {
  let covered: Uint8Array | null = null;
  for (const view of normalViews(text)) {
    const token = view.text;
    // Only the runs that hold an undone escape: the others were seen as they are.
    let end = 0;
    for (const position of view.changed) {
      if (position < end || !TOKEN_CHAR.test(token[position]!)) continue;
      let start = position;
      while (start > 0 && TOKEN_CHAR.test(token[start - 1]!)) start -= 1;
      end = position + 1;
      while (end < token.length && TOKEN_CHAR.test(token[end]!)) end += 1;
      if (end - start < 32 || NOT_SECRET.some((pattern) => pattern.test(token.slice(start, end)))) continue;
      covered ??= new Uint8Array(text.length);
      covered.fill(1, view.startOf(start), view.endOf(end - 1));
    }
  }
  return covered ? replaceCovered(text, covered, 0, text.length, replacement) : text;
}

function isLowSurrogate(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 0xdc00 && code <= 0xdfff && at > 0 && (text.charCodeAt(at - 1) & 0xfc00) === 0xd800;
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
