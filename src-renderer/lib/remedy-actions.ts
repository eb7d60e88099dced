/**
 * The app's buttons for remedies: what a person can do from a verdict or an error at one click.
 * The sentence comes from shared/remedies.ts, as the CLI's does; a remedy with no action here is
 * shown as its sentence alone (with the app's own words where the app cannot do it itself, see
 * `remedyNote`) — never as nothing. Every code is named below, so a new one is a decision, not an
 * oversight: the switch must stay exhaustive (lint checks it).
 */
import type { KeyRef } from '../../src-main/shared/contract.ts';
import type { Remedy } from '../../src-main/shared/remedies.ts';
import { NO_FILTER, refOf } from './state/keys.svelte.ts';
import type { Stores } from './state/context.ts';

export interface RemedyAction {
  label: string;
  run(): void | Promise<unknown>;
  /** The button's words once the thing is done (an orphan deleted): it stays, saying so, and is not offered twice. */
  done?: string | null;
}

function showKey(stores: Stores, key: KeyRef): Promise<void> {
  stores.ui.go('keys');
  return stores.keys.show(key);
}

/** Opens the key's edit dialog, once its detail is there to fill it. */
async function editKey(stores: Stores, key: KeyRef): Promise<void> {
  await showKey(stores, key);
  if (stores.keys.selected === refOf(key) && stores.keys.selectedKey) stores.ui.editingKey = true;
}

function showTenantKeys(stores: Stores, tenant: string): void {
  stores.keys.setFilter({ ...NO_FILTER, tenant });
  stores.ui.go('keys');
}

function showServerKeys(stores: Stores, tenant: string): Promise<void> | undefined {
  stores.ui.go('server');
  return stores.server.tenant === tenant ? stores.server.load() : stores.server.show(tenant);
}

function pasteBearer(stores: Stores, tenant: string): Promise<void> | undefined {
  stores.ui.go('server');
  stores.server.settingBearer = true;
  return stores.server.tenant === tenant ? undefined : stores.server.show(tenant);
}

function openRotation(stores: Stores, key: KeyRef): Promise<void> {
  stores.ui.go('rotation');
  return stores.rotations.choose(key);
}

