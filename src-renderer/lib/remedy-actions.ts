/**
 * The app's buttons for remedies: what a person can do from a verdict or an error at one click.
 * The sentence comes from shared/remedies.ts, as the CLI's does; a remedy with no action here is
 * shown as its sentence alone.
 */
import type { KeyRef } from '../../src-main/shared/contract.ts';
import type { Remedy } from '../../src-main/shared/remedies.ts';
import { NO_FILTER, refOf } from './state/keys.svelte.ts';
import type { Stores } from './state/context.ts';

export interface RemedyAction {
  label: string;
  run(): void | Promise<unknown>;
}

function showKey(stores: Stores, key: KeyRef): void {
  void stores.keys.show(key);
  stores.ui.go('keys');
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
      return remedy.key ? { label: `Check with probe ${remedy.probe}`, run: () => stores.checks.run(remedy.key!, remedy.probe) } : null;
    case 'check-remote-name':
      return remedy.key ? { label: 'Check with probe config', run: () => stores.checks.run(remedy.key!, 'config') } : null;
    case 'key-held-elsewhere':
      return { label: `Check ${refOf(remedy.holder)}`, run: () => stores.checks.run(remedy.holder) };
    case 'previous-key':
      return { label: `Show ${refOf(remedy.holder)}`, run: () => showKey(stores, remedy.holder) };
    case 'list-keys':
      return {
        label: `Show ${remedy.tenant}'s keys`,
        run: () => {
          stores.keys.setFilter({ ...NO_FILTER, tenant: remedy.tenant });
          stores.ui.go('keys');
        },
      };
    case 'list-tenants':
      return { label: 'Show the tenants', run: () => stores.ui.go('keys') };
    case 'store-admin-credential':
      return { label: 'Add an admin key…', run: () => stores.ui.addKey({ tenant: remedy.tenant, admin: true }) };
    case 'paste-bearer':
      return {
        label: 'Paste a bearer token…',
        run: () => {
          stores.ui.go('server');
          stores.server.settingBearer = true;
          return stores.server.tenant === remedy.tenant ? undefined : stores.server.show(remedy.tenant);
        },
      };
    case 'wait-and-retry':
    case 'retry-later':
      return again ? { label: 'Check again', run: again } : null;
    default:
      return null;
  }
}
