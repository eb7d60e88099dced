/**
 * Escapes a server (or a program) may apply to every character of a secret, and a search that
 * undoes them all: the leak tests look for a canary in what a run printed by decoding it every way
 * these escapes and the usual encodings can be undone, not by comparing it with the forms that were
 * planted. Written apart from the redactor (src-main/core/redaction), so that a decoder missing
 * there is not missing here too.
 */

/** Every UTF-8 byte as `%XY` (encodeURIComponent leaves letters and digits alone). */
export function percentEveryByte(text: string, upper = false): string {
  const hex = [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  return upper ? hex.toUpperCase() : hex;
}

/** Every UTF-16 unit as a JSON `\uXXXX` escape. */
export function jsonEveryChar(text: string, upper = false): string {
  let escaped = '';
  for (let index = 0; index < text.length; index += 1) {
    const hex = text.charCodeAt(index).toString(16).padStart(4, '0');
    escaped += `\\u${upper ? hex.toUpperCase() : hex}`;
  }
  return escaped;
}

/** Every character as an HTML numeric character reference: `&#97;`, `&#x61;` or `&#X61;`. */
export function htmlNumeric(text: string, style: 'decimal' | 'hex' | 'HEX' = 'decimal'): string {
  return [...text]
    .map((char) => {
      const point = char.codePointAt(0)!;
      return style === 'decimal' ? `&#${point};` : style === 'hex' ? `&#x${point.toString(16)};` : `&#X${point.toString(16).toUpperCase()};`;
    })
    .join('');
}

/** Lines of `width` characters, as the `base64` tool (76), PEM and MIME (64) wrap. */
export function wrapLines(text: string, width: number, lineBreak: '\n' | '\r\n' = '\n'): string {
  const lines: string[] = [];
  for (let index = 0; index < text.length; index += width) lines.push(text.slice(index, index + width));
  return lines.join(lineBreak);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function undoPercent(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'));
}

function undoJson(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g, (_escape, hex: string | undefined, short: string | undefined) =>
    hex ? String.fromCharCode(parseInt(hex, 16)) : ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[short!] ?? short!,
  );
}

function undoHtml(text: string): string {
  return text.replace(/&#[xX]([0-9a-fA-F]{1,6});?|&#([0-9]{1,7});?|&(amp|lt|gt|quot|apos);/gi, (escape, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    const point = hex ? parseInt(hex, 16) : decimal ? parseInt(decimal, 10) : -1;
    if (point > 0 && point <= 0x10ffff && (point < 0xd800 || point > 0xdfff)) return String.fromCodePoint(point);
    return name ? NAMED[name.toLowerCase()]! : escape;
  });
}

/** The text with character escapes undone every way: each alone, then all of them in a row. */
function characterViews(text: string): string[] {
  const views = new Set([text, undoPercent(text), undoJson(text), undoHtml(text), undoPercent(undoJson(undoHtml(text))), undoHtml(undoJson(undoPercent(text)))]);
  return [...views];
}

/** The bytes every base64 and hex run of `text` decodes to, at each alignment (line breaks in a run dropped, as a decoder does; `=` ends a run, as padding does). */
function decodedRuns(text: string): Buffer[] {
  const decoded: Buffer[] = [];
  for (const [run] of text.matchAll(/[A-Za-z0-9+/_-]{8,}(?:\r?\n[A-Za-z0-9+/_-]+)*/g)) {
    const joined = run.replace(/\r?\n/g, '');
    for (let shift = 0; shift < 4; shift += 1) decoded.push(Buffer.from(joined.slice(shift), 'base64'));
  }
  for (const [run] of text.matchAll(/[0-9a-fA-F]{8,}/g)) for (let shift = 0; shift < 2; shift += 1) decoded.push(Buffer.from(run.slice(shift).slice(0, (run.length - shift) & ~1), 'hex'));
  return decoded;
}

/**
 * True when `haystack`, decoded in any way above (percent, JSON and HTML escapes, then base64 or hex
 * runs), holds `secret`, or any `fragment`-character piece of it when `fragment` is given.
 */
export function revealsSecret(haystack: string | Buffer, secret: string, fragment?: number): boolean {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('utf8');
  const pieces = new Set<string>([secret]);
  if (fragment !== undefined) for (let index = 0; index + fragment <= secret.length; index += 1) pieces.add(secret.slice(index, index + fragment));
  const needles = [...pieces].map((piece) => Buffer.from(piece, 'utf8'));
  for (const view of characterViews(text)) {
    const bytes = [Buffer.from(view, 'utf8'), ...decodedRuns(view)];
    if (bytes.some((candidate) => needles.some((needle) => candidate.includes(needle)))) return true;
  }
  return false;
}
