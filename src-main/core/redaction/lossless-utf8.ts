/**
 * Bytes to text and back without losing any: a program's output may be binary (an archive piped to a
 * file), and what is not a secret must come out byte for byte. Valid UTF-8 decodes as usual; each
 * byte that is not part of valid UTF-8 becomes a lone surrogate U+DC80–U+DCFF (Python's
 * "surrogateescape"), which no valid UTF-8 decodes to, and is written back as that byte.
 */
import { isUtf8 } from 'node:buffer';

const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** `bytes` as text, each byte outside valid UTF-8 kept as a lone surrogate. */
export function decodeLossless(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  // Binary output: one pass by hand (a string built escape by escape is far slower).
  const units = new Uint16Array(bytes.length);
  let count = 0;
  for (let index = 0; index < bytes.length; ) {
    const size = sequenceAt(bytes, index);
    if (size <= 0) {
      units[count++] = 0xdc00 + bytes[index]!;
      index += 1;
      continue;
    }
    const first = bytes[index]!;
    let point = size === 1 ? first : first & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07);
    for (let next = 1; next < size; next += 1) point = (point << 6) | (bytes[index + next]! & 0x3f);
    if (point < 0x10000) units[count++] = point;
    else {
      units[count++] = 0xd800 + ((point - 0x10000) >> 10);
      units[count++] = 0xdc00 + ((point - 0x10000) & 0x3ff);
    }
    index += size;
  }
  let text = '';
  for (let from = 0; from < count; from += 8192) text += String.fromCharCode(...units.subarray(from, Math.min(count, from + 8192)));
  return text;
}

/** The bytes `decodeLossless` read `text` from. */
export function encodeLossless(text: string): Buffer {
  if (text.search(ESCAPED_BYTE) === -1) return Buffer.from(text, 'utf8');
  const bytes = Buffer.allocUnsafe(text.length * 3);
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes[count++] = unit;
    else if (unit < 0x800) {
      bytes[count++] = 0xc0 | (unit >> 6);
      bytes[count++] = 0x80 | (unit & 0x3f);
    } else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      const point = 0x10000 + ((unit - 0xd800) << 10) + (text.charCodeAt(index + 1) - 0xdc00);
      bytes[count++] = 0xf0 | (point >> 18);
      bytes[count++] = 0x80 | ((point >> 12) & 0x3f);
      bytes[count++] = 0x80 | ((point >> 6) & 0x3f);
      bytes[count++] = 0x80 | (point & 0x3f);
      index += 1;
    } else if (unit >= 0xdc80 && unit <= 0xdcff) bytes[count++] = unit - 0xdc00;
    else if (unit >= 0xd800 && unit <= 0xdfff) count += bytes.write('\ufffd', count);
    else {
      bytes[count++] = 0xe0 | (unit >> 12);
      bytes[count++] = 0x80 | ((unit >> 6) & 0x3f);
      bytes[count++] = 0x80 | (unit & 0x3f);
    }
  }
  return Buffer.from(bytes.subarray(0, count));
}

/** How many bytes of `bytes` end before a UTF-8 sequence that is cut by its end (so far valid). */
export function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    return sequenceAt(bytes, bytes.length - back) === -1 ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

function leadSize(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

/** The size of the valid UTF-8 sequence at `at`; 0 when it is not valid; -1 when it is valid as far as `bytes` goes but cut by its end. */
function sequenceAt(bytes: Buffer, at: number): number {
  const first = bytes[at]!;
  const size = leadSize(first);
  if (size <= 1) return size;
  for (let index = 1; index < size; index += 1) {
    if (at + index >= bytes.length) return -1;
    const next = bytes[at + index]!;
    if ((next & 0xc0) !== 0x80) return 0;
    // Overlong forms and surrogates are not UTF-8.
    if (index === 1 && ((first === 0xe0 && next < 0xa0) || (first === 0xed && next > 0x9f) || (first === 0xf0 && next < 0x90) || (first === 0xf4 && next > 0x8f))) return 0;
  }
  return size;
}
