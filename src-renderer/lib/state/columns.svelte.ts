/**
 * The key table's columns: which exist, their widths and sorts, and which the person chose to show
 * (kept in the page's local storage, so the choice survives a restart). Shape kept: the set of
 * hidden column ids.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { KeySortColumn } from '../../../src-main/shared/contract.ts';

export interface Column {
  id: string;
  label: string;
  /** Pixels: the table lays out fixed widths, so rows never shift as they scroll in. */
  width: number;
  sort?: KeySortColumn;
  /** Sorting ascending by this column sorts its key the other way (age: youngest first = newest). */
  inverted?: boolean;
  /** Always shown. */
  fixed?: boolean;
}

export const COLUMNS: readonly Column[] = [
  // What a review looks at first comes first: whose key, is it good, does it expire.
  { id: 'name', label: 'Name', width: 220, sort: 'name', fixed: true },
  { id: 'tenant', label: 'Tenant', width: 140, sort: 'tenant' },
  { id: 'judgement', label: 'Last judgement', width: 160, sort: 'judgement' },
  { id: 'expires', label: 'Expires', width: 150, sort: 'expires' },
  { id: 'scopes', label: 'Scopes', width: 210, sort: 'scopes' },
  { id: 'secret', label: 'Secret', width: 200 },
  { id: 'owner', label: 'Owner', width: 150, sort: 'owner' },
  { id: 'notes', label: 'Notes', width: 220, sort: 'notes' },
  { id: 'environment', label: 'Environment', width: 120, sort: 'environment' },
  { id: 'enabled', label: 'Enabled', width: 96, sort: 'enabled' },
  { id: 'attempt', label: 'Last attempt', width: 150, sort: 'attempt' },
  { id: 'checked', label: 'Last checked', width: 124, sort: 'checked' },
  { id: 'age', label: 'Age', width: 84, sort: 'created', inverted: true },
  { id: 'actions', label: 'Actions', width: 96, fixed: true },
];

const STORAGE_KEY = 'tkv.hiddenColumns';

function stored(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export class ColumnsState {
  readonly hidden = new SvelteSet<string>(stored());
  shown = $derived(COLUMNS.filter((column) => column.fixed || !this.hidden.has(column.id)));
  width = $derived(this.shown.reduce((sum, column) => sum + column.width, 0));

  toggle(id: string): void {
    if (this.hidden.has(id)) this.hidden.delete(id);
    else this.hidden.add(id);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify([...this.hidden]));
    } catch {
      // Storage full or refused: the choice lasts until the window closes.
    }
  }

  has(id: string): boolean {
    return this.shown.some((column) => column.id === id);
  }
}
