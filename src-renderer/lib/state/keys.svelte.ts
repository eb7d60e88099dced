/**
 * Stored keys' metadata, never a secret: the add form passes its secret straight to `keys:add` and
 * keeps nothing. Shape kept: KeySummary[] (tenant, name, scopes, fingerprint, expiry, owner, notes,
 * last judgement and last attempt …), plus the filter the table shows and the key selected.
 */
import type { KeyRef, KeySummary, NewKeyInput } from '../../../src-main/shared/contract.ts';
import type { Verdict } from '../../../src-main/shared/verdicts.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export interface KeyFilter {
  tenant: string | null;
  /** Keys whose last check had this verdict (a bulk run's summary filters by it). */
  attempt: Verdict | null;
  search: string;
}

export const refOf = (key: KeyRef): string => `${key.tenant}/${key.name}`;

export class KeysStore {
  list = $state.raw<KeySummary[]>([]);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);
  filter = $state<KeyFilter>({ tenant: null, attempt: null, search: '' });
  /** The key the person is looking at ("tenant/name"). */
  selected = $state<string | null>(null);
  private readonly latest = new Latest();

  visible = $derived.by(() => {
    const { tenant, attempt, search } = this.filter;
    const needle = search.trim().toLowerCase();
    return this.list.filter(
      (key) =>
        (tenant === null || key.tenant === tenant) &&
        (attempt === null || key.lastAttempt === attempt) &&
        (needle === '' || [key.name, key.tenant, key.owner ?? '', key.notes ?? '', key.fingerprint, ...key.scopes].some((field) => field.toLowerCase().includes(needle))),
    );
  });

  selectedKey = $derived(this.selected === null ? null : (this.list.find((key) => refOf(key) === this.selected) ?? null));

  async load(): Promise<void> {
    const current = this.latest.begin();
    try {
      const list = await unwrap(api.keys.list({}));
      if (!current()) return;
      this.list = list;
      this.error = null;
      if (this.selected !== null && !list.some((key) => refOf(key) === this.selected)) this.selected = null;
    } catch (error) {
      if (current()) this.error = asApiError(error);
    } finally {
      if (current()) this.loaded = true;
    }
  }

  async add(input: NewKeyInput): Promise<KeySummary> {
    const key = await unwrap(api.keys.add(input));
    await this.load();
    return key;
  }

  async remove(ref: KeyRef): Promise<void> {
    await unwrap(api.keys.remove(ref));
    await this.load();
  }
}
