/** `app:*` and `vault:*`: facts about the app, and the keychain/inventory comparison. */
import { SCOPE_CATALOGUE } from '../core/vendors/wallet-crew/scopes.ts';
import type { DomainIpc } from './domain.ts';
import { none } from './schema-parts.ts';

export const appIpc = {
  'app:info': { input: none, handle: (_, { info, services }) => ({ ...info, schemaVersion: services.schemaVersion() }) },
  'app:scopes': { input: none, handle: () => SCOPE_CATALOGUE.map((area) => ({ ...area, scopes: [...area.scopes] })) },
} satisfies DomainIpc<'app'>;

export const vaultIpc = {
  'vault:reconcile': { input: none, handle: (_, { services }) => services.keys.reconcile() },
} satisfies DomainIpc<'vault'>;
