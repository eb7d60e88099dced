// Property tests of the one masking path: for generated keys, encodings (and encodings of
// encodings), surrounding text and chunk splits, no output of the redactor or its stream holds the
// key in any form — searched by decoding the output every way (test/support/escapes.ts), not by
// comparing it with what went in. And text without a secret comes out as it went in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../../src-main/core/redaction/redactor.ts';
import { ByteStreamRedactor, StreamRedactor } from '../../../../src-main/core/redaction/stream-redactor.ts';
import { htmlNumeric, jsonEveryChar, percentEveryByte, revealsSecret, wrapLines } from '../../../support/escapes.ts';

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
/**
 * No piece of the key this long may be left, once decoded. A fragment is redacted from 12
 * characters of a form on, but where a form starts or ends inside a longer value (base64 after a
 * prefix) the few characters that mix the key with its neighbours are not; this is what is left
 * when a 12-character piece of a form is missed (the end of a wrapped line, a stream's chunk).
 */
const FRAGMENT = 8;
const PLACEHOLDER = '<concealed by tkv>';

// Keys: Wallet Crew's (64 base64url characters), shorter ones, and ones with characters every
// encoding treats differently (`+/=`, quotes, escapes' own characters, non-ASCII, astral).
const key = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 64, maxLength: 64 }),
  fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 16, maxLength: 48 }),
  fc.string({ unit: fc.constantFrom(...BASE64URL, '+', '/', '=', ' ', '"', '\\', '%', '&', ';', 'é', 'ß', '€', '日', '😀'), minLength: 16, maxLength: 48 }),
);

type Bytes =
  | { kind: 'none' }
  | { kind: 'hex'; letters: 'lower' | 'upper' | 'mixed' }
  | { kind: 'base64'; before: number[]; after: number[]; url: boolean; padded: boolean; wrap: 0 | 64 | 76; lineBreak: '\n' | '\r\n' };
type Chars =
  | { kind: 'none' | 'uri' | 'json' }
  | { kind: 'percent' | 'jsonEvery'; upper: boolean; mask: boolean[] }
  | { kind: 'html'; style: 'decimal' | 'hex' | 'HEX'; mask: boolean[] };
interface Encoding {
  bytes: Bytes;
  chars: Chars;
}

const mask = fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }).map((bits) => (bits.includes(true) ? bits : [true, ...bits]));
const bytesLevel: fc.Arbitrary<Bytes> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('hex' as const), letters: fc.constantFrom('lower' as const, 'upper' as const, 'mixed' as const) }),
  fc.record({
    kind: fc.constant('base64' as const),
    // Up to a line and a half of bytes before the key: it starts anywhere on a wrapped line.
    before: fc.array(fc.nat(255), { maxLength: 80 }),
    after: fc.array(fc.nat(255), { maxLength: 8 }),
    url: fc.boolean(),
    padded: fc.boolean(),
    wrap: fc.constantFrom(0 as const, 64 as const, 76 as const),
    lineBreak: fc.constantFrom('\n' as const, '\r\n' as const),
  }),
);
const charsLevel: fc.Arbitrary<Chars> = fc.oneof(
  fc.record({ kind: fc.constantFrom('none' as const, 'uri' as const, 'json' as const) }),
  fc.record({ kind: fc.constantFrom('percent' as const, 'jsonEvery' as const), upper: fc.boolean(), mask }),
  fc.record({ kind: fc.constant('html' as const), style: fc.constantFrom('decimal' as const, 'hex' as const, 'HEX' as const), mask }),
);
const encoding: fc.Arbitrary<Encoding> = fc.record({ bytes: bytesLevel, chars: charsLevel });

/** What JSON cannot hold unescaped: the quote, the backslash, and control characters. */
const JSON_MUST_ESCAPE = { test: (char: string) => char === '"' || char === '\\' || char.charCodeAt(0) < 0x20 };

/**
 * Escapes the characters the mask picks (all of them when it is all true), leaving the rest literal,
 * as an encoder that escapes more than it must would: the escape's own characters always.
 */
function escapeSome(text: string, bits: boolean[], escape: (char: string) => string, always: { test(char: string): boolean }): string {
  return [...text].map((char, index) => (bits[index % bits.length] || always.test(char) ? escape(char) : char)).join('');
}

