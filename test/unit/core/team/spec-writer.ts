// A second, deliberately plain age v1 writer written from the spec for the tests: it makes the files
// encrypt() never writes (an empty final chunk after a full one, two final chunks, odd stanzas), so
// decrypt() can be shown to refuse or accept them. It shares no code with src-main/core/team/age.ts
// beyond parseRecipient, and checks itself: a plain file from it must decrypt.
import { createCipheriv, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { parseRecipient } from '../../../../src-main/core/team/age.ts';

/** A stanza: one wrapping the file key to a recipient, or literal header text (ending in LF). */
export type SpecStanza = { recipient: string } | { raw: string };

export interface SpecFile {
  stanzas: SpecStanza[];
  /** The payload's chunks in order, each with its final-chunk flag. */
  chunks: { data: Uint8Array; last: boolean }[];
  fileKey?: Uint8Array;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

function chacha(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

function x25519Stanza(fileKey: Uint8Array, recipient: string): string {
  const theirs = parseRecipient(recipient);
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const share = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const theirKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(theirs).toString('base64url') }, format: 'jwk' });
  const secret = diffieHellman({ privateKey, publicKey: theirKey });
  const body = chacha(hkdf(secret, Buffer.concat([share, theirs]), 'age-encryption.org/v1/X25519'), Buffer.alloc(12), fileKey);
  return `-> X25519 ${b64(share)}\n${b64(body)}\n`;
}

/** Writes an age v1 file exactly as described, right or wrong. */
export function writeSpecFile(spec: SpecFile): Uint8Array {
  const fileKey = spec.fileKey ?? randomBytes(16);
  let header = 'age-encryption.org/v1\n';
  for (const stanza of spec.stanzas) header += 'raw' in stanza ? stanza.raw : x25519Stanza(fileKey, stanza.recipient);
  header += '---';
  // Latin-1 so that a test can place any byte value in the header, even ones the format forbids.
  const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(Buffer.from(header, 'latin1')).digest();
  header += ` ${b64(mac)}\n`;
  const nonce = randomBytes(16);
  const payloadKey = hkdf(fileKey, nonce, 'payload');
  const chunks = spec.chunks.map(({ data, last }, counter) => {
    const chunkNonce = Buffer.alloc(12);
    chunkNonce.writeUInt32BE(counter, 7);
    chunkNonce[11] = last ? 1 : 0;
    return chacha(payloadKey, chunkNonce, data);
  });
  return new Uint8Array(Buffer.concat([Buffer.from(header, 'latin1'), nonce, ...chunks]));
}

/** A stanza whose X25519 share is a low-order point, so any identity's shared secret is all zeros. */
export function lowOrderStanza(): string {
  const point = Buffer.alloc(32);
  point[0] = 1; // u = 1 has order 4, and every X25519 scalar is a multiple of 8: the result is zero.
  return `-> X25519 ${b64(point)}\n${b64(randomBytes(32))}\n`;
}
