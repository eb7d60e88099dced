/**
 * The key table's columns: which exist, their widths and sorts, which the person chose to show, and
 * which of those fit the table's frame now (kept in the page's local storage, so the choice survives a
 * restart). Shape kept: the set of hidden column ids, and whether every chosen column is shown at the
 * cost of scrolling sideways ("all") or only those that fit ("fit", the default).
 *
 * Columns are listed in priority order: when the frame is too narrow (a small window, the detail
 * panel open), the last ones yield first and the table says which. A column is shown whole or not
 * at all: no date or scope is ever cut to make room.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { KeySortColumn } from '../../../src-main/shared/contract.ts';

export interface Column {
  id: string;
  label: string;
  /** Pixels: wide enough for the column's longest content (a date, a verdict), so nothing in it is cut. */
  width: number;
  sort?: KeySortColumn;
  /** Sorting ascending by this column sorts its key the other way (age: youngest first = newest). */
  inverted?: boolean;
  /** Always shown. */
  fixed?: boolean;
}

/** The name's least width; it takes whatever room the other columns leave. */
const NAME_MIN = 140;

export const COLUMNS: readonly Column[] = [
  // What a review looks at first comes first, and yields last: is the key good, does it expire.
  { id: 'name', label: 'Name', width: NAME_MIN, sort: 'name', fixed: true },
  { id: 'judgement', label: 'Last judgement', width: 150, sort: 'judgement' },
  { id: 'expires', label: 'Expires', width: 124, sort: 'expires' },
  { id: 'scopes', label: 'Scopes', width: 196, sort: 'scopes' },
  // The fingerprint: what support staff compare with the key someone holds.
  { id: 'secret', label: 'Secret', width: 188 },
  { id: 'owner', label: 'Owner', width: 150, sort: 'owner' },
  { id: 'checked', label: 'Last checked', width: 124, sort: 'checked' },
  // Without its own column, the tenant is written under each key's name.
  { id: 'tenant', label: 'Tenant', width: 140, sort: 'tenant' },
  { id: 'environment', label: 'Environment', width: 120, sort: 'environment' },
  { id: 'attempt', label: 'Last attempt', width: 150, sort: 'attempt' },
  { id: 'enabled', label: 'Enabled', width: 96, sort: 'enabled' },
  { id: 'age', label: 'Age', width: 84, sort: 'created', inverted: true },
  { id: 'notes', label: 'Notes', width: 220, sort: 'notes' },
  { id: 'actions', label: 'Actions', width: 84, fixed: true },
];

const STORAGE_KEY = 'tkv.hiddenColumns';
const MODE_KEY = 'tkv.columnsMode';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function stored(): string[] {
  try {
    const value: unknown = JSON.parse(read(STORAGE_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage full or refused: the choice lasts until the window closes.
  }
}

/**
 * The chosen columns that fit in `room` pixels, in priority order, stopping at the first that does
 * not (so a lesser column never shows while a more important one is hidden); the name takes the rest.
 */
export function fitColumns(chosen: readonly Column[], room: number): { shown: Column[]; yielded: Column[] } {
  let used = chosen.filter((column) => column.fixed).reduce((sum, column) => sum + column.width, 0);
  const yielded: Column[] = [];
  for (const column of chosen) {
    if (column.fixed) continue;
    if (yielded.length === 0 && used + column.width <= room) used += column.width;
    else yielded.push(column);
  }
  const spare = Math.max(0, Math.floor(room - used));
  const shown = chosen.filter((column) => !yielded.includes(column)).map((column) => (column.id === 'name' ? { ...column, width: column.width + spare } : column));
  return { shown, yielded };
}

export class ColumnsState {
  readonly hidden = new SvelteSet<string>(stored());
  /** Every chosen column, scrolling sideways, instead of those that fit. */
  all = $state(read(MODE_KEY) === 'all');
  /** The frame's inner width, as the table measures it (until then, about what the window leaves it). */
  room = $state(Math.max(0, window.innerWidth - 320));
  chosen = $derived(COLUMNS.filter((column) => column.fixed || !this.hidden.has(column.id)));
  layout = $derived(this.all ? { shown: this.chosen.map((column) => (column.id === 'name' ? { ...column, width: 220 } : column)), yielded: [] } : fitColumns(this.chosen, this.room));
  shown = $derived(this.layout.shown);
  /** Chosen columns hidden for want of room. */
  yielded = $derived(this.layout.yielded);
  width = $derived(this.shown.reduce((sum, column) => sum + column.width, 0));

  toggle(id: string): void {
    if (this.hidden.has(id)) this.hidden.delete(id);
    else this.hidden.add(id);
    remember(STORAGE_KEY, JSON.stringify([...this.hidden]));
  }

  showAll(all: boolean): void {
    this.all = all;
    remember(MODE_KEY, all ? 'all' : 'fit');
  }

  has(id: string): boolean {
    return this.shown.some((column) => column.id === id);
  }
}
