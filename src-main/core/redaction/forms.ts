/**
 * The forms a secret may come back in, as the matcher compares them: written out by the encodings a
 * server applies to a whole value (hex, base64 at each byte alignment, percent and JSON escaping of
 * the usual characters). Escapes a server may apply to any character (every byte percent-escaped,
 * `\uXXXX`, HTML entities) and line breaks in wrapped base64 are not listed here: the matcher undoes
 * them before it compares (see normal-view.ts), so that mixes of escaped and literal characters are
 * found too.
 */

/** The shortest fragment of a secret's form that is still redacted on its own. */
export const MIN_FRAGMENT = 12;

const PERCENT_HEX = /%[0-9a-f]{2}/gi;

/** Every way a server may have written `secret` back, before any per-character escaping. */
export function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([secret]);
  const percent = encodeURIComponent(secret);
  forms.add(percent);
  // The form encoding (application/x-www-form-urlencoded) leaves fewer characters alone, and writes
  // a space as `+`, which stays once the percent escapes around it are undone.
  forms.add(new URLSearchParams({ k: secret }).toString().slice(2).replace(PERCENT_HEX, (escape) => escape.toUpperCase()));
  if (secret.includes(' ')) forms.add(secret.replaceAll(' ', '+'));
  // encodeURI leaves reserved characters (/ ? : @ & = + $ ,) as they are: a path or Location header.
  forms.add(encodeURI(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  // JSON that escapes every non-ASCII character, and the HTML-ish escapes of a quote.
  forms.add(JSON.stringify(secret).slice(1, -1).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  for (const form of base64FormsOf(secret)) {
    forms.add(form);
    forms.add(encodeURIComponent(form));
  }
  return [...forms].filter((form) => form.length > 0);
}

/**
 * The secret's base64, at each of the three byte alignments and in both alphabets: only the
 * characters that depend on the secret alone are kept, so the secret is found inside a longer
 * encoded value too.
 */
export function base64FormsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64');
    const from = shift === 0 ? 0 : Math.ceil((shift * 4) / 3);
    const to = Math.floor(((shift + bytes.length) * 4) / 3);
    const stable = encoded.slice(from, to);
    forms.push(stable, stable.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''));
  }
  return forms.filter((form) => form.length > 0);
}
