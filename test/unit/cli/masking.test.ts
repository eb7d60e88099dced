import { describe, expect, it } from 'vitest';
import { Masker, PLACEHOLDER } from '../../../src-main/cli/masking.ts';

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
});
