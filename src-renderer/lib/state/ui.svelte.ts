import type { KeyRef } from '../../../src-main/shared/contract.ts';
import type { ScreenId } from '../../screens.ts';

/**
 * Where the person is and what they can do there: the screen, the dialogs, the command palette and
 * the actions the current screen offers it, and a polite announcement for screen readers.
 */
export type CheckTab = 'stored' | 'pasted' | 'bulk';

/** An action of a screen: shown in the palette, with its shortcut. */
export interface Action {
  id: string;
  label: string;
  group: string;
  /** As shown, e.g. "C" or "Ctrl+K". */
  shortcut?: string;
  /** More words the palette finds it by, besides its label and group. */
  words?: readonly string[];
  disabled?: boolean;
  run(): void;
}

export class UiStore {
  screen = $state<ScreenId>('keys');
  checkTab = $state<CheckTab>('stored');
  paletteOpen = $state(false);
  addingTenant = $state(false);
  addingKey = $state(false);
  /** What the add-key dialog opens with, when something asked for a particular key (a tenant's admin key). */
  addKeyPreset = $state.raw<{ tenant: string; admin: boolean } | null>(null);
  /** The selected key's edit form, and its removal's confirmation. */
  editingKey = $state(false);
  removingKey = $state(false);
  /** Replacing the selected key's secret after a regenerate (Airwallex). */
  replacingKey = $state(false);
  /** Sharing the selected key with the team. */
  sharingKey = $state(false);
  /** Counts the reveals asked for from the keyboard or the palette; the detail panel answers them. */
  revealRequests = $state(0);
  /** The sandbox tour is shown (first run, or asked for from the palette). */
  tour = $state(false);
  /** The vault entry being linked to its server key, and the server's keys no entry is linked to. */
  linking = $state.raw<{ key: KeyRef; candidates: string[] } | null>(null);
  /** The alias of the tenant whose removal is being confirmed. */
  removingTenant = $state<string | null>(null);
  /** Read out by screen readers (an aria-live region). */
  announcement = $state('');

  /** A dialog is open: single-key shortcuts stay off. */
  get inDialog(): boolean {
    return this.paletteOpen || this.addingKey || this.addingTenant || this.editingKey || this.removingKey || this.replacingKey || this.sharingKey || this.linking !== null || this.removingTenant !== null;
  }

  /** Opens the add-key dialog, on a tenant (and marked admin) when given. */
  addKey(preset: { tenant: string; admin: boolean } | null = null): void {
    this.addKeyPreset = preset;
    this.addingKey = true;
  }

  /** Opens the link dialog: which server key is this entry's? */
  link(key: KeyRef, candidates: string[]): void {
    this.linking = { key: { tenant: key.tenant, name: key.name }, candidates };
  }

  announce(message: string): void {
    // The same text twice in a row is still read out.
    this.announcement = '';
    queueMicrotask(() => (this.announcement = message));
  }

  go(screen: ScreenId, tab?: CheckTab): void {
    this.screen = screen;
    if (tab) this.checkTab = tab;
  }
}
