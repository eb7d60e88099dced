/**
 * The dialogs any screen, the command palette or a remedy may open, in one table: App mounts each
 * the first time it is wanted (its code loads then), and it follows its own state afterwards. A
 * dialog that belongs to one screen lives in that screen's folder and is not listed here.
 */
import type { Component } from 'svelte';
import type { Stores } from './lib/state/context.ts';

export interface DialogEntry {
  id: string;
  /** Whether the stores ask for it now. */
  wanted: (stores: Stores) => boolean;
  load: () => Promise<{ default: Component }>;
}

export const DIALOGS: readonly DialogEntry[] = [
  { id: 'add-tenant', wanted: ({ ui }) => ui.addingTenant, load: () => import('./dialogs/add-tenant-dialog.svelte') },
  { id: 'add-key', wanted: ({ ui }) => ui.addingKey, load: () => import('./dialogs/add-key-dialog.svelte') },
  { id: 'edit-key', wanted: ({ ui }) => ui.editingKey, load: () => import('./dialogs/edit-key-dialog.svelte') },
  { id: 'remove-key', wanted: ({ ui }) => ui.removingKey, load: () => import('./dialogs/remove-key-dialog.svelte') },
  { id: 'replace-key', wanted: ({ ui }) => ui.replacingKey, load: () => import('./dialogs/replace-key-dialog.svelte') },
  { id: 'share-key', wanted: ({ ui }) => ui.sharingKey, load: () => import('./dialogs/share-key-dialog.svelte') },
  { id: 'remove-tenant', wanted: ({ ui }) => ui.removingTenant !== null, load: () => import('./dialogs/remove-tenant-dialog.svelte') },
  { id: 'token-rescue', wanted: ({ server }) => server.unsaved.length > 0, load: () => import('./dialogs/token-rescue-dialog.svelte') },
  { id: 'link-key', wanted: ({ ui }) => ui.linking !== null, load: () => import('./dialogs/link-key-dialog.svelte') },
];
