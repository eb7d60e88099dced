import type { Remedy } from './remedies.ts';

/**
 * The closed set of error codes that cross IPC and appear in `tkv --json` output. Runs anywhere:
 * no Electron, no `node:*`.
 */
export const ERROR_CODES = [
  /** The input broke a rule; the message says which and how to fix it. */
  'INVALID_INPUT',
  /** The tenant or key named does not exist in the vault. */
  'NOT_FOUND',
  /** A tenant alias, key name or token is already in the vault. */
  'ALREADY_EXISTS',
  /** The operation would leave the vault inconsistent (e.g. removing a tenant that holds keys). */
  'CONFLICT',
  /** The OS keychain did not answer, refused, or timed out. Never answered by storing elsewhere. */
  'KEYCHAIN_UNAVAILABLE',
  /** The keychain answered but holds no secret for a key the inventory lists. */
  'SECRET_MISSING',
  /** The inventory database could not be opened, migrated or written. */
  'STORAGE_ERROR',
  /** The inventory lists no key while the keychain holds this vault's secrets: it was deleted, emptied or replaced. */
  'INVENTORY_LOST',
  /** The vendor's API refused the admin credential: invalid or expired (401), or lacking a scope (403). */
  'REMOTE_REFUSED',
  /** The vendor's API could not be used: network fault, throttling, server error or an unexpected answer. */
  'REMOTE_FAILED',
  /** An IPC call came from a frame the main process does not trust. */
  'FORBIDDEN_SENDER',
  /** A bug: something the code did not expect. The message carries no secret. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error half of every IPC result and of `tkv --json` failures. */
export interface ErrorInfo {
  code: ErrorCode;
  /** What went wrong, as a sentence; never a command line or a secret. */
  message: string;
  /** What to do about it, as data (absent when there is nothing to add to the message). */
  remedies?: Remedy[];
}

/** What every IPC channel returns: a value, or a typed error. Never a thrown exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** True when `value` is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
