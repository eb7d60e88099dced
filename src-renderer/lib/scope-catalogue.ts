/** The vendor's scope catalogue, asked of the main process once and kept for the forms that use it. */
import type { ScopeArea } from '../../src-main/shared/scopes.ts';
import { api, unwrap } from './api.ts';

let loading: Promise<ScopeArea[]> | null = null;

export function scopeCatalogue(): Promise<ScopeArea[]> {
  loading ??= unwrap(api.app.scopes()).catch((error: unknown) => {
    // Asked again next time, rather than failing for good.
    loading = null;
    throw error;
  });
  return loading;
}

/** The scopes of a comma-separated field, trimmed, empty ones left out (as the vault reads them). */
export { parseScopeList as scopeList } from '../../src-main/shared/key-fields.ts';
