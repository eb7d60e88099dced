/**
 * The one error type core throws on purpose. Its message is meant for a person: it says what went
 * wrong and what to do, and never contains a secret.
 */
import type { ErrorCode, ErrorInfo } from '../shared/errors.ts';
import type { Remedy } from '../shared/remedies.ts';
import { fullInventoryDisk } from './db/disk.ts';

export class VaultError extends Error {
  readonly code: ErrorCode;
  /** What to do about it, as data; each front door words it (no command line in the message). */
  readonly remedies: Remedy[];

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; remedies?: Remedy[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaultError';
    this.code = code;
    this.remedies = options?.remedies ?? [];
  }
}

/** Throws INVALID_INPUT when a rule check returned a message. */
export function assertRule(problem: string | null): void {
  if (problem !== null) throw new VaultError('INVALID_INPUT', problem);
}

/**
 * Turns anything thrown into an ErrorInfo that is safe to show. Unexpected errors become INTERNAL
 * with a fixed message: their text may quote input (and so a secret), so it is not passed on.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof VaultError) return { code: error.code, message: error.message, ...(error.remedies.length ? { remedies: error.remedies } : {}) };
  const sqlite = storageFailure(error);
  if (sqlite) return { code: 'STORAGE_ERROR', message: sqlite };
  return { code: 'INTERNAL', message: 'An unexpected error occurred (a bug in Tenant Key Vault). Check the vault, then retry.', remedies: [{ code: 'run-doctor' }, { code: 'run-reconcile' }] };
}

/**
 * What a person should read when SQLite could not write: a full disk named as such (SQLite's own
 * words are "disk I/O error"), with the assurance that the failed change was rolled back whole.
 */
export function storageFailure(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^SQLITE_(FULL|IOERR)/.test(code)) return null;
  const full = fullInventoryDisk();
  if (code.startsWith('SQLITE_FULL') || full) {
    return `The disk holding the inventory${full ? ` (${full})` : ''} is full: nothing was written, the change was undone whole. Free some space on it, then retry.`;
  }
  return 'The inventory could not be written: the disk reported an input/output error. Nothing was written, the change was undone whole. Check the disk, then retry.';
}
