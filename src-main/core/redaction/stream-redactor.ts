/**
 * The redactor for a stream (a program's output under the command line's `exec`): what it passes on has the known
 * secrets removed exactly as `Redactor.redactName` removes them, even a secret split across chunks,
 * escaped or wrapped. It holds back only the end of a chunk that could still grow into a secret's
 * form (the beginning of one, an escape cut short, a covered run that may go on), so a prompt or a
 * progress line shows as soon as it is written; and it never holds more than STREAM_WINDOW
 * characters, however the stream goes on.
 */
import { completeLength, decodeLossless, encodeLossless } from './lossless-utf8.ts';
import { replaceCovered, type Redactor } from './redactor.ts';
import { SecretMatcher } from './secret-matcher.ts';

/** How much of what was already passed on is kept to find a form that began there (the widest escaped fragment, with room). */
export const STREAM_CONTEXT = 256;
/** The most a stream redactor holds back: a longer run that could still grow is passed on, redacted as it stands. */
export const STREAM_WINDOW = 16_384;

/** A text stream: `push` each chunk and pass on what it returns, then what `end` returns. */
export class StreamRedactor {
  private readonly matcher = new SecretMatcher();
  private readonly replacement: string;
  /** The end of what was passed on, as it was written: context for the next chunk. */
  private shown = '';
  private held = '';

  /** A stream redactor that knows `redactor`'s secrets and writes its replacement. */
  constructor(redactor: Redactor) {
    for (const secret of redactor.secrets) this.matcher.add(secret);
    this.replacement = redactor.replacement;
  }

  /** What can be passed on now; the rest waits for the next chunk or `end`. */
  push(chunk: string): string {
    const text = this.shown + this.held + chunk;
    const coverage = this.matcher.cover(text, false);
    let until = Math.max(this.matcher.unsettledFrom(text, coverage), this.shown.length, text.length - STREAM_WINDOW);
    // Never pass on the first half of a surrogate pair without the second.
    if (until > this.shown.length && until < text.length && (text.charCodeAt(until - 1) & 0xfc00) === 0xd800) until -= 1;
    return this.pass(text, coverage.covered, until);
  }

  /** What is left at the end of the stream. */
  end(): string {
    const text = this.shown + this.held;
    const rest = this.pass(text, this.matcher.cover(text).covered, text.length);
    this.shown = '';
    return rest;
  }

  private pass(text: string, covered: Uint8Array | null, until: number): string {
    const from = this.shown.length;
    const out = covered ? replaceCovered(text, covered, from, until, this.replacement) : text.slice(from, until);
    this.held = text.slice(until);
    this.shown = text.slice(Math.max(0, until - STREAM_CONTEXT), until);
    return out;
  }
}

/** A byte stream: UTF-8 text redacted as StreamRedactor does, and every other byte passed on as it came. */
export class ByteStreamRedactor {
  private readonly text: StreamRedactor;
  /** A UTF-8 sequence cut by the end of the last chunk. */
  private carry = Buffer.alloc(0);

  /** A byte stream redactor that knows `redactor`'s secrets and writes its replacement. */
  constructor(redactor: Redactor) {
    this.text = new StreamRedactor(redactor);
  }

  /** What can be passed on now. */
  push(chunk: Uint8Array): Buffer {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const complete = completeLength(bytes);
    this.carry = Buffer.from(bytes.subarray(complete));
    return encodeLossless(this.text.push(decodeLossless(bytes.subarray(0, complete))));
  }

  /** What is left at the end of the stream. */
  end(): Buffer {
    const rest = decodeLossless(this.carry);
    this.carry = Buffer.alloc(0);
    return encodeLossless(this.text.push(rest) + this.text.end());
  }
}
