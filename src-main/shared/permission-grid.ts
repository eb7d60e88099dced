/**
 * A permission catalogue as a View/Change grid, the way the wallet product's console shows it: a row
 * per resource, a View column (its read scope) and a Change column (every other scope of it), where
 * Change implies View. `*` is not a row: it stands apart. Scopes a key holds that the catalogue does
 * not know are kept as rows of their own, so that editing a key never drops one silently. Runs anywhere.
 */
import type { ScopeArea } from './scopes.ts';

export interface GridRow {
  /** `Pass`, `tenant.apiKey`: the scope's name without its verb. */
  resource: string;
  category: string;
  description: string;
  /** The read scope, when the resource has one. */
  view: { code: string; description: string } | null;
  /** The other scopes (write, scan…): checking Change grants them all, and View. */
  change: { code: string; description: string }[];
}

const READ_VERB = /^(read|view|get|list)$/i;

/** `Pass.Read` → [`Pass`, `Read`]; `tenant.apiKey:read` → [`tenant.apiKey`, `read`]. */
export function splitScope(code: string): [resource: string, verb: string] {
  const colon = code.lastIndexOf(':');
  if (colon > 0) return [code.slice(0, colon), code.slice(colon + 1)];
  const dot = code.lastIndexOf('.');
  return dot > 0 ? [code.slice(0, dot), code.slice(dot + 1)] : [code, ''];
}

/** The grid's rows, in the catalogue's order; unknown `extra` scopes (a key's own) get rows at the end. */
export function gridRows(areas: readonly ScopeArea[], extra: readonly string[] = []): GridRow[] {
  const rows = new Map<string, GridRow>();
  const place = (code: string, description: string, category: string, areaDescription: string) => {
    const [resource, verb] = splitScope(code);
    let row = rows.get(resource);
    if (!row) {
      row = { resource, category, description: areaDescription, view: null, change: [] };
      rows.set(resource, row);
    }
    if (READ_VERB.test(verb) && row.view === null) row.view = { code, description };
    else row.change.push({ code, description });
  };
  for (const area of areas) for (const scope of area.scopes) place(scope.code, scope.description, area.category, area.description);
  const known = new Set(areas.flatMap((area) => area.scopes.map((scope) => scope.code)));
  for (const code of extra) if (code !== '*' && !known.has(code)) place(code, 'Not in the catalogue', 'Other', 'Scopes the catalogue does not list');
  return [...rows.values()];
}

export type Access = 'none' | 'view' | 'change';

/** What a set of permissions grants on a row. */
export function accessOf(row: GridRow, granted: ReadonlySet<string>): Access {
  if (row.change.length > 0 && row.change.every((scope) => granted.has(scope.code))) return 'change';
  if (row.view && granted.has(row.view.code)) return 'view';
  return 'none';
}

/**
 * The permissions after setting a row's View or Change box: Change on grants View too; View off
 * takes Change with it (Change implies View). Other rows are left as they are.
 */
export function setAccess(row: GridRow, granted: readonly string[], column: 'view' | 'change', on: boolean): string[] {
  const next = new Set(granted);
  const changeCodes = row.change.map((scope) => scope.code);
  if (column === 'change') {
    for (const code of changeCodes) {
      if (on) next.add(code);
      else next.delete(code);
    }
    if (on && row.view) next.add(row.view.code);
  } else if (row.view) {
    if (on) next.add(row.view.code);
    else {
      next.delete(row.view.code);
      for (const code of changeCodes) next.delete(code);
    }
  }
  return [...next];
}

/** True when a row matches a search: its resource, category, description or any scope code. */
export function rowMatches(row: GridRow, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  return [row.resource, row.category, row.description, row.view?.code ?? '', ...row.change.map((scope) => scope.code)].some((text) => text.toLowerCase().includes(needle));
}
