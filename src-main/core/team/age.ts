/**
 * age v1 (https://age-encryption.org/v1, the C2SP text) with X25519 recipients, over node:crypto
 * alone: the team repository keeps one age file per secret, readable by the members it names.
 *
 * What it writes. An identity and its recipient (Bech32, BIP 173):
 *
 *   AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX
 *   age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj
 *
 * A file: a text header (one stanza per recipient: the ephemeral share, then the wrapped file key;
 * stanza bodies wrap at 64 columns), the header's MAC, then the binary payload (a 16-byte nonce and
 * ChaCha20-Poly1305 chunks of 64 KiB, the last one flagged):
 *
 *   age-encryption.org/v1
 *   -> X25519 XEl0dJ6y3C7KZkgmgWUicg63EyXJiwBJW8PdYJ/cYBE
 *   qRS0AMjdjPvZ/WT08U2KL4G+PIooA3hy38SvLpvaC1E
 *   --- HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75s
 *   <nonce><chunk>…
 *
 * and armored, as the team repository stores it (padded base64, 64 columns):
 *
 *   -----BEGIN AGE ENCRYPTED FILE-----
 *   YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBYRWwwZEo2eTNDN0taa2dt
 *   …
 *   -----END AGE ENCRYPTED FILE-----
 *
 * Errors are AgeError with a code; no message ever contains an identity or any part of one.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { Bech32Error, bech32Decode, bech32Encode } from './bech32.ts';

const VERSION_LINE = 'age-encryption.org/v1';
const VERSION_PREFIX = 'age-encryption.org/';
const IDENTITY_HRP = 'age-secret-key-';
const RECIPIENT_HRP = 'age';
const X25519_INFO = 'age-encryption.org/v1/X25519';
const FILE_KEY_LENGTH = 16;
const NONCE_LENGTH = 16;
const TAG_LENGTH = 16;
const CHUNK_LENGTH = 64 * 1024;
const SEALED_CHUNK_LENGTH = CHUNK_LENGTH + TAG_LENGTH;
const COLUMNS = 64;
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
// PKCS #8 and SPKI wrappings of a raw 32-byte X25519 key (RFC 8410): node:crypto takes keys as DER.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Why age refused: each front door words these; the message is a fallback that names no secret. */
export type AgeErrorCode =
  /** An identity string is not an age X25519 identity (checksum, prefix, length). */
  | 'invalid-identity'
  /** A recipient string is not an age X25519 recipient. */
  | 'invalid-recipient'
  /** encrypt() was given no recipient. */
  | 'no-recipients'
  /** The file is not an age v1 file, or its header breaks the format (a stanza, base64, the MAC line). */
  | 'malformed-header'
  /** An age file of a version other than v1. */
  | 'unsupported-version'
  /** The file is for a recipient type this library does not read (scrypt: a passphrase). */
  | 'unsupported-recipient-type'
  /** None of the identities given can unwrap the file key: the holder is not a reader. */
  | 'no-identity-matched'
  /** The file key unwrapped but the header MAC does not match: the header was changed. */
  | 'header-mac-mismatch'
  /** The file ends before its last chunk (or inside its header or nonce). */
  | 'truncated'
  /** A payload chunk does not authenticate: the body was changed. */
  | 'payload-authentication-failed'
  /** The payload authenticates but breaks a STREAM rule (an empty final chunk after others). */
  | 'malformed-payload'
  /** Bytes follow the final chunk. */
  | 'trailing-data'
  /** Armored text breaks the strict PEM rules the spec asks for. */
  | 'malformed-armor';

/** The one error this module throws on purpose. Its message never contains an identity. */
export class AgeError extends Error {
  readonly code: AgeErrorCode;

  constructor(code: AgeErrorCode, message: string) {
    super(message);
    this.name = 'AgeError';
    this.code = code;
  }
}

