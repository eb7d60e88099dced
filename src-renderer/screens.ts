/**
 * The app's screens, in one table: the navigation, the command palette ("Go to …", found by its
 * words too), the Alt+N shortcuts and the loading of each screen's code all read it, and nothing
 * else lists the screens. A new screen is a folder under views/ and one entry here.
 *
 * The two screens a person meets first (Keys, the window's first paint, and Check, where its
 * buttons lead) are part of the JavaScript read at startup; every other screen's code loads the
 * first time it opens, so that startup stays within its budget (60 KB gzipped,
 * test/bench/bundle-size.ts) however many screens there are.
 */
import type { Component } from 'svelte';
import type { Stores } from './lib/state/context.ts';
import type { Action } from './lib/state/ui.svelte.ts';
import CheckView from './views/check/check-view.svelte';
import KeysView from './views/keys/keys-view.svelte';

type ScreenModule = { default: Component };

export interface ScreenEntry {
  id: string;
  /** Its name, as the navigation shows it and the palette goes to it. */
  title: string;
  /** Its key chord, as shown; the keyboard handler reads it back. */
  shortcut: `Alt+${number}`;
  /** More words the palette finds it by, besides its title. */
  words: readonly string[];
  /** Its code: at hand for a startup screen, loaded (once) the first time for the others. */
  load: () => ScreenModule | Promise<ScreenModule>;
  /** The actions the palette offers while the screen is shown. */
  actions?: (stores: Stores) => Action[];
}

/** A screen in the startup bundle: its module is already here. */
const atHand = (view: Component) => (): ScreenModule => ({ default: view });

export const SCREENS = [
  {
    id: 'keys',
    title: 'Keys',
    shortcut: 'Alt+1',
    words: ['inventory', 'table'],
    load: atHand(KeysView),
    actions: () => [{ id: 'search', label: 'Search keys', group: 'Keys', shortcut: '/', run: () => document.getElementById('key-search')?.focus() }],
  },
  { id: 'check', title: 'Check', shortcut: 'Alt+2', words: ['verdict', 'probe', 'test'], load: atHand(CheckView) },
  { id: 'server', title: 'Server keys', shortcut: 'Alt+3', words: ['remote', 'admin API', 'drift'], load: () => import('./views/server/server-view.svelte') },
  { id: 'rotation', title: 'Rotation', shortcut: 'Alt+4', words: ['overlap', 'journal'], load: () => import('./views/rotation/rotation-view.svelte') },
  { id: 'review', title: 'Review', shortcut: 'Alt+5', words: ['flags', 'charts', 'sign-off'], load: () => import('./views/review/review-view.svelte') },
  { id: 'audit', title: 'Audit log', shortcut: 'Alt+6', words: ['history', 'hash chain'], load: () => import('./views/audit/audit-view.svelte') },
  { id: 'watch', title: 'Watch', shortcut: 'Alt+7', words: ['notifications', 'background', 'what changed', 'snooze'], load: () => import('./views/watch/watch-view.svelte') },
  { id: 'team', title: 'Team', shortcut: 'Alt+8', words: ['share', 'git', 'members', 'pull', 'push', 'age'], load: () => import('./views/team/team-view.svelte') },
] as const satisfies readonly ScreenEntry[];

export type ScreenId = (typeof SCREENS)[number]['id'];
export type Screen = ScreenEntry & { id: ScreenId };

export function screenOf(id: ScreenId): Screen {
  return SCREENS.find((screen) => screen.id === id)!;
}

/** The screen whose shortcut a key press is (Alt+1…), if any. */
export function screenFor(event: KeyboardEvent): Screen | null {
  return event.altKey ? (SCREENS.find((screen) => screen.shortcut === `Alt+${event.key}`) ?? null) : null;
}
