/**
 * The only module that touches `window.api` (built by the preload from the IPC contract). The rest of
 * the renderer imports from here, so the bridge has exactly one seam.
 */
import type { Api } from '../../src-main/shared/contract.ts';
import type { ErrorInfo, Result } from '../../src-main/shared/errors.ts';

declare global {
  interface Window {
    api: Api;
  }
}

export const api: Api = window.api;

/** A failed call, carrying the main process's error code and its message for the person. */
export class ApiError extends Error {
  readonly code: ErrorInfo['code'];

  constructor(error: ErrorInfo) {
    super(error.message);
    this.code = error.code;
  }
}

/** The value of a Result, or an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}
