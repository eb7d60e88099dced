// The redactor's streaming form (what `tkv exec` passes a program's piped output through): every
// occurrence replaced however the stream is cut, only what could still grow into a secret held
// back, bytes that are not a secret passed on as they came, and a bounded window.
import { describe, expect, it } from 'vitest';
import { formsOf, MIN_FRAGMENT, Redactor } from '../../../../src-main/core/redaction/redactor.ts';
import { ByteStreamRedactor, STREAM_WINDOW, StreamRedactor } from '../../../../src-main/core/redaction/stream-redactor.ts';
import { canaryToken } from '../../../support/files.ts';
import { htmlNumeric, jsonEveryChar, percentEveryByte, revealsSecret, wrapLines } from '../../../support/escapes.ts';

const PLACEHOLDER = '<concealed by tkv>';
const redactor = (...secrets: string[]) => new Redactor(secrets, { replacement: PLACEHOLDER });
const run = (stream: StreamRedactor, chunks: string[]) => chunks.map((chunk) => stream.push(chunk)).join('') + stream.end();
const runBytes = (stream: ByteStreamRedactor, chunks: Buffer[]) => Buffer.concat([...chunks.map((chunk) => stream.push(chunk)), stream.end()]);

describe('StreamRedactor', () => {
  it('replaces every occurrence, however the stream is cut', () => {
    const secret = 'sk_live_0123456789abcdef';
    const text = `a ${secret} b ${secret}${secret} c`;
    // Two secrets side by side are one run of secret, replaced once (as redactName does).
    const expected = `a ${PLACEHOLDER} b ${PLACEHOLDER} c`;
    for (let cut = 0; cut <= text.length; cut += 1) expect(run(new StreamRedactor(redactor(secret)), [text.slice(0, cut), text.slice(cut)])).toBe(expected);
    expect(run(new StreamRedactor(redactor(secret)), [...text])).toBe(expected);
  });

  it('holds back only what could begin a secret, so a prompt shows at once', () => {
    const stream = new StreamRedactor(redactor('sk_live_0123456789abcdef'));
    expect(stream.push('Password? ')).toBe('Password? ');
    expect(stream.push('token sk_li')).toBe('token ');
    expect(stream.push('ttle thing')).toBe('sk_little thing');
    // An escape cut short could be the start of an escaped secret; a line ends at once.
    expect(stream.push(' 50%')).toBe(' 50');
    expect(stream.push(' done\n')).toBe('% done\n');
    expect(stream.end()).toBe('');
  });

  it('masks the longer of two secrets that overlap, and leaves bytes it does not know alone', () => {
    const stream = new ByteStreamRedactor(redactor('abcdefgh', 'abcdefghijkl'));
    expect(runBytes(stream, [Buffer.from('xx abcdefghijkl abcdefgh \u001b[31mred\u001b[0m')]).toString()).toBe(`xx ${PLACEHOLDER} ${PLACEHOLDER} \u001b[31mred\u001b[0m`);
  });

  it('masks the encoded forms a program may log: percent (either case), JSON, hex, base64 inside a Basic header', () => {
    const secret = 'sk_live/0123+4567 "quoted" é-89abcdef';
    const printed = [
      `GET /v1?key=${encodeURIComponent(secret)}`,
      `GET /v1?key=${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())}`,
      `{"key":${JSON.stringify(secret)}}`,
      `hex ${Buffer.from(secret).toString('hex')}`,
      `Authorization: Basic ${Buffer.from(`user:${secret}`).toString('base64')}`,
      `base64url ${Buffer.from(`ab${secret}`).toString('base64url')}`,
      'plain text, 0123456789abcdef, stays as it is',
    ].join('\n');
    const masked = run(new StreamRedactor(redactor(secret)), [printed.slice(0, 50), printed.slice(50)]);
    for (const form of formsOf(secret).filter((candidate) => candidate.length >= MIN_FRAGMENT)) expect(masked).not.toContain(form);
    expect(masked.toLowerCase()).not.toContain(encodeURIComponent(secret).toLowerCase());
    expect(masked.split(PLACEHOLDER).length - 1).toBe(6);
    expect(masked).toContain('plain text, 0123456789abcdef, stays as it is');
  });

  it('gives what redactName gives, cut anywhere inside escaped, wrapped or hex forms', () => {
    const secret = canaryToken();
    const lines = [
      `percent ${percentEveryByte(secret, true)}`,
      `json "${jsonEveryChar(secret)}"`,
      `html <b>${htmlNumeric(secret, 'hex')}</b>`,
      `wrapped:\n${wrapLines(Buffer.from(`svc:${secret}`).toString('base64'), 76)}`,
      `crlf:\r\n${wrapLines(Buffer.from(`ab${secret}`).toString('base64'), 64, '\r\n')}`,
      `hex ${Buffer.from(secret).toString('hex').toUpperCase()} end`,
    ];
    for (const line of lines) {
      const whole = redactor(secret).redactName(`${line}\n`);
      expect(whole.split(PLACEHOLDER).length - 1, line).toBe(1);
      for (let cut = 0; cut <= line.length + 1; cut += 1) expect(run(new StreamRedactor(redactor(secret)), [`${line}\n`.slice(0, cut), `${line}\n`.slice(cut)]), `${line} cut at ${cut}`).toBe(whole);
    }
    const text = lines.join('\n');
    const whole = redactor(secret).redactName(text);
    expect(revealsSecret(whole, secret, 8)).toBe(false);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_unused, index) => text.slice(index * size, (index + 1) * size));
      expect(run(new StreamRedactor(redactor(secret)), chunks), `chunks of ${size}`).toBe(whole);
    }
  });

  it('holds back the beginning of a fragment too (from 4 characters): a value cut before the stream began', () => {
    const secret = canaryToken();
    const text = `tail=${secret.slice(5)} end`;
    const whole = redactor(secret).redactName(text);
    expect(whole).toBe(`tail=${PLACEHOLDER} end`);
    for (let cut = 0; cut <= text.length; cut += 1) {
      // Up to 3 characters that merely could begin some fragment are passed on: holding them would
      // hold most words back; the rest of the fragment is still replaced.
      // (Fewer, when their end could begin a form of the key.)
      const out = run(new StreamRedactor(redactor(secret)), [text.slice(0, cut), text.slice(cut)]);
      const shown = out.slice('tail='.length, out.indexOf(PLACEHOLDER));
      expect(text.slice(5, Math.max(5, cut)).startsWith(shown), `cut at ${cut}`).toBe(true);
      expect(shown.length, `cut at ${cut}`).toBeLessThanOrEqual(cut > 5 && cut < 9 ? cut - 5 : 0);
      expect(out, `cut at ${cut}`).toBe(`tail=${shown}${PLACEHOLDER} end`);
    }
  });

  it('never holds more than its window, and still lets nothing of a secret through past it', () => {
    const secret = canaryToken();
    const text = secret.repeat(Math.ceil((3 * STREAM_WINDOW) / secret.length));
    const stream = new StreamRedactor(redactor(secret));
    let before = '';
    for (let at = 0; at < text.length; at += 1000) before += stream.push(text.slice(at, at + 1000));
    // One long run of secret: passed on in pieces once it outgrows the window, each piece redacted.
    expect(before).toContain(PLACEHOLDER);
    const out = before + stream.end();
    expect(out.replaceAll(PLACEHOLDER, '')).toBe('');
    expect(revealsSecret(out, secret, 8)).toBe(false);
  });
});

describe('ByteStreamRedactor', () => {
  it('passes bytes that are not UTF-8 through as they came, and a character cut between chunks whole', () => {
    const secret = canaryToken();
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98]);
    const text = Buffer.from(`é日本😀 ${secret} ok`, 'utf8');
    const input = Buffer.concat([binary, text, binary]);
    for (let cut = 0; cut <= input.length; cut += 1) {
      const out = runBytes(new ByteStreamRedactor(redactor(secret)), [input.subarray(0, cut), input.subarray(cut)]);
      expect(out.equals(Buffer.concat([binary, Buffer.from(`é日本😀 ${PLACEHOLDER} ok`, 'utf8'), binary])), `cut at ${cut}`).toBe(true);
    }
  });

  it('writes the replacement it is given, as the redactor does everywhere else', () => {
    const secret = canaryToken();
    expect(runBytes(new ByteStreamRedactor(new Redactor([secret])), [Buffer.from(`k=${secret}`)]).toString()).toBe('k=[redacted]');
    expect(new Redactor([secret], { replacement: '***' }).redactText(`{"apiKey":"x", "k":"${secret}"}`)).toBe('{"apiKey":"***", "k":"***"}');
  });
});
