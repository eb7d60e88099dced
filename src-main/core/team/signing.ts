/**
 * Ed25519 signing for the team repository: every change carries its author's signature over a
 * canonical byte string, so a member can check who wrote what without trusting the git host.
 *
 * What it writes (the private key goes to the keychain, the rest into the repository). For the
 * sample seed 00 01 02 … 1f and the sample metadata below (the test file checks these values):
 *
 *   TKV-ED25519-SECRET-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=    private key: the 32-byte seed
 *   ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=                public key: 32 raw bytes
 *   {"members":[{"name":"ana","recipient":"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"}],"version":1}
 *                                        canonicalJson: sorted keys, no whitespace; signed as UTF-8
 *   ed25519:wZLf4TUbSvT+4f/agKZCAsQJ6sy0HGBupA3Hwcz0kN2pwlqJ610tipV+qa8McvzS1a3cmRW5zByMzK5ApCSVBg==
 *                                        its signature: 64 bytes (Ed25519 is deterministic)
 */
import { createPrivateKey, createPublicKey, randomBytes, sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';

const PRIVATE_PREFIX = 'TKV-ED25519-SECRET-';
const PUBLIC_PREFIX = 'ed25519:';
const SIGNATURE_PREFIX = 'ed25519:';
// PKCS #8 and SPKI wrappings of raw 32-byte Ed25519 keys (RFC 8410): node:crypto takes keys as DER.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A signing key or public key string that is not of this module's form; the message never quotes it. */
export class SigningKeyError extends Error {
  readonly code = 'invalid-signing-key';

  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** A new Ed25519 signing key: the private key (for the keychain) and the public key members record. */
export function generateSigningKey(): { privateKey: string; publicKey: string } {
  const seed = randomBytes(32);
  return { privateKey: `${PRIVATE_PREFIX}${seed.toString('base64')}`, publicKey: publicKeyString(privateKeyObject(seed)) };
}

/** The public key (`ed25519:…`) of a private key (`TKV-ED25519-SECRET-…`). */
export function publicKeyOf(privateKey: string): string {
  return publicKeyString(privateKeyObject(parsePrivateKey(privateKey)));
}

/** Signs the bytes given (for metadata, the UTF-8 of canonicalJson) and returns `ed25519:<base64>`. */
export function sign(message: Uint8Array, privateKey: string): string {
  const signature = ed25519Sign(null, message, privateKeyObject(parsePrivateKey(privateKey)));
  return `${SIGNATURE_PREFIX}${signature.toString('base64')}`;
}

/**
 * Whether the signature is the public key's over exactly these bytes. Never throws: a malformed
 * signature or public key is simply not a valid signature.
 */
export function verify(message: Uint8Array, signature: string, publicKey: string): boolean {
  try {
    if (!(message instanceof Uint8Array)) return false;
    const signatureBytes = decodePrefixed(signature, SIGNATURE_PREFIX, 64);
    const publicKeyBytes = decodePrefixed(publicKey, PUBLIC_PREFIX, 32);
    if (signatureBytes === null || publicKeyBytes === null) return false;
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKeyBytes]), format: 'der', type: 'spki' });
    return ed25519Verify(null, message, key, signatureBytes);
  } catch {
    return false;
  }
}

function parsePrivateKey(privateKey: string): Buffer {
  if (typeof privateKey !== 'string' || !privateKey.startsWith(PRIVATE_PREFIX)) {
    throw new SigningKeyError(`The signing key is not a Tenant Key Vault Ed25519 private key (${PRIVATE_PREFIX}…).`);
  }
  const seed = decodePrefixed(privateKey, PRIVATE_PREFIX, 32);
  if (seed === null) throw new SigningKeyError('The signing key is damaged: it is not the canonical base64 of 32 bytes.');
  return seed;
}

/** The bytes after a prefix, or null unless they are canonical padded base64 of exactly `length` bytes. */
function decodePrefixed(text: string, prefix: string, length: number): Buffer | null {
  if (typeof text !== 'string' || !text.startsWith(prefix)) return null;
  const base64 = text.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null;
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length === length && bytes.toString('base64') === base64 ? bytes : null;
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyString(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return `${PUBLIC_PREFIX}${der.subarray(der.length - 32).toString('base64')}`;
}

/**
 * JSON with object keys sorted (by UTF-16 code unit, as RFC 8785 orders them), no whitespace, and
 * numbers and strings as JSON.stringify writes them, so equal values always give equal text. Refuses
 * what JSON cannot carry faithfully: undefined, functions, symbols, bigints, NaN and Infinity,
 * objects other than plain ones and arrays, sparse arrays and cycles. Errors name the path, never
 * the value.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

/** canonicalJson's text as UTF-8: the bytes a signature covers. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function write(value: unknown, path: string, open: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: the number at ${path} is not finite.`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new TypeError(`canonicalJson: the value at ${path} is ${typeof value}, which JSON cannot hold.`);
  if (open.has(value)) throw new TypeError(`canonicalJson: the value at ${path} contains itself.`);
  open.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new TypeError(`canonicalJson: the array at ${path} has a hole at ${i}.`);
        items.push(write(value[i], `${path}[${i}]`, open));
      }
      return `[${items.join(',')}]`;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) throw new TypeError(`canonicalJson: the value at ${path} is not a plain object or an array.`);
    if (Object.getOwnPropertySymbols(value).length > 0) throw new TypeError(`canonicalJson: the object at ${path} has symbol keys, which JSON cannot hold.`);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}${JSON.stringify([key])}`, open)}`).join(',')}}`;
  } finally {
    open.delete(value);
  }
}
