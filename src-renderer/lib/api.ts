/**
 * The only module that touches `window.api` (built by the preload from the IPC contract). The rest of
 * the renderer imports from here, so the bridge has exactly one seam — and at that seam every input
 * is snapshotted: contextBridge copies arguments and throws on a Svelte `$state` proxy, so no call
 * site can hand one over by forgetting.
 */
import type { Api } from '../../src-main/shared/contract.ts';
import type { ErrorInfo, Result } from '../../src-main/shared/errors.ts';
import type { Remedy } from '../../src-main/shared/remedies.ts';
import { plain } from './plain.svelte.ts';

declare global {
  interface Window {
    api: Api;
  }
}

export const api: Api = snapshotting(window.api);

/** `bridge`, with every call's input replaced by a plain copy of it; `on` is passed through. */
function snapshotting(bridge: Api): Api {
  const wrapped: Record<string, unknown> = {};
  for (const [domain, group] of Object.entries(bridge) as [string, unknown][]) {
    wrapped[domain] =
      typeof group === 'function'
        ? group
        : Object.freeze(Object.fromEntries(Object.entries(group as Record<string, (input?: unknown) => unknown>).map(([verb, call]) => [verb, (input?: unknown) => call(plain(input))])));
  }
  return Object.freeze(wrapped) as Api;
}

/** A failed call, carrying the main process's error code and remedies with its message for the person. */
export class ApiError extends Error {
  readonly code: ErrorInfo['code'];
  readonly remedies: Remedy[];

  constructor(error: ErrorInfo) {
    super(error.message);
    this.code = error.code;
    this.remedies = error.remedies ?? [];
  }
}

/** The value of a Result, or an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

/** Any thrown value as an ApiError (a bug in the page becomes INTERNAL, with its message). */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError({ code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
}
