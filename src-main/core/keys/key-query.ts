/**
 * The key table's queries: a filter, a sort and a page, as SQL. Each sort is backed by an index
 * (schema v6), so a first page is read in index order and stops at its limit; search goes through
 * the trigram index, so its cost follows the matches, not the inventory.
 */
import type { KeyQuery, KeySort, KeySortColumn } from '../../shared/contract.ts';

/** A WHERE clause and its parameters. */
export interface KeyFilterSql {
  where: string;
  params: Record<string, string | number>;
}

/** Days after `today` (`YYYY-MM-DD`), as `YYYY-MM-DD`. */
function plusDays(today: string, days: number): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The search box's words: each of three characters or more is looked up in the trigram index; shorter ones are compared directly. */
function searchTerms(search: string): { indexed: string[]; short: string[] } {
  const words = search.trim().split(/\s+/).filter((word) => word.length > 0).slice(0, 8);
  return { indexed: words.filter((word) => word.length >= 3), short: words.filter((word) => word.length < 3) };
}

/** The WHERE clause of a query, `today` deciding what counts as expired. */
export function keyFilterSql(query: KeyQuery, today: string): KeyFilterSql {
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
  if (query.judgement === 'never') clauses.push('s.last_verdict IS NULL');
  else if (query.judgement !== undefined) {
    clauses.push('s.last_verdict = @judgement');
    params.judgement = query.judgement;
  }
  if (query.attempt !== undefined) {
    clauses.push('s.last_attempt = @attempt');
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
  if (query.admin) clauses.push('k.is_admin = 1');
  if (query.wildcard) clauses.push(`k.scopes LIKE '%"*"%'`);
  if (query.search) {
    const { indexed, short } = searchTerms(query.search);
    if (indexed.length > 0) {
      // Each word a quoted phrase (its quotes doubled), all of them required.
      params.match = indexed.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND ');
      clauses.push('k.id IN (SELECT m.key_id FROM keys_search f JOIN key_search_ids m ON m.id = f.rowid WHERE keys_search MATCH @match)');
    }
    short.forEach((word, index) => {
      params[`short${index}`] = `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      clauses.push(`(k.name || ' ' || t.alias || ' ' || coalesce(k.owner, '') || ' ' || coalesce(k.notes, '') || ' ' || k.scopes || ' ' || k.fingerprint) LIKE @short${index} ESCAPE '\\'`);
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
