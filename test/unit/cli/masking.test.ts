import { describe, expect, it } from 'vitest';
import { maskedForms } from '../../../src-main/cli/commands/exec.ts';
import { Masker, PLACEHOLDER } from '../../../src-main/cli/masking.ts';
import { formsOf, MIN_FRAGMENT } from '../../../src-main/core/redaction/redactor.ts';

const run = (masker: Masker, chunks: string[]) => chunks.map((chunk) => masker.push(Buffer.from(chunk)).toString()).join('') + masker.end().toString();

describe('Masker', () => {
  it('replaces every occurrence, however the stream is cut', () => {
    const secret = 'sk_live_0123456789abcdef';
    const text = `a ${secret} b ${secret}${secret} c`;
    for (let cut = 0; cut <= text.length; cut += 1) {
      expect(run(new Masker([secret]), [text.slice(0, cut), text.slice(cut)])).toBe(`a ${PLACEHOLDER} b ${PLACEHOLDER}${PLACEHOLDER} c`);
    }
    expect(run(new Masker([secret]), [...text])).toBe(`a ${PLACEHOLDER} b ${PLACEHOLDER}${PLACEHOLDER} c`);
  });

  it('holds back only what could begin a secret, so a prompt shows at once', () => {
    const masker = new Masker(['sk_live_0123456789abcdef']);
    expect(masker.push(Buffer.from('Password? ')).toString()).toBe('Password? ');
    expect(masker.push(Buffer.from('token sk_li')).toString()).toBe('token ');
    expect(masker.push(Buffer.from('ttle thing')).toString()).toBe('sk_little thing');
  });

  it('masks the longer of two secrets that overlap, and leaves bytes it does not know alone', () => {
    const masker = new Masker(['abcdefgh', 'abcdefghijkl']);
    expect(run(masker, ['xx abcdefghijkl abcdefgh \u001b[31mred\u001b[0m'])).toBe(`xx ${PLACEHOLDER} ${PLACEHOLDER} \u001b[31mred\u001b[0m`);
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
    const masked = run(new Masker(maskedForms(secret)), [printed.slice(0, 50), printed.slice(50)]);
    for (const form of formsOf(secret).filter((candidate) => candidate.length >= MIN_FRAGMENT)) expect(masked).not.toContain(form);
    expect(masked.toLowerCase()).not.toContain(encodeURIComponent(secret).toLowerCase());
    expect(masked.split(PLACEHOLDER).length - 1).toBe(6);
    expect(masked).toContain('plain text, 0123456789abcdef, stays as it is');
  });
});