/** The button for `remedy`, or null when it is advice to read, not an action to take here. */
export function remedyAction(remedy: Remedy, stores: Stores, again?: () => void): RemedyAction | null {
  switch (remedy.code) {
    case 'run-scope-matrix':
      return {
        label: 'Run the scope matrix',
        run: () => {
          stores.ui.go('check', 'stored');
          return stores.checks.runMatrix(remedy.key);
        },
      };
    case 'check-with-probe':
      // A high-risk probe (personal data, signing secrets) is never one click away: the Check screen runs it when a person picks it.
      return remedy.key && !remedy.reads ? { label: `Check with probe ${remedy.probe}`, run: () => stores.checks.run(remedy.key!, remedy.probe) } : null;
    case 'check-remote-name':
      return remedy.key ? { label: 'Check with probe config', run: () => stores.checks.run(remedy.key!, 'config') } : null;
    case 'admin-key-lacks-scope':
      return { label: `Show ${remedy.key.tenant}'s keys`, run: () => showTenantKeys(stores, remedy.key.tenant) };
    case 'check-key':
    case 'admin-key-refused':
      return { label: `Check ${refOf(remedy.key)}`, run: () => stores.checks.run(remedy.key) };
    case 'ask-server-again':
      return { label: `Check ${refOf(remedy.key)} again`, run: () => stores.checks.run(remedy.key) };
    case 'key-held-elsewhere':
      return { label: `Check ${refOf(remedy.holder)}`, run: () => stores.checks.run(remedy.holder) };
    case 'previous-key':
      return { label: `Show ${refOf(remedy.holder)}`, run: () => showKey(stores, remedy.holder) };
    case 'enable-on-server':
      return {
        label: `Enable “${remedy.remoteName}” on the server`,
        run: async () => {
          await stores.server.enable(remedy.key.tenant, remedy.remoteName);
          stores.ui.announce(`“${remedy.remoteName}” is enabled on the server.`);
          again?.();
        },
      };
    case 'edit-server-permissions':
      return {
        label: 'Edit its permissions…',
        run: async () => {
          await showServerKeys(stores, remedy.key.tenant);
          stores.server.editing = { mode: 'edit', name: remedy.remoteName, preset: { name: remedy.remoteName, permissions: remedy.holds } };
        },
      };
    case 'replace-secret':
      return {
        label: 'Replace the secret…',
        run: async () => {
          await showKey(stores, remedy.key);
          if (stores.keys.selected === refOf(remedy.key) && stores.keys.selectedKey) stores.ui.replacingKey = true;
        },
      };
    case 'deleted-on-server':
      return { label: `Show ${remedy.key.tenant}'s server keys`, run: () => showServerKeys(stores, remedy.key.tenant) };
    case 'server-word-needs-admin':
      return { label: 'Add an admin key…', run: () => stores.ui.addKey({ tenant: remedy.tenant, admin: true }) };
    case 'server-word-self':
      return { label: 'Paste a bearer token…', run: () => pasteBearer(stores, remedy.tenant) };
    case 'declared-scopes-differ':
    case 'update-declared-scopes':
    case 'declare-scopes':
    case 'set-owner':
      return { label: `Edit ${refOf(remedy.key)}…`, run: () => editKey(stores, remedy.key) };
    case 'show-usage':
      return { label: `Show ${refOf(remedy.key)}’s use`, run: () => showKey(stores, remedy.key) };
    case 'link-server-name':
      return { label: 'Link…', run: () => stores.ui.link(remedy.key, remedy.candidates) };
    case 'list-keys':
      return { label: `Show ${remedy.tenant}'s keys`, run: () => showTenantKeys(stores, remedy.tenant) };
    case 'list-tenants':
      return { label: 'Show the tenants', run: () => stores.ui.go('keys') };
    case 'remove-tenant-with-keys':
      return {
        label: `Remove ${remedy.tenant} with its keys…`,
        run: () => {
          stores.ui.removingTenant = remedy.tenant;
        },
      };
    case 'mark-admin':
      return {
        label: `Mark ${refOf(remedy.key)} as admin`,
        run: async () => {
          await stores.keys.edit(remedy.key, { admin: true });
          stores.ui.announce(`${refOf(remedy.key)} is ${remedy.key.tenant}'s admin credential.`);
          again?.();
        },
      };
    case 'store-admin-credential':
      return { label: 'Add an admin key…', run: () => stores.ui.addKey({ tenant: remedy.tenant, admin: true }) };
    case 'paste-bearer':
      return { label: 'Paste a bearer token…', run: () => pasteBearer(stores, remedy.tenant) };
    case 'choose-team-readers':
      return { label: `Share ${remedy.key.tenant}/${remedy.key.name}…`, run: () => void stores.keys.show(remedy.key).then(() => (stores.ui.sharingKey = true)) };
    case 'pull-team':
    case 'resolve-team-conflict':
    case 'send-team-identity':
    case 'join-team':
    case 'leave-team':
    case 'new-team-identity':
      return { label: 'Open the Team screen', run: () => stores.ui.go('team') };
    case 'list-server-keys':
    case 'refresh-server-list':
      return { label: `List ${remedy.tenant}'s server keys`, run: () => showServerKeys(stores, remedy.tenant) };
    case 'grant-scope':
      // The permissions are changed on the Server keys screen, where the key's row shows what it holds.
      return remedy.key ? { label: `Show ${remedy.key.tenant}'s server keys`, run: () => showServerKeys(stores, remedy.key!.tenant) } : null;
    case 'replace-admin-key':
      return { label: `Show ${remedy.key.tenant}'s server keys`, run: () => showServerKeys(stores, remedy.key.tenant) };
    case 'delete-orphan-server-key': {
      const deleted = stores.server.deleted.has(`${remedy.tenant}/${remedy.name}`);
      return {
        label: 'Delete on server…',
        done: deleted ? 'Deleted on the server' : null,
        run: () => {
          // Over whatever is open (the create dialog): the confirmation comes on top, and gives the focus back.
          stores.server.deleting = { tenant: remedy.tenant, name: remedy.name, orphan: true };
        },
      };
    }
    case 'start-rotation':
      return { label: `Rotate ${refOf(remedy.key)}…`, run: () => openRotation(stores, remedy.key) };
    case 'resume-rotation':
    case 'abort-rotation':
    case 'finish-rotation':
    case 'deploy-new-key':
      return { label: `Open the rotation of ${refOf(remedy.key)}`, run: () => openRotation(stores, remedy.key) };
    case 'show-rotations':
      return { label: 'Show the rotations', run: () => stores.ui.go('rotation') };
    case 'rebuild-inventory':
      return { label: 'Add a key…', run: () => stores.ui.addKey() };
    case 'wait-and-retry':
    case 'retry-later':
    case 'check-network':
    case 'raise-timeout':
    case 'fix-keychain':
      return again ? { label: remedy.code === 'fix-keychain' ? 'Try again' : 'Check again', run: again } : null;
    // Advice to read: what the app cannot do for the person (the server's console, the network, a
    // file), or nothing to click (a fact about the key). Their sentence is shown, with a note below.
    case 'add-probe':
    case 'endpoint-accepts-any-key':
    case 'server-word-unavailable':
    case 'disabled-on-server':
    case 'missing-on-server':
    case 'key-expired':
    case 'compare-fingerprint': // its fingerprint is in the sentence, and on the key's panel
    case 'check-tenant':
    case 'check-key-enabled':
    case 'not-a-scope-problem':
    case 'check-login-credentials':
    case 'lower-concurrency':
    case 'check-proxy':
    case 'fix-base-url':
    case 'read-evidence':
    case 'trust-proxy-ca':
    case 'check-host-name':
    case 'run-doctor':
    case 'restore-inventory':
    case 'run-reconcile':
    case 'choose-another-name':
      return null;
  }
}

/**
 * The app's own words after a remedy's sentence, where the app cannot do it and the person needs to
 * know where it is done: the inventory is restored as the app opens, or from a shell.
 */
export function remedyNote(remedy: Remedy): string | null {
  switch (remedy.code) {
    case 'restore-inventory':
      return 'The app offers the newest backup itself when it opens on a lost or damaged inventory: quit it and open it again. From a shell, `tkv doctor --restore` does the same.';
    case 'rebuild-inventory':
      return 'From a shell, `tkv reconcile` lists the keychain entries no key refers to yet; remove none of them until every key is back.';
    case 'run-doctor':
      return 'From a shell: `tkv doctor`.';
    case 'run-reconcile':
      return 'From a shell: `tkv reconcile` (it deletes nothing).';
    case 'add-probe':
      return 'From a shell: `tkv probe add`.';
    default:
      return null;
  }
}