function encode(secret: string, { bytes, chars }: Encoding): string {
  let text = secret;
  const raw = Buffer.from(secret, 'utf8');
  if (bytes.kind === 'hex') {
    text = raw.toString('hex');
    if (bytes.letters === 'upper') text = text.toUpperCase();
    if (bytes.letters === 'mixed') text = [...text].map((char, index) => (index % 3 === 1 ? char.toUpperCase() : char)).join('');
  } else if (bytes.kind === 'base64') {
    const whole = Buffer.concat([Buffer.from(bytes.before), raw, Buffer.from(bytes.after)]);
    text = whole.toString(bytes.url ? 'base64url' : 'base64');
    if (!bytes.padded) text = text.replace(/=+$/, '');
    if (bytes.wrap) text = wrapLines(text, bytes.wrap, bytes.lineBreak);
  }
  switch (chars.kind) {
    case 'uri':
      return encodeURIComponent(text);
    case 'json':
      return JSON.stringify(text).slice(1, -1);
    case 'percent':
      return escapeSome(text, chars.mask, (char) => percentEveryByte(char, chars.upper), /%/);
    case 'jsonEvery':
      return escapeSome(text, chars.mask, (char) => jsonEveryChar(char, chars.upper), JSON_MUST_ESCAPE);
    case 'html':
      return escapeSome(text, chars.mask, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] ?? htmlNumeric(char, chars.style), /[&<>"']/);
    default:
      return text;
  }
}

// What a server or a program writes around an echo: nothing, words, JSON, a header, escapes' own characters.
const around = fc.oneof(
  fc.constantFrom('', ' ', '\n', 'key=', 'Authorization: Basic ', '{"apiKey":"', '"}', '<p>', '%', '&', '\\', '&#', 'token: ', 'x'.repeat(40)),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** Cuts `text` at the given points (any number of them, taken modulo its length). */
function cut(text: string, points: number[]): string[] {
  const at = [...new Set(points.map((point) => point % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of at) {
    pieces.push(text.slice(from, point));
    from = point;
  }
  pieces.push(text.slice(from));
  return pieces;
}

function streamed(redactor: Redactor, pieces: string[]): string {
  const stream = new StreamRedactor(redactor);
  return pieces.map((piece) => stream.push(piece)).join('') + stream.end();
}

function streamedBytes(redactor: Redactor, bytes: Buffer, points: number[]): Buffer {
  const stream = new ByteStreamRedactor(redactor);
  const at = [...new Set(points.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const point of [...at, bytes.length]) {
    out.push(stream.push(bytes.subarray(from, point)));
    from = point;
  }
  out.push(stream.end());
  return Buffer.concat(out);
}

const splits = fc.array(fc.nat(4000), { maxLength: 12 });

describe('the redactor, for any key, encoding, surrounding text and split', () => {
  it('leaves nothing of the key in redactName, redactText, redactValue or the stream', () => {
    fc.assert(
      fc.property(key, encoding, around, around, splits, (secret, how, before, after, points) => {
        fc.pre(!revealsSecret(`${before} ${after}`, secret, FRAGMENT));
        const echoed = encode(secret, how);
        const text = `${before}${echoed}${after}`;
        const redactor = new Redactor([secret]);
        const value = JSON.parse(JSON.stringify({ detail: text, errors: { [echoed]: [text, echoed] } })) as unknown;
        const outputs = {
          redactName: redactor.redactName(text),
          redactText: redactor.redactText(text),
          redactValue: JSON.stringify(redactor.redactValue(value)),
          stream: streamed(new Redactor([secret], { replacement: PLACEHOLDER }), cut(text, points)),
          byteStream: streamedBytes(new Redactor([secret], { replacement: PLACEHOLDER }), Buffer.from(text, 'utf8'), points).toString('utf8'),
        };
        for (const [output, written] of Object.entries(outputs)) expect(revealsSecret(written, secret, FRAGMENT), `${output}: ${JSON.stringify(written)}`).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('streams to what redactName gives for the whole text, however it is cut', () => {
    // Text around the echo that cannot merge with it (no escape characters): the stream then holds
    // back exactly what could grow into a secret, and nothing of a secret shows twice or in halves.
    const plain = fc.oneof(fc.constantFrom('', ' ', '\n', 'key=', 'Authorization: Basic ', '{"apiKey":"', '"}', '<p>', 'token: ', 'x'.repeat(40)), fc.string({ unit: fc.constantFrom(...'abc xyz:,.\n{}"'), maxLength: 30 }));
    fc.assert(
      fc.property(key, encoding, plain, plain, splits, (secret, how, before, after, points) => {
        const text = `${before}${encode(secret, how)}${after}`;
        const redactor = new Redactor([secret], { replacement: PLACEHOLDER });
        expect(streamed(redactor, cut(text, points))).toBe(redactor.redactName(text));
      }),
      { numRuns: 300 },
    );
  });

  it('passes text that holds no secret through unchanged, whole or streamed', () => {
    // Ordinary text, and text full of escapes, entities, hex and wrapped base64 of other things.
    const other = fc.string({ minLength: 16, maxLength: 48 });
    const noisy = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.tuple(other, encoding).map(([text, how]) => encode(text, how)),
      fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.tuple(other, encoding).map(([text, how]) => encode(text, how))), { maxLength: 6 }).map((parts) => parts.join(' ')),
    );
    // A fragment of a form is redacted anywhere, and 12 characters of an escaped or hex form can be
    // 4 characters of the key (2 for non-ASCII ones): text that shares that much with it is no
    // ordinary text (fast-check builds such text on purpose, from small alphabets).
    const asciiKey = fc.oneof(
      fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 16, maxLength: 64 }),
      fc.string({ unit: fc.constantFrom(...BASE64URL, '+', '/', '=', ' ', '"', '\\', '%', '&', ';'), minLength: 16, maxLength: 48 }),
    );
    fc.assert(
      fc.property(asciiKey, noisy, splits, (secret, text, points) => {
        fc.pre(!revealsSecret(text, secret, 4));
        const redactor = new Redactor([secret], { replacement: PLACEHOLDER });
        expect(redactor.redactName(text)).toBe(text);
        expect(streamed(redactor, cut(text, points))).toBe(text);
      }),
      { numRuns: 400 },
    );
  });

  it('passes bytes that hold no secret through byte for byte, UTF-8 or not, however they are cut', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ maxLength: 300 }), splits, (secret, bytes, points) => {
        const input = Buffer.from(bytes);
        expect(streamedBytes(new Redactor([secret], { replacement: PLACEHOLDER }), input, points).equals(input)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
