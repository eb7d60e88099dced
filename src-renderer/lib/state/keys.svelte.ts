/**
 * The key table as the renderer holds it: never every key, only the pages near what is on screen,
 * fetched from the main process (which filters, searches and sorts in SQLite). Shape kept: the
 * filters and the sort, the number of keys they match, a few pages of KeySummary (metadata, never a
 * secret) by page number, and the selected key with its detail.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { ChannelOutput, KeyDetail, KeyEdit, KeyQuery, KeyRef, KeySort, KeySummary, NewKeyInput, ReviewQuery } from '../../../src-main/shared/contract.ts';
import type { Environment } from '../../../src-main/shared/rules.ts';
import type { Verdict } from '../../../src-main/shared/verdicts.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

/** Rows per page fetched. */
export const PAGE_SIZE = 100;
/** Pages held at most: the renderer's memory follows the screen, not the inventory. */
const MAX_PAGES = 8;

export interface KeyFilter {
  search: string;
  tenant: string | null;
  environment: Environment | null;
  /**
   * The last judgement, or one of the states without one: `never-checked` (no check ever),
   * `not-judged` (checked, no answer could judge it) or `never` (either of the two).
   */
  judgement: JudgementFilter | null;
  /** Keys whose last check had this verdict (a bulk run's summary filters by it). */
  attempt: Verdict | null;
  expiry: 'expired' | 'within-7' | 'within-30' | null;
  admin: boolean;
  wildcard: boolean;
  /** The keys a flag or a chart bar of the review stands for. */
  review: ReviewQuery | null;
}

/** What the judgement filter chooses among: a verdict, or one of the three ways of having none. */
export type JudgementFilter = Verdict | 'never' | 'not-judged' | 'never-checked';

export const NO_FILTER: KeyFilter = { search: '', tenant: null, environment: null, judgement: null, attempt: null, expiry: null, admin: false, wildcard: false, review: null };

export const refOf = (key: KeyRef): string => `${key.tenant}/${key.name}`;

/** The filter as the main process takes it (empty fields left out). */
function toQuery(filter: KeyFilter): KeyQuery {
  return {
    ...(filter.search.trim() ? { search: filter.search.trim() } : {}),
    ...(filter.tenant ? { tenant: filter.tenant } : {}),
    ...(filter.environment ? { environment: filter.environment } : {}),
    // "Never checked" is a filter of its own in the query; the person picks it beside the other two.
    ...(filter.judgement === 'never-checked' ? { neverChecked: true } : filter.judgement ? { judgement: filter.judgement } : {}),
    ...(filter.attempt ? { attempt: filter.attempt } : {}),
    ...(filter.expiry ? { expiry: filter.expiry } : {}),
    ...(filter.admin ? { admin: true } : {}),
    ...(filter.wildcard ? { wildcard: true } : {}),
    ...(filter.review?.query ?? {}),
  };
}