/** A new X25519 identity (the private key, for the keychain) and the recipient members encrypt to. */
export function generateIdentity(): { identity: string; recipient: string } {
  const secret = randomBytes(32);
  const identity = bech32Encode(IDENTITY_HRP, secret).toUpperCase();
  return { identity, recipient: encodeRecipient(publicKeyOf(privateKeyObject(secret))) };
}

/** The recipient (`age1…`) of an identity (`AGE-SECRET-KEY-1…`). */
export function recipientOf(identity: string): string {
  return encodeRecipient(publicKeyOf(privateKeyObject(parseIdentity(identity))));
}

/**
 * The 32-byte X25519 secret of an identity. Accepts Bech32's all-upper or all-lower case; throws
 * `invalid-identity` saying what is wrong (never quoting it).
 */
export function parseIdentity(identity: string): Uint8Array {
  return decodeKey(identity, IDENTITY_HRP, 'invalid-identity', 'identity', 'an age identity (AGE-SECRET-KEY-1…)');
}

/** The 32-byte X25519 public key of a recipient (`age1…`); throws `invalid-recipient`. */
export function parseRecipient(recipient: string): Uint8Array {
  return decodeKey(recipient, RECIPIENT_HRP, 'invalid-recipient', 'recipient', 'an age recipient (age1…)');
}

function decodeKey(text: string, hrp: string, code: AgeErrorCode, noun: string, expected: string): Uint8Array {
  if (typeof text !== 'string') throw new AgeError(code, `The ${noun} is not a string.`);
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = bech32Decode(text);
  } catch (error) {
    if (error instanceof Bech32Error) throw new AgeError(code, `The ${noun} is ${error.message}.`);
    throw error;
  }
  if (decoded.hrp !== hrp) {
    // Naming the prefix found would quote part of the string, and a pasted identity is a secret.
    const hint = decoded.hrp === IDENTITY_HRP ? ' (it is an identity, a private key)' : decoded.hrp === RECIPIENT_HRP ? ' (it is a recipient, a public key)' : '';
    throw new AgeError(code, `The ${noun} is not ${expected}: wrong prefix${hint}.`);
  }
  if (decoded.data.length !== 32) throw new AgeError(code, `The ${noun} holds ${decoded.data.length} bytes; an X25519 key is 32.`);
  return decoded.data;
}

function encodeRecipient(publicKey: Uint8Array): string {
  return bech32Encode(RECIPIENT_HRP, publicKey);
}

function privateKeyObject(secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

function publicKeyOf(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** X25519, or null when the result is all zeros (a low-order share), which the spec forbids using. */
function x25519(privateKey: KeyObject, publicKey: Uint8Array): Uint8Array | null {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: publicKeyObject(publicKey) });
  } catch {
    // OpenSSL refuses to derive an all-zero secret itself; the check below covers a build that does not.
    return null;
  }
  return shared.every((byte) => byte === 0) ? null : shared;
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_LENGTH });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** ChaCha20-Poly1305 decryption, or null when the tag does not verify. */
function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < TAG_LENGTH) return null;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH));
  try {
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    return null;
  }
}

function headerMac(fileKey: Uint8Array, headerUpToDashes: Uint8Array): Buffer {
  return createHmac('sha256', hkdf(fileKey, new Uint8Array(0), 'header')).update(headerUpToDashes).digest();
}

/** Standard base64 without padding, as every base64 in an age header is. */
function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Decodes unpadded base64, or null unless it is the canonical encoding (RFC 4648 §3.5). */
function decodeCanonicalBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64');
  return encodeBase64(bytes) === text ? bytes : null;
}

function streamNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // An 11-byte big-endian counter; six bytes hold more chunks than a Uint8Array can.
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * Encrypts to one or more recipients (`age1…`), in the binary age v1 format. A fresh file key, nonce
 * and ephemeral key every call, so two encryptions of one plaintext never match.
 */
