/**
 * What the command palette lists: a "Go to" for each screen of the screen table, the app's own
 * actions (most on the selected key, with their single-key shortcuts), then the current screen's.
 * Read inside a `$derived`: each label and state follows the stores.
 */
import type { Stores } from '../lib/state/context.ts';
import { refOf } from '../lib/state/keys.svelte.ts';
import type { Action } from '../lib/state/ui.svelte.ts';
import { verdictWord } from '../lib/verdicts.ts';
import { screenOf, SCREENS, type Screen } from '../screens.ts';

export function appActions(stores: Stores): Action[] {
  const { tenants, keys, checks, server, rotations, ui } = stores;
  const selected = keys.selectedKey;

  function checkSelected() {
    if (selected) void checks.run(selected).then((view) => view && ui.announce(`${view.label}: ${verdictWord(view.result.verdict)}`));
  }

  function matrixOfSelected() {
    if (!selected) return;
    ui.go('check', 'stored');
    void checks.runMatrix(selected);
  }

  async function copySelected() {
    if (!selected) return;
    try {
      await keys.copy(selected);
      ui.announce(`Copied the secret of ${refOf(selected)}. The clipboard is cleared in 30 seconds if it still holds it.`);
    } catch (error) {
      ui.announce((error as Error).message);
    }
  }

  function rotateSelected() {
    if (!selected) return;
    void rotations.choose({ tenant: selected.tenant, name: selected.name });
    ui.go('rotation');
  }

  function revealSelected() {
    ui.go('keys');
    // The panel reveals it: the reveal, its timer and its hiding live in one place.
    ui.revealRequests += 1;
  }

  return [
    ...SCREENS.map((screen: Screen): Action => ({ id: `go-${screen.id}`, label: `Go to ${screen.title}`, group: 'Go to', shortcut: screen.shortcut, words: screen.words, run: () => ui.go(screen.id) })),
    { id: 'tour', label: 'Try it with the sandbox (guided tour)', group: 'Vault', run: () => (ui.tour = true) },
    { id: 'rotate-selected', label: selected ? `Rotate ${refOf(selected)}` : 'Rotate the selected key', group: 'Key', disabled: !selected, run: rotateSelected },
    { id: 'create-server-key', label: server.tenant !== null ? `Create a key on ${server.tenant}'s server` : 'Create a key on the server', group: 'Server', disabled: !server.view?.live, run: () => (server.editing = { mode: 'create', name: null }) },
    { id: 'add-tenant', label: 'Add a tenant', group: 'Vault', run: () => (ui.addingTenant = true) },
    { id: 'add-key', label: 'Add a key', group: 'Vault', shortcut: 'N', disabled: tenants.list.length === 0, run: () => (ui.addingKey = true) },
    { id: 'check-selected', label: selected ? `Check ${refOf(selected)}` : 'Check the selected key', group: 'Check', shortcut: 'C', disabled: !selected, run: checkSelected },
    { id: 'matrix-selected', label: selected ? `Scope matrix of ${refOf(selected)}` : 'Scope matrix of the selected key', group: 'Check', shortcut: 'M', disabled: !selected, run: matrixOfSelected },
    { id: 'edit-selected', label: selected ? `Edit ${refOf(selected)}` : 'Edit the selected key', group: 'Key', shortcut: 'E', disabled: !keys.detail, run: () => (ui.editingKey = true) },
    { id: 'reveal-selected', label: selected ? `Reveal the secret of ${refOf(selected)}` : 'Reveal the selected key', group: 'Key', shortcut: 'R', disabled: !selected, run: revealSelected },
    { id: 'copy-selected', label: selected ? `Copy the secret of ${refOf(selected)}` : 'Copy the selected key', group: 'Key', shortcut: 'Y', disabled: !selected, run: () => void copySelected() },
    ...(selected && tenants.find(selected.tenant)?.provider === 'airwallex' ? [{ id: 'replace-selected', label: `Replace ${refOf(selected)} after a regenerate`, group: 'Key', run: () => (ui.replacingKey = true) }] : []),
    { id: 'remove-selected', label: selected ? `Remove ${refOf(selected)}` : 'Remove the selected key', group: 'Key', shortcut: 'Delete', disabled: !keys.detail, run: () => (ui.removingKey = true) },
    ...(keys.filter.tenant ? [{ id: 'remove-tenant', label: `Remove tenant ${keys.filter.tenant}`, group: 'Vault', run: () => (ui.removingTenant = keys.filter.tenant) }] : []),
    { id: 'check-pasted', label: 'Check a pasted key', group: 'Check', run: () => ui.go('check', 'pasted') },
    { id: 'check-all', label: 'Check every key', group: 'Check', run: () => ui.go('check', 'bulk') },
    ...(screenOf(ui.screen).actions?.(stores) ?? []),
  ];
}
