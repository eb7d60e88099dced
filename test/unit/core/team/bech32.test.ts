// Bech32 against BIP 173's own test vectors, minus its 90-character limit (age has none).
import { describe, expect, it } from 'vitest';
import { Bech32Error, type Bech32Problem, bech32Decode, bech32Encode } from '../../../../src-main/core/team/bech32.ts';

function problem(text: string): Bech32Problem {
  try {
    bech32Decode(text);
  } catch (error) {
    if (error instanceof Bech32Error) {
      expect(error.message).not.toContain(text);
      return error.problem;
    }
    throw error;
  }
  throw new Error('expected a Bech32Error');
}

describe('bech32', () => {
  it('accepts the valid strings of BIP 173, and re-encodes each to its lower-case form', () => {
    for (const valid of [
      'A12UEL5L',
      'a12uel5l',
      'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
      'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
      '11' + 'q'.repeat(82) + 'c8247j',
      'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
      '?1ezyfcl',
    ]) {
      const decoded = bech32Decode(valid);
      expect(bech32Encode(decoded.hrp, decoded.data), valid).toBe(valid.toLowerCase());
    }
  });

  it('refuses the invalid strings of BIP 173 for the reason it gives', () => {
    expect(problem('\x201nwldj5')).toBe('bad-hrp-character');
    expect(problem('\x7f1axkwrx')).toBe('bad-hrp-character');
    expect(problem('\x801eym55h')).toBe('bad-hrp-character');
    expect(problem('pzry9x0s0muk')).toBe('no-separator');
    expect(problem('1pzry9x0s0muk')).toBe('empty-hrp');
    expect(problem('x1b4n0q5v')).toBe('bad-data-character');
    expect(problem('li1dgmt3')).toBe('too-short');
    expect(problem('de1lg7wt\xff')).toBe('bad-data-character');
    expect(problem('A1G7SGD8')).toBe('bad-checksum');
    expect(problem('10a06t8')).toBe('empty-hrp');
    expect(problem('1qzzfhee')).toBe('empty-hrp');
    expect(problem('tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7')).toBe('mixed-case');
    expect(problem('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5')).toBe('bad-checksum');
  });

  it('has no length limit, as age requires, and rejects non-zero padding bits', () => {
    // 84 characters of prefix: over BIP 173's limit, fine for age.
    expect(bech32Decode('an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx').hrp).toHaveLength(84);
    const long = new Uint8Array(1000).map((_, i) => i & 0xff);
    expect(bech32Decode(bech32Encode('age', long)).data).toEqual(long);
    // BIP 173's "non-zero padding in 8-to-5 conversion" segwit vector, as plain Bech32 data.
    expect(problem('tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv')).toBe('bad-padding');
  });

  it('round-trips every length from 0 to 40 bytes in both cases, and notices any one changed character', () => {
    for (let length = 0; length <= 40; length++) {
      const data = new Uint8Array(length).map((_, i) => (i * 37 + length) & 0xff);
      const encoded = bech32Encode('age-secret-key-', data);
      expect(bech32Decode(encoded)).toEqual({ hrp: 'age-secret-key-', data });
      expect(bech32Decode(encoded.toUpperCase())).toEqual({ hrp: 'age-secret-key-', data });
      for (let at = encoded.indexOf('1', 14) + 1; at < encoded.length; at++) {
        const changed = `${encoded.slice(0, at)}${encoded[at] === 'q' ? 'p' : 'q'}${encoded.slice(at + 1)}`;
        expect(problem(changed)).toBe('bad-checksum');
      }
    }
  });
});
