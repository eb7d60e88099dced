/**
 * The key table's queries: a filter, a sort and a page, as SQL. Each main sort is backed by an index
 * (schema v6), so a first page is read in index order and stops at its limit. A term that few keys
 * match is looked up through its index (the trigram index for words searched, the status index for
 * a verdict): the cost follows its matches. A term that many keys match (COMMON_AT or more) is
 * instead tested on each key read in the table's order, and a page fills after a few hundred keys:
 * either way, the cost of a page follows the page, not the inventory.
 */
import type { KeyQuery, KeySort, KeySortColumn } from '../../shared/contract.ts';

/** Matches from which a term is tested key by key in the table's order rather than looked up. */
export const COMMON_AT = 500;

/** Which terms of a query match COMMON_AT keys or more (the inventory counts, up to that). */
export interface CommonTerms {
  search?: boolean;
  judgement?: boolean;
  attempt?: boolean;
}

/** Everything a search looks in, as one text (a word has no space, so it never spans two fields). */
const SEARCHED_TEXT = `(k.name || ' ' || t.alias || ' ' || coalesce(k.owner, '') || ' ' || coalesce(k.notes, '') || ' ' || k.scopes || ' ' || k.fingerprint)`;

/** A WHERE clause and its parameters. */
export interface KeyFilterSql {
  where: string;
  params: Record<string, string | number>;
}

/** Days after `today` (`YYYY-MM-DD`), as `YYYY-MM-DD`. */
export function plusDays(today: string, days: number): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The search box's words: each of three characters or more is looked up in the trigram index; shorter ones are compared directly. */
export function searchTerms(search: string): { indexed: string[]; short: string[] } {
  const words = search.trim().split(/\s+/).filter((word) => word.length > 0).slice(0, 8);
  return { indexed: words.filter((word) => word.length >= 3), short: words.filter((word) => word.length < 3) };
}

/** The trigram index's query for words: each a quoted phrase (its quotes doubled), all of them required. */
export function ftsMatch(words: string[]): string {
  return words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND ');
}

/** The WHERE clause of a query, `today` deciding what counts as expired, `common` how each term is read. */
export function keyFilterSql(query: KeyQuery, today: string, common: CommonTerms = {}): KeyFilterSql {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  if (query.tenant !== undefined) {
    clauses.push('t.alias = @tenant');
    params.tenant = query.tenant;
  }
  if (query.environment !== undefined) {
    clauses.push('t.environment = @environment');
    params.environment = query.environment;
  }
  // A unary + keeps SQLite off the status index: the keys are read in the table's order instead.
  if (query.judgement === 'never') clauses.push('s.last_verdict IS NULL');
  else if (query.judgement === 'not-judged') clauses.push('s.last_verdict IS NULL AND s.last_attempt IS NOT NULL');
  else if (query.judgement !== undefined) {
    clauses.push(`${common.judgement ? '+' : ''}s.last_verdict = @judgement`);
    params.judgement = query.judgement;
  }
  if (query.attempt !== undefined) {
    clauses.push(`${common.attempt ? '+' : ''}s.last_attempt = @attempt`);
    params.attempt = query.attempt;
  }
  if (query.neverChecked) clauses.push('s.key_id IS NULL');
  if (query.expiry !== undefined) {
    params.today = today;
    if (query.expiry === 'expired') clauses.push('k.expires_on < @today');
    else {
      clauses.push('k.expires_on >= @today AND k.expires_on <= @until');
      params.until = plusDays(today, query.expiry === 'within-7' ? 7 : 30);
    }
  }
  if (query.expiresFrom !== undefined) {
    clauses.push('k.expires_on >= @expiresFrom');
    params.expiresFrom = query.expiresFrom;
  }
  if (query.expiresTo !== undefined) {
    clauses.push('k.expires_on <= @expiresTo');
    params.expiresTo = query.expiresTo;
  }
  // Timestamps compared with dates: a day's start is its date; its end, the next day's start.
  if (query.changedFrom !== undefined) {
    clauses.push('coalesce(k.rotated_at, k.created_at) >= @changedFrom');
    params.changedFrom = query.changedFrom;
  }
  if (query.changedTo !== undefined) {
    clauses.push('coalesce(k.rotated_at, k.created_at) < @changedBefore');
    params.changedBefore = plusDays(query.changedTo, 1);
  }
  if (query.noOwner) clauses.push('k.owner IS NULL');
  if (query.scope !== undefined) {
    // Scopes are a JSON array of strings: the scope, quoted as JSON, is one of its elements.
    clauses.push(`instr(k.scopes, @scopeJson) > 0`);
    params.scopeJson = JSON.stringify(query.scope);
  }
  if (query.ids !== undefined) {
    clauses.push('k.id IN (SELECT value FROM json_each(@ids))');
    params.ids = JSON.stringify(query.ids);
  }
  if (query.admin) clauses.push('k.is_admin = 1');
  if (query.wildcard) clauses.push(`k.scopes LIKE '%"*"%'`);
  if (query.search) {
    const { indexed, short } = searchTerms(query.search);
    if (indexed.length > 0 && common.search) {
      // tkv_contains_all: the inventory's own SQL function, the trigram index's matching key by key.
      params.words = JSON.stringify(indexed);
      clauses.push(`tkv_contains_all(${SEARCHED_TEXT}, @words)`);
    } else if (indexed.length > 0) {
      params.match = ftsMatch(indexed);
      clauses.push('k.id IN (SELECT m.key_id FROM keys_search f JOIN key_search_ids m ON m.id = f.rowid WHERE keys_search MATCH @match)');
    }
    short.forEach((word, index) => {
      params[`short${index}`] = `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      clauses.push(`${SEARCHED_TEXT} LIKE @short${index} ESCAPE '\\'`);
    });
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * Each column's ascending order, term by term: empty values last, then the name and the row. The
 * terms of name, tenant, expiry, creation and owner are exactly an index's (schema v6), so SQLite
 * reads a page in index order; the others sort the keys a filter kept.
 */
const SORT_TERMS: Record<KeySortColumn, string[]> = {
  name: ['k.name COLLATE NOCASE'],
  tenant: ['t.alias', 'k.name COLLATE NOCASE'],
  environment: ['t.environment', 'k.name COLLATE NOCASE'],
  scopes: ['k.scopes', 'k.name COLLATE NOCASE'],
  enabled: ['k.enabled', 'k.name COLLATE NOCASE'],
  expires: ['k.expires_on IS NULL', 'k.expires_on', 'k.name COLLATE NOCASE'],
  owner: ['k.owner IS NULL', 'k.owner COLLATE NOCASE', 'k.name COLLATE NOCASE'],
  notes: ['k.notes IS NULL', 'k.notes COLLATE NOCASE', 'k.name COLLATE NOCASE'],
  judgement: ['s.last_verdict IS NULL', 's.last_verdict', 'k.name COLLATE NOCASE'],
  attempt: ['s.last_attempt IS NULL', 's.last_attempt', 'k.name COLLATE NOCASE'],
  checked: ['s.last_attempt_at IS NULL', 's.last_attempt_at', 'k.name COLLATE NOCASE'],
  created: ['k.created_at', 'k.name COLLATE NOCASE'],
};

/** The ORDER BY clause; descending is the exact reverse of ascending, so one index serves both. */
export function keySortSql(sort: KeySort): string {
  const direction = sort.direction === 'desc' ? 'DESC' : 'ASC';
  return `ORDER BY ${[...SORT_TERMS[sort.column], 'k.rowid'].map((term) => `${term} ${direction}`).join(', ')}`;
}
