import { createHash } from 'node:crypto';

/** Hex characters kept of the SHA-256: 48 bits, enough to match and deduplicate a vault's keys. */
export const FINGERPRINT_LENGTH = 12;

/**
 * A key's fingerprint: a short prefix of the SHA-256 of the token. Enough to match and deduplicate,
 * useless to an attacker (48 bits of a hash of a 384-bit random token).
 */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, FINGERPRINT_LENGTH);
}
