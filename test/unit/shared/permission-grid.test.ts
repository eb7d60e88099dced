import { describe, expect, it } from 'vitest';
import { SCOPE_CATALOGUE } from '../../../src-main/core/vendors/wallet-crew/scopes.ts';
import { accessOf, gridRows, rowMatches, setAccess, splitScope } from '../../../src-main/shared/permission-grid.ts';

const rows = gridRows(SCOPE_CATALOGUE);
const row = (resource: string) => rows.find((candidate) => candidate.resource === resource)!;

describe('the View/Change grid', () => {
  it('splits both naming conventions into resource and verb', () => {
    expect(splitScope('Pass.Read')).toEqual(['Pass', 'Read']);
    expect(splitScope('tenant.apiKey:write')).toEqual(['tenant.apiKey', 'write']);
    expect(splitScope('tenant.access.role:write')).toEqual(['tenant.access.role', 'write']);
  });

  it('puts every catalogue scope in exactly one cell, read scopes under View', () => {
    const cells = rows.flatMap((r) => [...(r.view ? [r.view.code] : []), ...r.change.map((scope) => scope.code)]);
    expect(cells.sort()).toEqual(SCOPE_CATALOGUE.flatMap((area) => area.scopes.map((scope) => scope.code)).sort());
    expect(row('Pass')).toMatchObject({ view: { code: 'Pass.Read' }, change: [{ code: 'Pass.Write' }], category: 'Passes' });
    expect(row('PassScan')).toMatchObject({ view: null, change: [{ code: 'PassScan.Scan' }] });
    expect(rows.some((r) => r.resource === '*')).toBe(false);
  });

  it('makes Change imply View, and View off take Change with it', () => {
    const withChange = setAccess(row('Pass'), [], 'change', true);
    expect(withChange.sort()).toEqual(['Pass.Read', 'Pass.Write']);
    expect(accessOf(row('Pass'), new Set(withChange))).toBe('change');
    const viewOff = setAccess(row('Pass'), withChange, 'view', false);
    expect(viewOff).toEqual([]);
    const changeOff = setAccess(row('Pass'), withChange, 'change', false);
    expect(changeOff).toEqual(['Pass.Read']);
    expect(accessOf(row('Pass'), new Set(changeOff))).toBe('view');
    // Other rows and `*` are left alone.
    expect(setAccess(row('Pass'), ['*', 'Stores.Read'], 'view', true).sort()).toEqual(['*', 'Pass.Read', 'Stores.Read']);
  });

  it("keeps a key's unknown scopes as rows of their own", () => {
    const extended = gridRows(SCOPE_CATALOGUE, ['Legacy.Export', 'Pass.Read', '*']);
    expect(extended.at(-1)).toMatchObject({ resource: 'Legacy', category: 'Other', change: [{ code: 'Legacy.Export' }] });
    expect(extended.length).toBe(rows.length + 1);
  });

  it('finds rows by resource, category or scope code', () => {
    expect(rows.filter((r) => rowMatches(r, 'apikey')).map((r) => r.resource)).toEqual(['tenant.apiKey']);
    expect(rows.filter((r) => rowMatches(r, 'integrations')).map((r) => r.resource)).toEqual(['Secret', 'Webhook']);
  });
});
