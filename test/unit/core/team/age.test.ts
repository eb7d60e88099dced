// age v1 from the spec: keys, round trips, the exact file layout, and every refusal the spec asks for.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AgeError,
  type AgeErrorCode,
  armor,
  dearmor,
  decrypt,
  encrypt,
  generateIdentity,
  parseIdentity,
  parseRecipient,
  recipientOf,
} from '../../../../src-main/core/team/age.ts';
import { bech32Encode } from '../../../../src-main/core/team/bech32.ts';
import { lowOrderStanza, writeSpecFile } from './spec-writer.ts';

const KiB = 1024;
const CHUNK = 64 * KiB;
const SEALED_CHUNK = CHUNK + 16;

function bytes(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >>> 8)) & 0xff;
  return out;
}

function ageError(action: () => unknown): AgeError {
  try {
    action();
  } catch (error) {
    if (error instanceof AgeError) return error;
    throw new Error(`expected an AgeError, got ${inspect(error)}`, { cause: error });
  }
  throw new Error('expected an AgeError, but nothing was thrown');
}

function expectCode(action: () => unknown, code: AgeErrorCode): AgeError {
  const error = ageError(action);
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Where the payload starts: just after the MAC line. */
function headerLength(file: Uint8Array): number {
  const text = Buffer.from(file).toString('latin1');
  return text.indexOf('\n', text.indexOf('\n--- ') + 1) + 1;
}

/** The same bytes, spelled with the lowest unused bit of the last base64 character set. */
function nonCanonical(base64: string): string {
  const last = base64.at(-1)!;
  // Canonically the unused bits are zero, so the character's index is a multiple of 4 (at least).
  expect('AEIMQUYcgkosw048').toContain(last);
  return `${base64.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
}

function withByte(file: Uint8Array, index: number, change: (byte: number) => number): Uint8Array {
  const copy = Uint8Array.from(file);
  copy[index] = change(copy[index]!);
  return copy;
}

describe('age keys', () => {
  it('derives the spec’s sample recipient from its sample identity', () => {
    // The X25519 example of age-encryption.org/v1.
    expect(recipientOf('AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX')).toBe('age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj');
  });

  it('generates an upper-case identity and the lower-case recipient that goes with it', () => {
    const { identity, recipient } = generateIdentity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/);
    expect(recipient).toMatch(/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/);
    expect(recipientOf(identity)).toBe(recipient);
    expect(parseIdentity(identity)).toHaveLength(32);
    expect(parseRecipient(recipient)).toHaveLength(32);
    expect(generateIdentity().identity).not.toBe(identity);
    // Bech32 allows one case or the other, never both.
    expect(recipientOf(identity.toLowerCase())).toBe(recipient);
    expect(parseRecipient(recipient.toUpperCase())).toEqual(parseRecipient(recipient));
  });

  it('says what is wrong with a bad identity or recipient', () => {
    const { identity, recipient } = generateIdentity();
    const secret = parseIdentity(identity);
    const flip = (text: string, at: number): string => `${text.slice(0, at)}${text[at] === 'Q' ? 'P' : 'Q'}${text.slice(at + 1)}`;
    const cases: [string, () => unknown, AgeErrorCode, RegExp][] = [
      ['one character changed', () => parseIdentity(flip(identity, 30)), 'invalid-identity', /checksum/],
      ['mixed case', () => parseIdentity(`${identity.slice(0, 40)}${identity.slice(40).toLowerCase()}`), 'invalid-identity', /mixes upper- and lower-case/],
      ['a recipient given as identity', () => parseIdentity(recipient), 'invalid-identity', /wrong prefix \(it is a recipient/],
      ['an identity given as recipient', () => parseRecipient(identity), 'invalid-recipient', /wrong prefix \(it is an identity/],
      ['another prefix', () => parseIdentity(bech32Encode('age-secret-kex-', secret).toUpperCase()), 'invalid-identity', /wrong prefix\./],
      ['31 bytes', () => parseIdentity(bech32Encode('age-secret-key-', secret.subarray(0, 31)).toUpperCase()), 'invalid-identity', /31 bytes; an X25519 key is 32/],
      ['33 bytes', () => parseRecipient(bech32Encode('age', new Uint8Array(33))), 'invalid-recipient', /33 bytes/],
      ['no separator', () => parseRecipient('agezvkyg2lqzraa'), 'invalid-recipient', /no "1"/],
      ['a character Bech32 does not use', () => parseRecipient(`${recipient.slice(0, 10)}b${recipient.slice(11)}`), 'invalid-recipient', /does not use/],
      ['surrounding whitespace', () => parseRecipient(` ${recipient}`), 'invalid-recipient', /not valid Bech32/],
    ];
    for (const [name, action, code, message] of cases) {
      const error = expectCode(action, code);
      expect(error.message, name).toMatch(message);
    }
  });
});

describe('age encrypt and decrypt', () => {
  const members = Array.from({ length: 5 }, () => generateIdentity());
  const sizes = [0, 1, CHUNK, CHUNK + 1, 200 * KiB];

  it.each(sizes)('round-trips %i bytes to 1, 2 and 5 recipients, binary and armored, each reader alone', (size) => {
    const plaintext = bytes(size);
    for (const count of [1, 2, 5]) {
      const readers = members.slice(0, count);
      const file = encrypt(plaintext, readers.map((member) => member.recipient));
      const armored = armor(file);
      for (const reader of readers) {
        expect(Buffer.from(decrypt(file, [reader.identity])).equals(Buffer.from(plaintext))).toBe(true);
        expect(Buffer.from(decrypt(dearmor(armored), [reader.identity])).equals(Buffer.from(plaintext))).toBe(true);
      }
    }
  });

  it('writes the spec’s layout: version line, one X25519 stanza per recipient, MAC line, nonce, 64 KiB chunks', () => {
    const plaintext = bytes(200 * KiB);
    const file = encrypt(plaintext, members.slice(0, 2).map((member) => member.recipient));
    const header = Buffer.from(file.subarray(0, headerLength(file))).toString('latin1');
    expect(header).toMatch(/^age-encryption\.org\/v1\n(-> X25519 [A-Za-z0-9+/]{43}\n[A-Za-z0-9+/]{43}\n){2}--- [A-Za-z0-9+/]{43}\n$/);
    // 16-byte nonce, then three full sealed chunks and a final one of 200 KiB - 3 × 64 KiB (+ tag).
    expect(file.length - headerLength(file)).toBe(16 + 3 * SEALED_CHUNK + (200 * KiB - 3 * CHUNK) + 16);
    // Exactly 64 KiB is a single final chunk, not a full chunk and an empty one.
    const exact = encrypt(bytes(CHUNK), [members[0]!.recipient]);
    expect(exact.length - headerLength(exact)).toBe(16 + SEALED_CHUNK);
    const empty = encrypt(new Uint8Array(0), [members[0]!.recipient]);
    expect(empty.length - headerLength(empty)).toBe(16 + 16);
  });

  it('never writes the same file twice: fresh file key, nonce and ephemeral share', () => {
    const [first, second] = [encrypt(bytes(10), [members[0]!.recipient]), encrypt(bytes(10), [members[0]!.recipient])];
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    expect(Buffer.from(first.subarray(0, 80)).toString('latin1')).not.toBe(Buffer.from(second.subarray(0, 80)).toString('latin1'));
  });

  it('tries every identity given, and refuses one that is malformed before reading the file', () => {
    const file = encrypt(bytes(5), [members[3]!.recipient]);
    expect(decrypt(file, [members[0]!.identity, members[3]!.identity])).toEqual(bytes(5));
    expect(expectCode(() => decrypt(file, [members[3]!.identity, 'AGE-SECRET-KEY-1XYZ']), 'invalid-identity').message).toMatch(/^Identity 2: /);
  });

  it('refuses to encrypt to nobody, or to a recipient that is not one', () => {
    expectCode(() => encrypt(bytes(1), []), 'no-recipients');
    expect(expectCode(() => encrypt(bytes(1), [members[0]!.recipient, 'age1qqqq']), 'invalid-recipient').message).toMatch(/^Recipient 2: /);
    // A low-order point would make every reader's shared secret zero.
    const lowOrder = new Uint8Array(32);
    lowOrder[0] = 1;
    expectCode(() => encrypt(bytes(1), [bech32Encode('age', lowOrder)]), 'invalid-recipient');
  });
});

describe('age refuses what the spec refuses', () => {
  const alice = generateIdentity();
  const bob = generateIdentity();
  const carol = generateIdentity();

  it('a file for other recipients: no identity matched', () => {
    const file = encrypt(bytes(100), [alice.recipient, bob.recipient]);
    expect(expectCode(() => decrypt(file, [carol.identity]), 'no-identity-matched').message).toMatch(/no identity matched/i);
    expectCode(() => decrypt(file, []), 'no-identity-matched');
  });

  it('a tampered header byte the reader’s own stanza does not cover: header MAC mismatch', () => {
    const file = encrypt(bytes(100), [alice.recipient, bob.recipient]);
    const text = Buffer.from(file).toString('latin1');
    // A character inside Bob's ephemeral share: Alice still unwraps the file key, the MAC catches it.
    const bobShare = text.indexOf('-> X25519 ', text.indexOf('-> X25519 ') + 1) + '-> X25519 '.length + 5;
    const swapped = (byte: number): number => (byte === 0x41 ? 0x42 : 0x41);
    expect(expectCode(() => decrypt(withByte(file, bobShare, swapped), [alice.identity]), 'header-mac-mismatch').message).toMatch(/header MAC mismatch/i);
    // A character of the MAC itself.
    const mac = text.indexOf('\n--- ') + 10;
    expectCode(() => decrypt(withByte(file, mac, swapped), [alice.identity]), 'header-mac-mismatch');
    // An extra stanza of an unknown type, inserted without the file key: skipped, then the MAC fails.
    const insertAt = text.indexOf('\n---') + 1;
    const inserted = Buffer.concat([file.subarray(0, insertAt), Buffer.from('-> example.com/enigma x\n\n'), file.subarray(insertAt)]);
    expectCode(() => decrypt(inserted, [alice.identity]), 'header-mac-mismatch');
  });

  it('any single changed byte in the header: refused, whichever rule catches it', () => {
    const file = encrypt(bytes(100), [alice.recipient]);
    const codes = new Set<AgeErrorCode>();
    for (let index = 0; index < headerLength(file); index++) codes.add(ageError(() => decrypt(withByte(file, index, (byte) => byte ^ 0x01), [alice.identity])).code);
    expect([...codes].sort()).toEqual(expect.arrayContaining(['header-mac-mismatch', 'malformed-header', 'no-identity-matched']));
  });

  it('a tampered payload byte or nonce: payload authentication failed', () => {
    const file = encrypt(bytes(200 * KiB), [alice.recipient]);
    const payload = headerLength(file);
    for (const [index, chunk] of [
      [payload + 16 + 10, 1],
      [payload + 16 + SEALED_CHUNK + 5, 2],
      [file.length - 1, 4],
    ] as const) {
      const error = expectCode(() => decrypt(withByte(file, index, (byte) => byte ^ 0x80), [alice.identity]), 'payload-authentication-failed');
      expect(error.message).toMatch(new RegExp(`payload authentication failed at chunk ${chunk}`, 'i'));
    }
    expectCode(() => decrypt(withByte(file, payload + 3, (byte) => byte ^ 0x01), [alice.identity]), 'payload-authentication-failed');
  });

  it('a truncated file: refused wherever it is cut', () => {
    const file = encrypt(bytes(200 * KiB), [alice.recipient]);
    const payload = headerLength(file);
    expect(expectCode(() => decrypt(file.subarray(0, 40), [alice.identity]), 'truncated').message).toMatch(/inside its age header/);
    expect(expectCode(() => decrypt(file.subarray(0, payload), [alice.identity]), 'truncated').message).toMatch(/payload nonce/);
    expectCode(() => decrypt(file.subarray(0, payload + 16 + 15), [alice.identity]), 'truncated');
    // Cut at a chunk boundary: what is left opens, but as middle chunks; there is no final one.
    for (const chunks of [1, 2, 3]) {
      expect(expectCode(() => decrypt(file.subarray(0, payload + 16 + chunks * SEALED_CHUNK), [alice.identity]), 'truncated').message).toMatch(/before its final chunk/);
    }
    // Cut inside a chunk: that chunk does not authenticate.
    expectCode(() => decrypt(file.subarray(0, file.length - 1), [alice.identity]), 'payload-authentication-failed');
    expectCode(() => decrypt(file.subarray(0, payload + 16 + SEALED_CHUNK + 100), [alice.identity]), 'payload-authentication-failed');
  });

  it('trailing data after the final chunk', () => {
    // After a full final chunk the boundary is known, so the extra byte is named as such.
    const full = encrypt(bytes(CHUNK), [alice.recipient]);
    expectCode(() => decrypt(Buffer.concat([full, Buffer.from([0])]), [alice.identity]), 'trailing-data');
    expectCode(() => decrypt(Buffer.concat([full, full]), [alice.identity]), 'trailing-data');
    // After a short final chunk the extra bytes are read as part of it, which then fails its tag.
    const short = encrypt(bytes(10), [alice.recipient]);
    expectCode(() => decrypt(Buffer.concat([short, Buffer.from([0])]), [alice.identity]), 'payload-authentication-failed');
  });

  it('non-canonical base64 in a stanza (share or body) or in the MAC: malformed header, before any MAC check', () => {
    const file = encrypt(bytes(10), [alice.recipient]);
    const text = Buffer.from(file).toString('latin1');
    const lines = text.slice(0, headerLength(file)).split('\n');
    // The share (line 1), the body (line 2) and the MAC (line 3) are 32 bytes in 43 characters, the
    // last of which carries 2 unused bits that canonical base64 leaves zero; setting the lowest one
    // spells the same bytes another way.
    for (const lineIndex of [1, 2, 3]) {
      const changed = lines.map((line, index) => (index === lineIndex ? nonCanonical(line) : line)).join('\n');
      const tampered = Buffer.concat([Buffer.from(changed, 'latin1'), file.subarray(headerLength(file))]);
      expect(Buffer.from(changed.split('\n')[lineIndex]!.split(' ').at(-1)!, 'base64')).toEqual(Buffer.from(lines[lineIndex]!.split(' ').at(-1)!, 'base64'));
      expect(expectCode(() => decrypt(tampered, [alice.identity]), 'malformed-header').message).toMatch(/canonical/);
    }
    // Padding is never allowed in the header.
    const padded = text.replace(/(\n-> X25519 [A-Za-z0-9+/]{43})\n/, '$1=\n');
    expectCode(() => decrypt(Buffer.from(padded, 'latin1'), [alice.identity]), 'malformed-header');
  });

  it('malformed X25519 stanzas and header lines, whether or not another stanza would match', () => {
    const share = 'O6DLx/wDIawpUC978NSPjYvrfDtJVnZApXKp4FMPHCY';
    const body = '3aKjozt9agh7jGmvOKvR4iax41Wl4zj95MKK4X9JuWc';
    for (const raw of [
      `-> X25519 ${share} extra\n${body}\n`, // three arguments
      `-> X25519\n${body}\n`, // no share
      `-> X25519 ${share.slice(0, 40)}\n${body}\n`, // a 30-byte share
      `-> X25519 ${share}\n${body}AAAA\n`, // a 35-byte body
      `-> X25519  ${share}\n${body}\n`, // an empty argument
      `-> X25519 ${share}\r\n${body}\n`, // CRLF
      `-> X25519 ${share}\n${'A'.repeat(64)}\n`, // a full line with no final short line
    ]) {
      const file = writeSpecFile({ stanzas: [{ recipient: alice.recipient }, { raw }], chunks: [{ data: bytes(3), last: true }] });
      expectCode(() => decrypt(file, [alice.identity]), 'malformed-header');
    }
    // Header lines are printable ASCII, even in a stanza this library would otherwise skip (the MAC
    // is right: only the character rule refuses these).
    for (const character of ['\r', '\x01', '\x7f', '\u00e9', '\t']) {
      const file = writeSpecFile({ stanzas: [{ raw: `-> example.com/x a${character}b\n\n` }, { recipient: alice.recipient }], chunks: [{ data: bytes(3), last: true }] });
      expect(expectCode(() => decrypt(file, [alice.identity]), 'malformed-header').message, JSON.stringify(character)).toMatch(/printable ASCII/);
    }
    expectCode(() => decrypt(Buffer.from('hello world\n'), [alice.identity]), 'malformed-header');
    expectCode(() => decrypt(Buffer.from('age-encryption.org/v2\n-> X25519 a\n\n--- x\n'), [alice.identity]), 'unsupported-version');
  });

  it('an X25519 share whose shared secret is all zeros: aborted, not skipped', () => {
    const file = writeSpecFile({ stanzas: [{ raw: lowOrderStanza() }, { recipient: alice.recipient }], chunks: [{ data: bytes(3), last: true }] });
    expect(expectCode(() => decrypt(file, [alice.identity]), 'malformed-header').message).toMatch(/low-order/);
  });

  it('skips stanzas of unknown types, and refuses passphrase (scrypt) files', () => {
    const plaintext = bytes(20);
    const unknown = writeSpecFile({
      stanzas: [{ raw: '-> example.com/enigma a b c\nQUJD\n' }, { raw: `-> x25519 ${'A'.repeat(43)}\n\n` }, { recipient: alice.recipient }],
      chunks: [{ data: plaintext, last: true }],
    });
    expect(decrypt(unknown, [alice.identity])).toEqual(plaintext);
    const scrypt = writeSpecFile({ stanzas: [{ raw: `-> scrypt ${'A'.repeat(22)} 18\n${'A'.repeat(43)}\n` }], chunks: [{ data: plaintext, last: true }] });
    expectCode(() => decrypt(scrypt, [alice.identity]), 'unsupported-recipient-type');
  });

  it('STREAM rules: a non-empty final chunk unless the file is empty, one final chunk, at the end', () => {
    const full = bytes(CHUNK);
    const stanzas = [{ recipient: alice.recipient }];
    // The spec writer agrees with decrypt() on well-formed files.
    expect(decrypt(writeSpecFile({ stanzas, chunks: [{ data: full, last: false }, { data: bytes(1), last: true }] }), [alice.identity])).toHaveLength(CHUNK + 1);
    expect(decrypt(writeSpecFile({ stanzas, chunks: [{ data: new Uint8Array(0), last: true }] }), [alice.identity])).toHaveLength(0);
    // A full chunk followed by an empty final one: what encrypt() must never write for 64 KiB.
    expectCode(() => decrypt(writeSpecFile({ stanzas, chunks: [{ data: full, last: false }, { data: new Uint8Array(0), last: true }] }), [alice.identity]), 'malformed-payload');
    // Two final chunks.
    expectCode(() => decrypt(writeSpecFile({ stanzas, chunks: [{ data: full, last: true }, { data: bytes(1), last: true }] }), [alice.identity]), 'trailing-data');
    // No final chunk at all, short or full.
    expectCode(() => decrypt(writeSpecFile({ stanzas, chunks: [{ data: bytes(5), last: false }] }), [alice.identity]), 'payload-authentication-failed');
    expectCode(() => decrypt(writeSpecFile({ stanzas, chunks: [{ data: full, last: false }] }), [alice.identity]), 'truncated');
    // A short chunk before the end.
    expectCode(() => decrypt(writeSpecFile({ stanzas, chunks: [{ data: bytes(5), last: false }, { data: bytes(5), last: true }] }), [alice.identity]), 'payload-authentication-failed');
  });
});

describe('age armor', () => {
  const alice = generateIdentity();
  // 1201 bytes: not a multiple of 3, so the armor ends in padding.
  const file = encrypt(bytes(1001), [alice.recipient]);
  const armored = armor(file);

  it('writes strict PEM: BEGIN, padded base64 in 64 columns, END, LF endings', () => {
    const lines = armored.split('\n');
    expect(lines[0]).toBe('-----BEGIN AGE ENCRYPTED FILE-----');
    expect(lines.at(-2)).toBe('-----END AGE ENCRYPTED FILE-----');
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -2);
    for (const line of body.slice(0, -1)) expect(line).toHaveLength(64);
    expect(body.at(-1)!.length % 4).toBe(0);
    expect(Buffer.from(body.join(''), 'base64').equals(Buffer.from(file))).toBe(true);
    // A file whose base64 fills its last line exactly still ends with a full line, then END.
    const exact = new Uint8Array(48 * 3);
    expect(dearmor(armor(exact))).toEqual(exact);
    expect(armor(exact).split('\n')).toHaveLength(6);
  });

  it('accepts whitespace around the block and CRLF line endings', () => {
    expect(dearmor(` \t\r\n${armored}\n\n `)).toEqual(file);
    expect(dearmor(armored.replaceAll('\n', '\r\n'))).toEqual(file);
    expect(dearmor(armored.trimEnd())).toEqual(file);
    expect(dearmor(Buffer.from(armored))).toEqual(file);
  });

  it('refuses anything that would make armored files malleable', () => {
    const lines = armored.trimEnd().split('\n');
    const body = lines.slice(1, -1);
    const rejoin = (changed: string[]): string => `${[lines[0], ...changed, lines.at(-1)].join('\n')}\n`;
    const cases: [string, string][] = [
      ['text before', `hello\n${armored}`],
      ['text after', `${armored}bye\n`],
      ['another label', armored.replaceAll('AGE ENCRYPTED FILE', 'PGP MESSAGE')],
      ['a lower-case label', armored.replace('BEGIN AGE', 'BEGIN age')],
      ['no END line', lines.slice(0, -1).join('\n')],
      ['a space at the end of a line', rejoin([`${body[0]} `, ...body.slice(1)])],
      ['a space at the start of a line', rejoin([` ${body[0]}`, ...body.slice(1)])],
      ['an empty line inside', rejoin([body[0]!, '', ...body.slice(1)])],
      ['a short line before the last', rejoin([body.join('').slice(0, 60), ...(body.join('').slice(60).match(/.{1,64}/g) ?? [])])],
      ['a long line', rejoin([body[0]! + body[1]!, ...body.slice(2)])],
      ['unpadded', rejoin([...body.slice(0, -1), body.at(-1)!.replace(/=+$/, '')])],
      ['a header field', rejoin(['Comment: hi', '', ...body])],
      ['a non-base64 character', rejoin([`${body[0]!.slice(0, 10)}*${body[0]!.slice(11)}`, ...body.slice(1)])],
    ];
    for (const [name, text] of cases) expect(ageError(() => dearmor(text)).code, name).toBe('malformed-armor');
    // Non-canonical: an unused bit set before the padding, which decodes to the same bytes.
    const [, data, padding] = /^(.*?)(=+)$/.exec(body.at(-1)!)!;
    const bumped = rejoin([...body.slice(0, -1), `${nonCanonical(data!)}${padding!}`]);
    expect(Buffer.from(bumped.split('\n').slice(1, -2).join(''), 'base64')).toEqual(Buffer.from(file));
    expect(ageError(() => dearmor(bumped)).code).toBe('malformed-armor');
  });
});

describe('age errors never carry an identity', () => {
  it('in any message, stack or inspected form, for every way of failing', () => {
    const me = generateIdentity();
    const other = generateIdentity();
    const secret = parseIdentity(me.identity);
    const dataPart = me.identity.slice('AGE-SECRET-KEY-1'.length);
    const flipped = `${me.identity.slice(0, 30)}${me.identity[30] === 'Q' ? 'P' : 'Q'}${me.identity.slice(31)}`;
    const file = encrypt(bytes(CHUNK + 10), [me.recipient, other.recipient]);
    const forOthers = encrypt(bytes(10), [other.recipient]);
    const failures: (() => unknown)[] = [
      () => parseIdentity(flipped),
      () => parseIdentity(me.identity.slice(0, -1)),
      () => parseIdentity(`${me.identity.slice(0, 40)}${me.identity.slice(40).toLowerCase()}`),
      () => parseIdentity(bech32Encode('age-secret-key-', secret.subarray(0, 31)).toUpperCase()),
      () => parseIdentity(bech32Encode('age', secret)),
      () => parseIdentity(` ${me.identity}`),
      () => parseIdentity(me.identity.replace('AGE-SECRET-KEY-1', 'AGE-SECRET-KEY1')),
      () => parseRecipient(me.identity),
      () => recipientOf(flipped),
      () => encrypt(bytes(1), [me.identity]),
      () => decrypt(file, [flipped]),
      () => decrypt(file, [other.identity.toLowerCase(), me.identity.slice(0, 50)]),
      () => decrypt(forOthers, [me.identity]),
      () => decrypt(withByte(file, headerLength(file) - 5, (byte) => (byte === 0x41 ? 0x42 : 0x41)), [me.identity]),
      () => decrypt(withByte(file, file.length - 1, (byte) => byte ^ 1), [me.identity]),
      () => decrypt(file.subarray(0, headerLength(file) + 16 + SEALED_CHUNK), [me.identity]),
      () => decrypt(Buffer.from(me.identity), [me.identity]),
      () => dearmor(me.identity),
    ];
    const fragments = [me.identity, flipped, dataPart, ...Array.from({ length: dataPart.length - 11 }, (_, i) => dataPart.slice(i, i + 12))];
    for (const [index, failure] of failures.entries()) {
      const error = ageError(failure);
      const seen = [error.message, error.stack ?? '', inspect(error, { depth: 5 }), JSON.stringify(error), String(error)].join('\n');
      for (const fragment of fragments) {
        expect(seen.includes(fragment) || seen.toLowerCase().includes(fragment.toLowerCase()), `failure ${index} shows the identity`).toBe(false);
      }
      const raw = Buffer.from(secret);
      for (const form of [raw.toString('hex'), raw.toString('base64').slice(0, 40), raw.toString('base64url').slice(0, 40)]) {
        expect(seen.toLowerCase().includes(form.toLowerCase()), `failure ${index} shows the key bytes`).toBe(false);
      }
    }
  });
});