export function encrypt(plaintext: Uint8Array, recipients: readonly string[]): Uint8Array {
  if (recipients.length === 0) throw new AgeError('no-recipients', 'A file needs at least one recipient.');
  const publicKeys = recipients.map((recipient, index) => {
    try {
      return parseRecipient(recipient);
    } catch (error) {
      if (error instanceof AgeError) throw new AgeError(error.code, `Recipient ${index + 1}: ${error.message}`);
      throw error;
    }
  });
  const fileKey = randomBytes(FILE_KEY_LENGTH);
  let header = `${VERSION_LINE}\n`;
  publicKeys.forEach((publicKey, index) => {
    const ephemeral = generateKeyPairSync('x25519').privateKey;
    const share = publicKeyOf(ephemeral);
    const shared = x25519(ephemeral, publicKey);
    if (shared === null) throw new AgeError('invalid-recipient', `Recipient ${index + 1} is a low-order point, not a usable public key.`);
    const wrapKey = hkdf(shared, Buffer.concat([share, publicKey]), X25519_INFO);
    const body = seal(wrapKey, Buffer.alloc(12), fileKey);
    header += `-> X25519 ${encodeBase64(share)}\n${wrapColumns(encodeBase64(body))}`;
  });
  header += '---';
  const mac = headerMac(fileKey, Buffer.from(header, 'latin1'));
  header += ` ${encodeBase64(mac)}\n`;

  const nonce = randomBytes(NONCE_LENGTH);
  const payloadKey = hkdf(fileKey, nonce, 'payload');
  const parts: Uint8Array[] = [Buffer.from(header, 'latin1'), nonce];
  // An empty plaintext is one empty final chunk; otherwise the final chunk is never empty.
  const chunkCount = Math.max(1, Math.ceil(plaintext.length / CHUNK_LENGTH));
  for (let counter = 0; counter < chunkCount; counter++) {
    const chunk = plaintext.subarray(counter * CHUNK_LENGTH, (counter + 1) * CHUNK_LENGTH);
    parts.push(seal(payloadKey, streamNonce(counter, counter === chunkCount - 1), chunk));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A stanza body as lines of 64 columns; the last line is always shorter (empty if need be). */
function wrapColumns(base64: string): string {
  let out = '';
  for (let start = 0; start + COLUMNS <= base64.length; start += COLUMNS) out += `${base64.slice(start, start + COLUMNS)}\n`;
  return `${out}${base64.slice(base64.length - (base64.length % COLUMNS))}\n`;
}

interface Stanza {
  args: string[];
  body: Buffer;
}

interface Header {
  stanzas: Stanza[];
  /** The header bytes the MAC covers: through the `---`, not the space after it. */
  macInput: Uint8Array;
  mac: Buffer;
  /** Where the payload (its nonce) starts. */
  payloadOffset: number;
}

function malformed(detail: string): AgeError {
  return new AgeError('malformed-header', `The file's age header is malformed: ${detail}.`);
}

/** Parses the header strictly, as the spec's ABNF has it: LF only, single spaces, canonical base64. */
function parseHeader(file: Uint8Array): Header {
  let offset = 0;
  const readLine = (): string => {
    const end = file.indexOf(0x0a, offset);
    if (end < 0) throw new AgeError('truncated', 'The file ends inside its age header.');
    const line = file.subarray(offset, end);
    // Header lines are printable ASCII; anything else (a CR, a control byte, UTF-8) is malformed.
    for (const byte of line) if (byte < 0x20 || byte > 0x7e) throw malformed('a header line has a character that is not printable ASCII');
    offset = end + 1;
    return Buffer.from(line).toString('latin1');
  };

  const version = readLine();
  if (version !== VERSION_LINE) {
    if (version.startsWith(VERSION_PREFIX)) throw new AgeError('unsupported-version', 'The file is from an age version this program does not read (only v1).');
    throw malformed('it does not start with the age v1 version line');
  }
  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = offset;
    const line = readLine();
    if (line.startsWith('---')) {
      const match = /^--- ([A-Za-z0-9+/]{43})$/.exec(line);
      const mac = match ? decodeCanonicalBase64(match[1]!) : null;
      if (mac === null) throw malformed('the MAC line is not "--- " and a canonical base64 MAC');
      if (stanzas.length === 0) throw malformed('it has no recipient stanza');
      return { stanzas, macInput: file.subarray(0, lineStart + 3), mac, payloadOffset: offset };
    }
    if (!line.startsWith('-> ')) throw malformed('a line is neither a stanza nor the MAC line');
    const args = line.slice(3).split(' ');
    if (args.some((arg) => arg.length === 0)) throw malformed('a stanza has an empty argument');
    let body = '';
    for (;;) {
      const bodyLine = readLine();
      if (bodyLine.length > COLUMNS || !/^[A-Za-z0-9+/]*$/.test(bodyLine)) throw malformed('a stanza body line is not base64 of at most 64 columns');
      body += bodyLine;
      if (bodyLine.length < COLUMNS) break;
    }
    const decoded = decodeCanonicalBase64(body);
    if (decoded === null) throw malformed('a stanza body is not canonical base64');
    stanzas.push({ args, body: decoded });
  }
}

/**
 * The file key from the first X25519 stanza one of the identities opens. Every X25519 stanza is
 * checked for form first, so a malformed one is refused wherever it sits.
 */
function unwrapFileKey(stanzas: readonly Stanza[], keys: readonly { privateKey: KeyObject; publicKey: Uint8Array }[]): Buffer {
  if (stanzas.some((stanza) => stanza.args[0] === 'scrypt')) {
    throw new AgeError('unsupported-recipient-type', 'The file is encrypted with a passphrase (scrypt); only X25519 recipients are read here.');
  }
  const x25519Stanzas = stanzas
    .filter((stanza) => stanza.args[0] === 'X25519')
    .map((stanza) => {
      const share = stanza.args.length === 2 ? decodeCanonicalBase64(stanza.args[1]!) : null;
      if (share === null || share.length !== 32) throw malformed('an X25519 stanza does not have exactly one argument, the canonical base64 of a 32-byte share');
      // Checked before any decryption, against partitioning-oracle attacks (the spec's MUST).
      if (stanza.body.length !== FILE_KEY_LENGTH + TAG_LENGTH) throw malformed('an X25519 stanza body is not 32 bytes');
      return { share, body: stanza.body };
    });
  for (const key of keys) {
    for (const stanza of x25519Stanzas) {
      const shared = x25519(key.privateKey, stanza.share);
      if (shared === null) throw malformed('an X25519 share is a low-order point (the shared secret would be all zeros)');
      const wrapKey = hkdf(shared, Buffer.concat([stanza.share, key.publicKey]), X25519_INFO);
      const fileKey = open(wrapKey, Buffer.alloc(12), stanza.body);
      if (fileKey !== null) return fileKey;
    }
  }
  throw new AgeError('no-identity-matched', 'No identity matched: the file is encrypted to other recipients.');
}

/**
 * Decrypts a binary age v1 file with any of the identities given (`AGE-SECRET-KEY-1…`). Verifies
 * everything the spec asks: header syntax and MAC, stanza forms, the STREAM's chunks and final
 * flag, and that nothing follows the final chunk. Unknown stanza types are skipped.
 */
export function decrypt(ciphertext: Uint8Array, identities: readonly string[]): Uint8Array {
  const keys = identities.map((identity, index) => {
    try {
      const privateKey = privateKeyObject(parseIdentity(identity));
      return { privateKey, publicKey: publicKeyOf(privateKey) };
    } catch (error) {
      if (error instanceof AgeError) throw new AgeError(error.code, `Identity ${index + 1}: ${error.message}`);
      throw error;
    }
  });
  const header = parseHeader(ciphertext);
  const fileKey = unwrapFileKey(header.stanzas, keys);
  if (!timingSafeEqual(headerMac(fileKey, header.macInput), header.mac)) {
    throw new AgeError('header-mac-mismatch', 'Header MAC mismatch: the file header was changed after it was written.');
  }

  const payload = ciphertext.subarray(header.payloadOffset);
  if (payload.length < NONCE_LENGTH) throw new AgeError('truncated', 'The file ends before its payload nonce.');
  if (payload.length < NONCE_LENGTH + TAG_LENGTH) throw new AgeError('truncated', 'The file ends before its first payload chunk.');
  const payloadKey = hkdf(fileKey, payload.subarray(0, NONCE_LENGTH), 'payload');
  const body = payload.subarray(NONCE_LENGTH);
  const failed = (counter: number): AgeError =>
    new AgeError('payload-authentication-failed', `Payload authentication failed at chunk ${counter + 1}: the file body was changed or damaged.`);
  const chunks: Buffer[] = [];
  for (let offset = 0, counter = 0; ; offset += SEALED_CHUNK_LENGTH, counter++) {
    const remaining = body.length - offset;
    if (remaining > SEALED_CHUNK_LENGTH) {
      const sealed = body.subarray(offset, offset + SEALED_CHUNK_LENGTH);
      const chunk = open(payloadKey, streamNonce(counter, false), sealed);
      if (chunk === null) {
        if (open(payloadKey, streamNonce(counter, true), sealed) !== null) throw new AgeError('trailing-data', 'Data follows the final chunk of the file.');
        throw failed(counter);
      }
      chunks.push(chunk);
      continue;
    }
    const sealed = body.subarray(offset);
    const chunk = open(payloadKey, streamNonce(counter, true), sealed);
    if (chunk === null) {
      // A full chunk that opens as a middle one: the file was cut at a chunk boundary.
      if (remaining === SEALED_CHUNK_LENGTH && open(payloadKey, streamNonce(counter, false), sealed) !== null) {
        throw new AgeError('truncated', 'The file ends before its final chunk.');
      }
      throw failed(counter);
    }
    if (chunk.length === 0 && counter > 0) throw new AgeError('malformed-payload', 'The final chunk is empty, which only an empty file may have.');
    chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  }
}

/** Armors a binary age file as strict PEM (RFC 7468): padded base64 in 64 columns, LF line ends. */
export function armor(file: Uint8Array): string {
  const base64 = Buffer.from(file).toString('base64');
  const lines = [ARMOR_BEGIN];
  for (let start = 0; start < base64.length; start += COLUMNS) lines.push(base64.slice(start, start + COLUMNS));
  lines.push(ARMOR_END);
  return `${lines.join('\n')}\n`;
}

/**
 * The binary age file inside armored text. Strict, as the spec recommends, so armored files are not
 * malleable: only whitespace may surround the block, lines end in LF or CRLF, every base64 line but
 * the last is exactly 64 columns, and the base64 is canonical with its padding.
 */
export function dearmor(text: string | Uint8Array): Uint8Array {
  const bad = (detail: string): AgeError => new AgeError('malformed-armor', `The armored age file is malformed: ${detail}.`);
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  const trimmed = source.replace(/^[ \t\r\n]+/, '').replace(/[ \t\r\n]+$/, '');
  const lines = trimmed.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines[0] !== ARMOR_BEGIN) throw bad('it does not start with the BEGIN AGE ENCRYPTED FILE line');
  if (lines.length < 2 || lines[lines.length - 1] !== ARMOR_END) throw bad('it does not end with the END AGE ENCRYPTED FILE line');
  const body = lines.slice(1, -1);
  // An empty block is valid PEM; decrypt() then refuses the empty file as it would a binary one.
  if (body.length === 0) return new Uint8Array(0);
  const last = body[body.length - 1]!;
  if (body.slice(0, -1).some((line) => line.length !== COLUMNS)) throw bad('a base64 line other than the last is not 64 columns');
  if (last.length === 0 || last.length > COLUMNS || last.length % 4 !== 0) throw bad('the last base64 line is empty, too long, or not padded');
  const base64 = body.join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw bad('it has a character that is not base64');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.toString('base64') !== base64) throw bad('its base64 is not canonical');
  return new Uint8Array(bytes);
}
