// Ed25519 signatures over canonical JSON: who wrote a change in the team repository.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  SigningKeyError,
  canonicalJson,
  canonicalJsonBytes,
  generateSigningKey,
  publicKeyOf,
  sign,
  verify,
} from '../../../../src-main/core/team/signing.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function flipSignatureBit(signature: string, bit: number): string {
  const raw = Buffer.from(signature.slice('ed25519:'.length), 'base64');
  return `ed25519:${Buffer.from(flipBit(raw, bit)).toString('base64')}`;
}

describe('signing keys', () => {
  it('reproduces the sample at the top of signing.ts (seed 00…1f)', () => {
    const privateKey = `TKV-ED25519-SECRET-${Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64')}`;
    expect(privateKey).toBe('TKV-ED25519-SECRET-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
    expect(publicKeyOf(privateKey)).toBe('ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=');
    const metadata = canonicalJson({ version: 1, members: [{ recipient: 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj', name: 'ana' }] });
    expect(metadata).toBe('{"members":[{"name":"ana","recipient":"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"}],"version":1}');
    expect(sign(utf8(metadata), privateKey)).toBe('ed25519:wZLf4TUbSvT+4f/agKZCAsQJ6sy0HGBupA3Hwcz0kN2pwlqJ610tipV+qa8McvzS1a3cmRW5zByMzK5ApCSVBg==');
  });

  it('generates a fresh key whose public key the private key gives back', () => {
    const { privateKey, publicKey } = generateSigningKey();
    expect(privateKey).toMatch(/^TKV-ED25519-SECRET-[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/);
    expect(publicKeyOf(privateKey)).toBe(publicKey);
    expect(generateSigningKey().privateKey).not.toBe(privateKey);
  });

  it('refuses a private key that is not one, without quoting it', () => {
    const { privateKey, publicKey } = generateSigningKey();
    const seed = privateKey.slice('TKV-ED25519-SECRET-'.length);
    for (const bad of [publicKey, seed, `${privateKey}AA`, privateKey.slice(0, -2), privateKey.replace(/.=$/, 'B='), `TKV-ED25519-SECRET-${seed.replace('=', '')}`]) {
      for (const use of [() => publicKeyOf(bad), () => sign(utf8('x'), bad)]) {
        let thrown: unknown;
        try {
          use();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(SigningKeyError);
        const seen = `${inspect(thrown)}\n${String(thrown)}`;
        expect(seen).not.toContain(seed.slice(0, 16));
      }
    }
  });
});

describe('sign and verify', () => {
  const author = generateSigningKey();
  const stranger = generateSigningKey();
  const message = canonicalJsonBytes({ secret: 'crm-sync', recipients: ['age1a', 'age1b'], version: 3 });
  const signature = sign(message, author.privateKey);

  it('verifies the author’s signature over exactly these bytes', () => {
    expect(signature).toMatch(/^ed25519:[A-Za-z0-9+/]{86}==$/);
    expect(verify(message, signature, author.publicKey)).toBe(true);
    expect(verify(new Uint8Array(0), sign(new Uint8Array(0), author.privateKey), author.publicKey)).toBe(true);
  });

  it('rejects any flipped bit in the message or the signature', () => {
    for (let bit = 0; bit < message.length * 8; bit += 7) expect(verify(flipBit(message, bit), signature, author.publicKey)).toBe(false);
    for (let bit = 0; bit < 512; bit++) expect(verify(message, flipSignatureBit(signature, bit), author.publicKey)).toBe(false);
    expect(verify(Buffer.concat([message, Buffer.from(' ')]), signature, author.publicKey)).toBe(false);
  });

  it('rejects a signature by another key, and the author’s signature under another key', () => {
    expect(verify(message, sign(message, stranger.privateKey), author.publicKey)).toBe(false);
    expect(verify(message, signature, stranger.publicKey)).toBe(false);
  });

  it('rejects the malleable twin of a signature (S + L), which some verifiers accept', () => {
    const raw = Buffer.from(signature.slice('ed25519:'.length), 'base64');
    const order = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(raw[32 + i]!);
    s += order;
    // S + L still fits in 32 bytes (S < L < 2^253), so this is a well-formed, non-canonical signature.
    for (let i = 0; i < 32; i++, s >>= 8n) raw[32 + i] = Number(s & 0xffn);
    expect(verify(message, `ed25519:${raw.toString('base64')}`, author.publicKey)).toBe(false);
  });

  it('returns false, never throws, on anything malformed', () => {
    const b64 = signature.slice('ed25519:'.length);
    const malformed: [string, string][] = [
      ['', author.publicKey],
      ['ed25519:', author.publicKey],
      [b64, author.publicKey],
      [`ED25519:${b64}`, author.publicKey],
      [`ed25519:${b64.replace(/==$/, '')}`, author.publicKey],
      [`ed25519:${b64} `, author.publicKey],
      [`ed25519:${b64.slice(0, 40)}`, author.publicKey],
      [`ed25519:${b64}AAAA`, author.publicKey],
      [`ed25519:${b64.replace(/.==$/, 'B==')}`, author.publicKey], // non-canonical base64
      [`ed25519:${'*'.repeat(88)}`, author.publicKey],
      [signature, ''],
      [signature, author.privateKey],
      [signature, author.publicKey.slice(8)],
      [signature, `ed25519:${Buffer.alloc(32, 0xff).toString('base64')}`], // not a curve point
      [signature, `ed25519:${Buffer.alloc(31).toString('base64')}`],
    ];
    for (const [sig, key] of malformed) expect(verify(message, sig, key), `${sig} / ${key}`).toBe(false);
    const untyped = verify as (message: unknown, signature: unknown, publicKey: unknown) => boolean;
    expect(untyped('text', signature, author.publicKey)).toBe(false);
    expect(untyped(message, null, author.publicKey)).toBe(false);
    expect(untyped(message, signature, 42)).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace, so key order never changes the bytes', () => {
    const a = { b: 1, a: [{ z: true, y: null }, 'x'], c: { e: 'é', d: -0.5 } };
    const b = { c: { d: -0.5, e: 'é' }, a: [{ y: null, z: true }, 'x'], b: 1 };
    expect(canonicalJson(a)).toBe('{"a":[{"y":null,"z":true},"x"],"b":1,"c":{"d":-0.5,"e":"é"}}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(canonicalJsonBytes(a)).toEqual(utf8(canonicalJson(a)));
    expect(Buffer.from(canonicalJsonBytes({ e: 'é' })).toString('hex')).toBe('7b2265223a22c3a9227d');
    // Array order is data, and is kept.
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    // A signature over one ordering verifies the other.
    const key = generateSigningKey();
    expect(verify(canonicalJsonBytes(b), sign(canonicalJsonBytes(a), key.privateKey), key.publicKey)).toBe(true);
  });

  it('orders keys by UTF-16 code unit, and writes numbers and strings one way', () => {
    expect(canonicalJson({ b: 0, B: 0, a: 0, '€': 0, '😀': 0, '\u00e9': 0, '': 0, '10': 0, '9': 0 })).toBe('{"":0,"10":0,"9":0,"B":0,"a":0,"b":0,"é":0,"€":0,"😀":0}');
    expect(canonicalJson([1e21, 1e-7, -0, 0.1, 100, 1.5e300])).toBe('[1e+21,1e-7,0,0.1,100,1.5e+300]');
    expect(canonicalJson('tab\tquote"back\\slash\u0001 \u2028')).toBe('"tab\\tquote\\"back\\\\slash\\u0001 \u2028"');
    expect(canonicalJson(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it('refuses what JSON cannot carry faithfully, naming where and not what', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [undefined, /\$ is undefined/],
      [{ a: undefined }, /\$\["a"\] is undefined/],
      [[1, undefined], /\$\[1\] is undefined/],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 3], /hole at 1/],
      [{ n: Number.NaN }, /not finite/],
      [{ n: Number.POSITIVE_INFINITY }, /not finite/],
      [[Number.NEGATIVE_INFINITY], /not finite/],
      [{ f: () => 1 }, /function/],
      [{ s: Symbol('x') }, /symbol/],
      [{ [Symbol('x')]: 1 }, /symbol keys/],
      [{ big: 1n }, /bigint/],
      [{ when: new Date(0) }, /not a plain object/],
      [new Map(), /not a plain object/],
      [cyclic, /contains itself/],
    ];
    for (const [value, message] of cases) expect(() => canonicalJson(value)).toThrow(message);
    expect(() => canonicalJson({ token: 'CANARY-secret-value', bad: Number.NaN })).toThrow(/^(?!.*CANARY)/s);
    // The same object twice is not a cycle.
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