export class KeysStore {
  filter = $state.raw<KeyFilter>(NO_FILTER);
  sort = $state.raw<KeySort>({ column: 'name', direction: 'asc' });
  /** How many keys the filter matches; null until counted. */
  total = $state<number | null>(null);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);
  /** Changes with the filter or the sort: the table goes back to its top. */
  generation = $state(0);
  /** Asked for by the table after a change of query: the row to scroll to (the selected key's). */
  scrollTo = $state<number | null>(null);
  /** The key the person is looking at ("tenant/name"), its metadata and its detail. */
  selected = $state<string | null>(null);
  selectedKey = $state.raw<KeySummary | null>(null);
  detail = $state.raw<KeyDetail | null>(null);
  detailError = $state.raw<ApiError | null>(null);

  private readonly pages = new SvelteMap<number, KeySummary[]>();
  /** The newest request of each page: an older answer arriving late is dropped. Bookkeeping, not state: nothing draws it. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly requested = new Map<number, number>();
  private requests = 0;
  /** The rows on screen, as the table last said. */
  private range = { start: 0, end: 0 };
  private readonly counting = new Latest();
  private readonly detailing = new Latest();
  /** The selected key's detail being read (show() waits for it). */
  private detailLoad: Promise<void> = Promise.resolve();

  query = $derived(toQuery(this.filter));
  filtered = $derived(Object.keys(this.query).some((name) => name !== 'tenant'));

  /** The row at `index` of the table, when its page is here. */
  row(index: number): KeySummary | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Changes the filter; the table starts again from its top, the selection stays. */
  setFilter(change: Partial<KeyFilter>): void {
    this.filter = { ...this.filter, ...change };
    this.requery();
  }

  setSort(sort: KeySort): void {
    this.sort = sort;
    this.requery(true);
  }

  /** Shows one key: the filters that hide it are dropped, it is selected and scrolled to; resolves once its detail is read. */
  async show(ref: KeyRef): Promise<void> {
    const keep = this.filter.tenant === ref.tenant ? { tenant: ref.tenant } : {};
    this.filter = { ...NO_FILTER, ...keep };
    this.select(ref);
    this.requery(true);
    await this.detailLoad;
  }

  /** Loads the first screen after start, or a change of query. */
  async load(): Promise<void> {
    this.requery();
  }

  /** The table says which rows are on screen: their pages (and a page either side) are fetched. */
  ensure(start: number, end: number): void {
    this.range = { start, end };
    const first = Math.max(0, Math.floor(start / PAGE_SIZE) - 1);
    const last = Math.floor(Math.max(start, end - 1) / PAGE_SIZE) + 1;
    for (let page = first; page <= last; page += 1) {
      if (this.total !== null && page * PAGE_SIZE >= this.total) break;
      if (!this.pages.has(page) && !this.requested.has(page)) void this.fetch(page);
    }
    this.evict(first, last);
  }

  /**
   * The inventory changed (here, in another window, or with tkv): the count, the pages on screen and
   * the selected key are read again in place, so the scroll position and the selection survive.
   */
  async refresh(): Promise<void> {
    const onScreen = [...this.pages.keys()];
    await Promise.all([this.count(), ...onScreen.map((page) => this.fetch(page)), this.loadDetail()]);
  }

  select(ref: KeyRef | null): void {
    const next = ref === null ? null : refOf(ref);
    if (next === this.selected) return;
    this.selected = next;
    this.selectedKey = ref !== null && 'id' in ref ? (ref as KeySummary) : null;
    this.detail = null;
    this.detailError = null;
    this.detailLoad = this.loadDetail();
  }

  async add(input: NewKeyInput): Promise<KeySummary> {
    const key = await unwrap(api.keys.add(input));
    await this.show(key);
    return key;
  }

  async edit(ref: KeyRef, changes: KeyEdit): Promise<{ key: KeySummary; warnings: string[] }> {
    const result = await unwrap(api.keys.edit({ tenant: ref.tenant, name: ref.name, changes }));
    await this.refresh();
    return result;
  }

  async remove(ref: KeyRef): Promise<{ keychainEntry: 'deleted' | 'already-gone' }> {
    const result = await unwrap(api.keys.remove({ tenant: ref.tenant, name: ref.name }));
    if (this.selected === refOf(ref)) this.select(null);
    await this.refresh();
    return result;
  }

  /** Replace after regenerate: the main process checks the new key before the entry switches to it. */
  async replace(ref: KeyRef, secret: string): Promise<ChannelOutput<'keys:replace'>> {
    const result = await unwrap(api.keys.replace({ tenant: ref.tenant, name: ref.name, secret }));
    await this.refresh();
    return result;
  }

  /** Copies the secret in the main process (it never comes here); cleared after 30 s if still there. */
  async copy(ref: KeyRef): Promise<{ clearsAt: string }> {
    const result = await unwrap(api.keys.copy({ tenant: ref.tenant, name: ref.name }));
    // The copy is in the audit trail now.
    void this.loadDetail();
    return result;
  }

  /** The selected key's detail, read again (after an audited action on it: a reveal, a copy). */
  reloadDetail(): Promise<void> {
    return this.loadDetail();
  }

  private requery(scrollToSelected = false): void {
    this.generation += 1;
    this.pages.clear();
    this.requested.clear();
    this.total = null;
    this.scrollTo = null;
    void this.count();
    void this.fetch(0);
    if (scrollToSelected && this.selected !== null) void this.locateSelected();
  }

  private async count(): Promise<void> {
    const current = this.counting.begin();
    const generation = this.generation;
    try {
      const { total } = await unwrap(api.keys.count({ query: this.query }));
      if (!current() || generation !== this.generation) return;
      this.total = total;
      this.error = null;
    } catch (error) {
      if (current()) this.error = asApiError(error);
    } finally {
      if (current()) this.loaded = true;
    }
  }

  private async fetch(page: number): Promise<void> {
    const request = ++this.requests;
    const generation = this.generation;
    this.requested.set(page, request);
    try {
      const { rows } = await unwrap(api.keys.page({ query: this.query, sort: this.sort, offset: page * PAGE_SIZE, limit: PAGE_SIZE }));
      if (generation !== this.generation || this.requested.get(page) !== request) return;
      this.pages.set(page, rows);
      const selected = rows.find((row) => refOf(row) === this.selected);
      if (selected) this.selectedKey = selected;
    } catch (error) {
      if (generation === this.generation) this.error = asApiError(error);
    } finally {
      if (this.requested.get(page) === request) this.requested.delete(page);
    }
  }

  /** Drops the pages far from the screen. */
  private evict(first: number, last: number): void {
    if (this.pages.size <= MAX_PAGES) return;
    const distance = (page: number) => (page < first ? first - page : page > last ? page - last : 0);
    const far = [...this.pages.keys()].sort((a, b) => distance(b) - distance(a));
    for (const page of far.slice(0, this.pages.size - MAX_PAGES)) if (distance(page) > 0) this.pages.delete(page);
  }

  private async locateSelected(): Promise<void> {
    const key = this.selectedRef();
    if (!key) return;
    const generation = this.generation;
    try {
      const { index } = await unwrap(api.keys.position({ key, query: this.query, sort: this.sort }));
      if (generation === this.generation && index !== null) this.scrollTo = index;
    } catch {
      // Not found (removed meanwhile): the table stays at its top.
    }
  }

  private selectedRef(): KeyRef | null {
    if (this.selected === null) return null;
    const slash = this.selected.indexOf('/');
    return { tenant: this.selected.slice(0, slash), name: this.selected.slice(slash + 1) };
  }

  private async loadDetail(): Promise<void> {
    const key = this.selectedRef();
    if (!key) return;
    const current = this.detailing.begin();
    try {
      const detail = await unwrap(api.keys.detail(key));
      if (!current() || refOf(detail.key) !== this.selected) return;
      this.detail = detail;
      this.selectedKey = detail.key;
      this.detailError = null;
    } catch (error) {
      if (!current()) return;
      const failure = asApiError(error);
      // Removed elsewhere (tkv, another window): nothing is selected any more.
      if (failure.code === 'NOT_FOUND') this.select(null);
      else this.detailError = failure;
    }
  }

  /** The rows on screen (for tests of the store's memory, and the table's own use). */
  get onScreen(): { start: number; end: number } {
    return this.range;
  }
}
